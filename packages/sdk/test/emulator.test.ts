/**
 * The facade as a user imports it, over the real fetch, against the emulator:
 * the methods beyond the official SDK and the failures only a real server gives.
 */
import { type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { ApiError, OomolTaskClient, TaskFailedError } from "oomol-cloud-task-sdk"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

let emulator: RunningEmulator
let client: OomolTaskClient
const fast = { intervalMs: 20, backoff: { strategy: "fixed" } } as const
const quick = { queued: 0, scheduling: 10, scheduled: 10, running: 60 }

beforeAll(async () => {
  emulator = await startEmulator({
    clock: "real",
    apiKey: "emulator-key",
    blocks: [
      { packageName: "ok", durations: quick, logs: ["one", "two", "three"] },
      { packageName: "broke", durations: quick, fail: "Insufficient credit" }
    ]
  })
  client = new OomolTaskClient({ apiKey: "emulator-key", baseUrl: emulator.url })
})
afterAll(async () => {
  await client.dispose()
  await emulator.close()
})

const create = (packageName: string) => client.createTask({ packageName, packageVersion: "1.0.0", blockName: "main" })

describe("against the emulator", () => {
  it("awaitAll settles many tasks, a failure as a rejected TaskFailedError", async () => {
    const ids = [(await create("ok")).taskID, (await create("broke")).taskID, (await create("ok")).taskID]
    const settled = new Map<string, string>()
    for await (const task of client.awaitAll(ids, { ...fast, concurrency: 2 })) {
      settled.set(task.taskID, task.status === "fulfilled" ? task.value.status : task.reason.constructor.name)
      if (task.status === "rejected") expect(task.reason).toBeInstanceOf(TaskFailedError)
    }
    expect(ids.map((id) => settled.get(id))).toEqual(["success", "TaskFailedError", "success"])
  })

  it("tasks() walks every page of the listing", async () => {
    const all: Array<string> = []
    for await (const task of client.tasks({ size: 2 })) all.push(task.taskID)
    expect(all.length).toBeGreaterThanOrEqual(3)
    expect(new Set(all).size).toBe(all.length)
    expect(emulator.requests("listTasks")).toBeGreaterThan(1)
  })

  it("logs(…, { follow }) reads a task's entries until it has ended; getTaskLogs reads one page", async () => {
    const { taskID } = await create("ok")
    const entries: Array<string> = []
    for await (const entry of client.logs(taskID, { follow: true, intervalMs: 20 })) entries.push(entry.type)
    expect(entries.filter((type) => type === "BlockLog")).toHaveLength(3)
    expect(entries.at(-1)).toBe("SessionFinished")
    const { logs } = await client.getTaskLogs(taskID, { page: 1 })
    expect(logs.map((e) => e.type)).toEqual(entries)
  })

  it("watch() yields the statuses of a task up to its end", async () => {
    const { taskID } = await create("ok")
    const seen: Array<string> = []
    for await (const result of client.watch(taskID, fast)) seen.push(result.status)
    expect(seen.at(-1)).toBe("success")
  })

  it("pausing shows on the dashboard; resuming lifts it", async () => {
    expect(await client.pauseUserQueue()).toEqual({ pauseType: "user" })
    expect((await client.getDashboard()).pause).toMatchObject({ paused: true, type: "user" })
    await client.resumeUserQueue()
    expect((await client.getDashboard()).pause.paused).toBe(false)
  })

  it("sends no trace headers (Effect 4's HttpClient adds them by default), over undici and over fetch", async () => {
    const overFetch = new OomolTaskClient({ apiKey: "emulator-key", baseUrl: emulator.url, fetch: globalThis.fetch })
    try {
      for (const c of [client, overFetch]) {
        await c.getDashboard()
        const { headers } = emulator.requestLog("dashboard").at(-1)!
        expect(headers.authorization).toBe("Bearer emulator-key")
        expect(Object.keys(headers).filter((name) => /^(traceparent|tracestate|b3|x-b3-)/.test(name))).toEqual([])
      }
    } finally {
      await overFetch.dispose()
    }
  })

  it("a wrong key is a 401 ApiError, and a wait on an unknown task ends with its 404", async () => {
    const stranger = new OomolTaskClient({ apiKey: "wrong", baseUrl: emulator.url })
    await expect(stranger.getDashboard()).rejects.toMatchObject({ name: "ApiError", status: 401 })
    await stranger.dispose()
    const error = await client.awaitResult("no-such-task", fast).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 404 })
  })
})
