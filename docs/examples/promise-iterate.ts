// The iterators: every task across pages, a task's progress, its logs, and many tasks at once.
import { OomolTaskClient } from "oomol-cloud-task-sdk"

await using client = new OomolTaskClient({ apiKey: process.env.OOMOL_API_KEY })

// Every failed task of the account, page after page, fetched as the loop asks.
const failed: Array<string> = []
for await (const task of client.tasks({ status: "failed", size: 100 })) {
  failed.push(task.taskID)
  if (failed.length === 500) break // stops fetching pages
}

const { taskID } = await client.createTask({ packageName: "@oomol/my-package", packageVersion: "1.0.0", blockName: "main" })

// Each poll's answer, ending with the terminal one (a failure is yielded, not thrown).
for await (const result of client.watch(taskID, { intervalMs: 1000 })) {
  if (result.status === "success") console.log("done", result.resultURL)
  else if (result.status === "failed") console.log("failed", result.error)
  else console.log(result.status, result.progress)
}

// The task's log entries, following new ones until the task has ended.
for await (const entry of client.logs(taskID, { follow: true })) {
  console.log(entry.type, entry.block_path ?? "")
}

// One page of logs, as the HTTP API serves them (about 100 entries).
const { logs } = await client.getTaskLogs(taskID, { page: 1 })
console.log(`${logs.length} entries on page 1`)

// Many tasks, four polled at a time, each reported as it settles.
for await (const settled of client.awaitAll(failed.slice(0, 20), {
  concurrency: 4,
  timeoutMs: 60_000,
  onProgress: (progress, status, id) => console.log(id, status, progress)
})) {
  if (settled.status === "fulfilled") console.log(settled.taskID, settled.value.resultURL)
  else console.log(settled.taskID, settled.reason.message)
}
