import { Api, Logs, Queue, Task } from "@oomol-cloud-task/contract"
import { Emulator, type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { TestClock } from "effect/testing"
import { call, createBody, createTask, decode, get } from "./support.js"

let emulator: RunningEmulator
beforeEach(async () => {
  emulator = await startEmulator({ clock: "virtual" })
})
afterEach(() => emulator.close())

// A behaviour may return any shape, so results are decoded with an open schema.
const AnyResult = Task.TaskResult(Schema.Unknown)
const result = async (taskID: string) => decode(AnyResult, await get(emulator, Api.paths.taskResult(taskID)))
const detail = async (taskID: string) => decode(Task.TaskDetail, await get(emulator, Api.paths.task(taskID)))

describe("task endpoints", () => {
  it("creates a task and answers only its ID; the detail names its workload", async () => {
    const created = await call(`${emulator.url}${Api.paths.tasks}`, { method: "POST", body: createBody() })
    expect(created.status).toBe(200)
    expect(Object.keys(created.json as object)).toEqual(["taskID"])
    const { taskID } = decode(Task.CreateTaskResponse, created)
    const task = await detail(taskID)
    expect(task).toMatchObject({ taskType: "user", taskID, status: "queued", progress: 0, workload: "serverless" })
    // Deterministic: the same package and block always give the same workload.
    const again = await detail(await createTask(emulator))
    expect(again.taskType === "user" && task.taskType === "user" && again.workloadID === task.workloadID).toBe(true)
    const other = await detail(await createTask(emulator, { blockName: "other" }))
    expect(other.taskType === "user" && task.taskType === "user" && other.workloadID !== task.workloadID).toBe(true)
  })

  it("walks queued → scheduling → scheduled → running → success with growing progress and timestamps", async () => {
    const taskID = await createTask(emulator, { inputValues: { text: "hello" } })
    const createdAt = emulator.now()
    const seen: Array<{ status: string; progress: number }> = []
    for (let i = 0; i < 40; i++) {
      const answer = await result(taskID)
      seen.push({ status: answer.status, progress: answer.status === "success" ? 100 : "progress" in answer ? answer.progress : 0 })
      if (answer.status === "success") {
        expect(answer.resultData).toEqual([{ text: "hello" }])
        break
      }
      emulator.advance(10)
    }
    const statuses = seen.map((s) => s.status).filter((s, i, all) => all[i - 1] !== s)
    expect(statuses).toEqual(["queued", "scheduling", "scheduled", "running", "success"])
    const progress = seen.map((s) => s.progress)
    expect(progress).toEqual([...progress].sort((a, b) => a - b))
    expect(new Set(progress.filter((p) => p > 0 && p < 100)).size).toBeGreaterThanOrEqual(2)

    const done = await detail(taskID)
    expect(done.createdAt).toBe(createdAt)
    expect(done.startTime).toBeGreaterThan(done.createdAt)
    expect(done.endTime).toBeGreaterThan(done.startTime!)
    expect(done.endTime).toBeLessThanOrEqual(emulator.now())
    const [item] = decode(Task.TaskListResponse, await get(emulator, Api.paths.tasks)).tasks
    expect(item).toMatchObject({ taskID, status: "success", progress: 100, updatedAt: done.endTime, blockName: "main" })
  })

  it("shows no start or end time before the task gets there", async () => {
    const taskID = await createTask(emulator)
    expect(await detail(taskID)).toMatchObject({ startTime: null, endTime: null, resultURL: null, failedMessage: null })
  })

  it("answers every endpoint with a body the contract's schemas accept", async () => {
    const taskID = await createTask(emulator)
    emulator.advance(1_000)
    const { workloadID } = decode(Task.TaskListResponse, await get(emulator, Api.paths.tasks)).tasks[0]!
    decode(Task.TaskDetail, await get(emulator, Api.paths.task(taskID)))
    decode(Task.DefaultTaskResult, await get(emulator, Api.paths.taskResult(taskID)))
    decode(Logs.LogsResponse, await get(emulator, Api.paths.taskLogs(taskID)))
    decode(Task.LatestTasksResponse, await get(emulator, `${Api.paths.latestTasks}?workloadIDs=${workloadID}`))
    decode(Queue.Dashboard, await get(emulator, Api.paths.dashboard))
    expect(decode(Queue.PauseResponse, await call(`${emulator.url}${Api.paths.pause}`, { method: "POST", body: {} })))
      .toEqual({ pauseType: "user" })
    expect(decode(Queue.PauseResponse, await call(`${emulator.url}${Api.paths.resume}`, { method: "POST", body: "" })))
      .toEqual({ pauseType: null })
  })

  it("refuses bad input with 400 and one readable sentence per problem, naming the field", async () => {
    const post = (body: unknown) => call(`${emulator.url}${Api.paths.tasks}`, { method: "POST", body })
    const statuses = "queued, scheduling, scheduled, running, success, failed"
    const list = (query: string) => get(emulator, `${Api.paths.tasks}?${query}`)
    const latest = (query: string) => get(emulator, `${Api.paths.latestTasks}${query}`)
    const cases: ReadonlyArray<readonly [Promise<{ status: number; json: unknown }>, string]> = [
      [post({ type: "serverless", packageName: "p", packageVersion: "1" }), "blockName is required"],
      [post(createBody({ packageName: "" })), "packageName must be a non-empty string"],
      [post(createBody({ packageName: 42 })), "packageName must be a string"],
      [post(createBody({ webhookUrl: "https://hook" })), "webhookUrl is not a known field"],
      [post(createBody({ type: "applet" })), "type must be \"serverless\""],
      [post(createBody({ inputValues: 1 })), "inputValues must be an object"],
      [post([1]), "request body must be an object"],
      [
        post({ type: "applet", packageName: "" }),
        "type must be \"serverless\"; packageName must be a non-empty string; packageVersion is required; blockName is required"
      ],
      [post("{ not json"), "Request body is not valid JSON"],
      [list("size=0"), "size must be an integer between 1 and 100"],
      [list("size=101"), "size must be an integer between 1 and 100"],
      [list("size=1.5"), "size must be an integer between 1 and 100"],
      [list("size=ten"), "size must be an integer between 1 and 100"],
      [list("status=done"), `status must be one of ${statuses}`],
      [list("taskType=team"), "taskType must be one of user, shared"],
      [list("size=101&status=done"), `size must be an integer between 1 and 100; status must be one of ${statuses}`],
      [list("status="), "status must not be empty"],
      [list("colour=red"), "colour is not a known field"],
      [list("nextToken=nonsense"), "Invalid nextToken"],
      [latest(""), "workloadIDs cannot be empty"],
      [latest("?workloadIDs=%20%20"), "workloadIDs cannot be empty"],
      [latest("?workloadIDs=a,,b"), "workloadIDs must not contain empty items"],
      [latest(`?workloadIDs=${Array.from({ length: 51 }, (_, i) => i).join(",")}`), "workloadIDs cannot exceed 50 items"],
      [get(emulator, `${Api.paths.tasks}/latest/result`), "taskID \"latest\" names the latest-tasks endpoint, not a task"]
    ]
    for (const [answer, message] of cases) {
      const { json, status } = await answer
      expect(status).toBe(400)
      expect(json).toEqual({ message })
    }
    const taskID = await createTask(emulator)
    for (const page of ["0", "1.5", "x"]) {
      const answer = await get(emulator, `${Api.paths.taskLogs(taskID)}?page=${page}`)
      expect(answer.status).toBe(400)
      expect(answer.json).toEqual({ message: "page must be an integer of at least 1" })
    }
  })

  it("answers 404 with a message for an unknown task, whatever its ID", async () => {
    for (const id of ["missing", "a/../b?c#d e"]) {
      for (const path of [Api.paths.task(id), Api.paths.taskResult(id), Api.paths.taskLogs(id)]) {
        const answer = await get(emulator, path)
        expect(answer.status).toBe(404)
        expect(answer.json).toEqual({ message: `Task ${id} not found` })
      }
    }
  })
})

describe("scripted blocks", () => {
  it("fails a task with the scripted message after the scripted phases", async () => {
    emulator.defineBlock({
      packageName: "@test/billing",
      durations: { queued: 0, scheduling: 10, scheduled: 0, running: 0 },
      fail: "Insufficient balance"
    })
    const taskID = await createTask(emulator, { packageName: "@test/billing" })
    expect((await result(taskID)).status).toBe("scheduling")
    emulator.advance(10)
    expect(await result(taskID)).toEqual({ status: "failed", error: "Insufficient balance" })
    expect(await detail(taskID)).toMatchObject({ status: "failed", failedMessage: "Insufficient balance", resultURL: null })
  })

  it("returns the scripted result and progress steps, the most specific behaviour winning", async () => {
    emulator.defineBlock({ packageName: "@test/pdf", resultData: [{ pages: 3 }], resultURL: "https://files/result.json" })
    emulator.defineBlock({
      packageName: "@test/pdf",
      blockName: "split",
      packageVersion: "2.0.0",
      progress: [10, 90],
      durations: { queued: 0, scheduling: 0, scheduled: 0, running: 30 },
      resultData: { split: true }
    })
    const any = await createTask(emulator, { packageName: "@test/pdf", blockName: "merge" })
    const exact = await createTask(emulator, { packageName: "@test/pdf", blockName: "split", packageVersion: "2.0.0" })
    const progress: Array<unknown> = []
    for (let i = 0; i < 4; i++) {
      const answer = await result(exact)
      progress.push("progress" in answer ? answer.progress : answer.status)
      emulator.advance(10)
    }
    expect(progress).toEqual([0, 10, 90, "success"])
    expect(await result(exact)).toEqual({ status: "success", resultURL: null, resultData: { split: true } })
    emulator.advance(1_000)
    expect(await result(any)).toEqual({ status: "success", resultURL: "https://files/result.json", resultData: [{ pages: 3 }] })
  })

  it("writes logs as the task runs: reporter events, nested values as JSON text, 100 a page", async () => {
    emulator.defineBlock({ packageName: "@test/chatty", logs: 250, durations: { running: 1_000 } })
    const taskID = await createTask(emulator, { packageName: "@test/chatty", inputValues: { n: 1 } })
    const page = async (n: number) => {
      const answer = await get(emulator, `${Api.paths.taskLogs(taskID)}?page=${n}`)
      return (answer.json as { logs: Array<Record<string, unknown>> }).logs
    }
    expect(await page(1)).toEqual([])
    emulator.advance(150 + 500)
    const halfway = (await page(1)).length + (await page(2)).length
    expect(halfway).toBeGreaterThan(0)
    expect(halfway).toBeLessThan(250)
    emulator.advance(1_000)
    const pages = [await page(1), await page(2), await page(3), await page(4)]
    expect(pages.map((p) => p.length)).toEqual([100, 100, 53, 0])
    const all = pages.flat()
    expect(all.slice(0, 250).every((entry) => entry["type"] === "BlockLog")).toBe(true)
    expect(all.slice(250).map((entry) => entry["type"])).toEqual(["BlockOutputs", "BlockFinished", "SessionFinished"])
    for (const field of ["stacks", "outputs", "result"]) {
      const raw = all.find((entry) => field in entry)![field]
      expect(typeof raw).toBe("string")
    }
    expect(JSON.parse(all[250]!["outputs"] as string)).toEqual([{ n: 1 }])
    // Decoded by the contract, the JSON text becomes values again.
    const decoded = decode(Logs.LogsResponse, { status: 200, json: { logs: all }, text: "", headers: new Headers() })
    const finished = decoded.logs[251]!
    expect(finished.type === "BlockFinished" && finished.result).toEqual([{ n: 1 }])
  })

  it("lets logs trail the status when told to", async () => {
    emulator.defineBlock({ packageName: "@test/slow-logs", logsLag: 5_000 })
    const taskID = await createTask(emulator, { packageName: "@test/slow-logs" })
    emulator.advance(1_000)
    expect((await result(taskID)).status).toBe("success")
    expect((await get(emulator, Api.paths.taskLogs(taskID))).json).toEqual({ logs: [] })
    emulator.advance(5_000)
    expect(((await get(emulator, Api.paths.taskLogs(taskID))).json as { logs: Array<unknown> }).logs).toHaveLength(6)
  })
})

describe("Emulator.layer under TestClock", () => {
  it.effect("runs the task lifecycle on the test's clock, over a real socket", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const request = (path: string, init: RequestInit = {}) =>
        Effect.promise(() =>
          fetch(`${emulator.url}${path}`, { ...init, headers: { authorization: "Bearer k", "content-type": "application/json" } })
            .then((response) => response.json() as Promise<Record<string, unknown>>)
        )
      const { taskID } = yield* request(Api.paths.tasks, { method: "POST", body: JSON.stringify(createBody()) })
      const id = String(taskID)
      expect(yield* request(Api.paths.taskResult(id))).toEqual({ status: "queued", progress: 0 })
      yield* TestClock.adjust("200 millis")
      expect((yield* request(Api.paths.taskResult(id)))["status"]).toBe("running")
      yield* TestClock.adjust("1 second")
      expect((yield* request(Api.paths.taskResult(id)))["status"]).toBe("success")
      expect(yield* request(Api.paths.task(id))).toMatchObject({ createdAt: 0, endTime: 350 })
    }).pipe(Effect.provide(Emulator.layer())))
})
