// Create a task and wait for it: progress, a timeout, and a way to cancel.
import { BackoffStrategy, OomolTaskClient, TaskFailedError, TimeoutError } from "oomol-cloud-task-sdk"

const client = new OomolTaskClient({ apiKey: process.env.OOMOL_API_KEY })

// Ctrl-C cancels the wait: the promise rejects at once with an AbortError.
const controller = new AbortController()
process.once("SIGINT", () => controller.abort())

try {
  const { taskID, result } = await client.createAndWait<Array<{ pages: number }>>(
    {
      packageName: "@oomol/pdf-tools",
      packageVersion: "1.2.0",
      blockName: "count-pages",
      inputValues: { url: "https://example.com/report.pdf" }
    },
    {
      intervalMs: 1000,
      backoff: { strategy: BackoffStrategy.Exponential, maxIntervalMs: 10_000 },
      timeoutMs: 5 * 60 * 1000,
      signal: controller.signal,
      onProgress: (progress, status) => console.log(`${status} ${progress}`)
    }
  )
  if (result.status === "success") console.log(taskID, result.resultData?.[0]?.pages)
} catch (error) {
  if (error instanceof TaskFailedError) console.error(`task ${error.taskID} failed: ${error.message}`)
  else if (error instanceof TimeoutError) console.error(error.message)
  else if (error instanceof DOMException && error.name === "AbortError") console.error("cancelled")
  else throw error
} finally {
  await client.dispose()
}
