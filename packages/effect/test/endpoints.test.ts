import { CloudTaskClient } from "@oomol-cloud-task/effect"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Redacted, Result, Schema, Stream } from "effect"
import { clientLayer, listItem, mock } from "./mock.js"

const Client = CloudTaskClient.CloudTaskClient

const detail = {
  taskType: "user",
  taskID: "t/1",
  status: "running",
  progress: 50,
  workload: "serverless",
  workloadID: "w",
  schedulerPayload: {},
  createdAt: 1,
  startTime: 1,
  endTime: null,
  resultURL: null,
  failedMessage: null
}

/** A task with `count` log entries, served 100 a page. */
const pagedLogs = (count: number) => {
  const entries = Array.from({ length: count }, (_, i) => ({ type: "BlockLog", job_id: String(i), log: `line ${i}` }))
  const m = mock((request) => {
    const page = Number(request.url.searchParams.get("page"))
    return { json: { logs: entries.slice((page - 1) * 100, page * 100) } }
  })
  return { entries, m }
}

describe("request shapes", () => {
  it.effect("createTask sends only the wire fields, as serverless, with auth and default headers", () => {
    const m = mock(() => ({ json: { taskID: "t1" } }))
    return Effect.gen(function*() {
      const client = yield* Client
      const created = yield* client.createTask({
        packageName: "@oomol/p",
        packageVersion: "1.0.0",
        blockName: "main",
        inputValues: { text: "hi" },
        webhookUrl: "https://hook",
        metadata: { a: 1 }
      })
      expect(created).toEqual({ taskID: "t1" })
      const [request] = m.requests
      expect(request?.method).toBe("POST")
      expect(request?.url.href).toBe("https://api.test/v3/users/me/tasks")
      expect(JSON.parse(request?.body ?? "")).toEqual({
        type: "serverless",
        packageName: "@oomol/p",
        packageVersion: "1.0.0",
        blockName: "main",
        inputValues: { text: "hi" }
      })
      expect(request?.headers).toMatchObject({
        authorization: "Bearer secret-key",
        "x-client": "test",
        "content-type": "application/json",
        accept: "application/json"
      })
    }).pipe(
      Effect.provide(clientLayer(m, { apiKey: Redacted.make("secret-key"), defaultHeaders: { "x-client": "test" } }))
    )
  })

  it.effect("listTasks sends the filters given and drops empty ones", () => {
    const m = mock(() => ({ json: { tasks: [listItem("a")], nextToken: "n2" } }))
    return Effect.gen(function*() {
      const page = yield* (yield* Client).listTasks({
        size: 20,
        status: "running",
        taskType: "user",
        workload: "serverless",
        workloadID: "w",
        packageID: "",
        nextToken: ""
      })
      expect(page.nextToken).toBe("n2")
      expect(page.tasks[0]?.taskID).toBe("a")
      const url = m.requests[0]!.url
      expect(url.pathname).toBe("/v3/users/me/tasks")
      expect(Object.fromEntries(url.searchParams)).toEqual({
        size: "20",
        status: "running",
        taskType: "user",
        workload: "serverless",
        workloadID: "w"
      })
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("listTasks with no query sends no query string", () => {
    const m = mock(() => ({ json: { tasks: [], nextToken: null } }))
    return Effect.gen(function*() {
      yield* (yield* Client).listTasks()
      expect(m.requests[0]!.url.search).toBe("")
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("getLatestTasks trims and comma-joins workload IDs from an array or a string", () => {
    const m = mock(() => ({
      json: [{ taskID: "t", workloadID: "a", status: "queued", progress: 0, createdAt: 1, startTime: null, endTime: null }]
    }))
    return Effect.gen(function*() {
      const client = yield* Client
      const latest = yield* client.getLatestTasks([" a ", "b"])
      expect(latest[0]?.workloadID).toBe("a")
      yield* client.getLatestTasks(" a, b ")
      expect(m.requests.map((r) => r.url.searchParams.get("workloadIDs"))).toEqual(["a,b", "a,b"])
      expect(m.requests[0]!.url.pathname).toBe("/v3/users/me/tasks/latest")
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("getTask and getTaskDetail encode the task ID as one path segment", () => {
    const m = mock(() => ({ json: detail }))
    return Effect.gen(function*() {
      const client = yield* Client
      expect((yield* client.getTask("a/../b?c#d e")).taskID).toBe("t/1")
      yield* client.getTaskDetail("ü")
      expect(m.requests.map((r) => r.url.pathname)).toEqual([
        "/v3/users/me/tasks/a%2F..%2Fb%3Fc%23d%20e",
        "/v3/users/me/tasks/%C3%BC"
      ])
      expect(m.requests[0]!.url.search).toBe("")
      expect(m.requests[0]!.method).toBe("GET")
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("getTaskResult decodes resultData with the caller's schema", () => {
    const m = mock(() => ({ json: { status: "success", resultURL: "u", resultData: { pages: "3" }, traceID: "x" } }))
    return Effect.gen(function*() {
      const result = yield* (yield* Client).getTaskResult("t", {
        resultData: Schema.Struct({ pages: Schema.NumberFromString })
      })
      expect(result).toEqual({ status: "success", resultURL: "u", resultData: { pages: 3 }, traceID: "x" })
      expect(m.requests[0]!.url.pathname).toBe("/v3/users/me/tasks/t/result")
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("getTaskLogs asks for a page and decodes the JSON text inside entries", () => {
    const m = mock(() => ({ json: { logs: [{ type: "BlockOutputs", outputs: "{\"a\":1}" }] } }))
    return Effect.gen(function*() {
      const page = yield* (yield* Client).getTaskLogs("t", { page: 2 })
      expect(page.logs).toEqual([{ type: "BlockOutputs", outputs: { a: 1 } }])
      expect(m.requests[0]!.url.pathname).toBe("/v3/users/me/tasks/t/logs")
      expect(m.requests[0]!.url.searchParams.get("page")).toBe("2")
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("dashboard, pause and resume", () => {
    const m = mock((request) =>
      request.url.pathname.endsWith("dashboard")
        ? {
          json: {
            limits: { maxConcurrency: 2, maxQueueSize: 10 },
            count: { queued: 1, scheduling: 0, scheduled: 0, running: 2 },
            pause: { paused: false, type: null, canResume: false }
          }
        }
        : { json: { pauseType: request.url.pathname.endsWith("pause") ? "user" : null } }
    )
    return Effect.gen(function*() {
      const client = yield* Client
      expect((yield* client.getDashboard()).limits.maxConcurrency).toBe(2)
      expect(yield* client.pauseUserQueue()).toEqual({ pauseType: "user" })
      expect(yield* client.resumeUserQueue()).toEqual({ pauseType: null })
      expect(yield* client.setTasksPause(true)).toEqual({ pauseType: "user" })
      expect(yield* client.setTasksPause(false)).toEqual({ pauseType: null })
      expect(m.requests.map((r) => `${r.method} ${r.url.pathname} ${r.body ?? ""}`)).toEqual([
        "GET /v3/users/me/dashboard ",
        "POST /v3/user/pause {}",
        "POST /v3/user/resume {}",
        "POST /v3/user/pause {}",
        "POST /v3/user/resume {}"
      ])
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("listAllTasks follows nextToken across pages", () => {
    const pages: Record<string, { tasks: Array<unknown>; nextToken: string | null }> = {
      "": { tasks: [listItem("a"), listItem("b")], nextToken: "p2" },
      p2: { tasks: [listItem("c")], nextToken: "p3" },
      p3: { tasks: [], nextToken: null }
    }
    const m = mock((request) => ({ json: pages[request.url.searchParams.get("nextToken") ?? ""] }))
    return Effect.gen(function*() {
      const tasks = yield* Stream.runCollect((yield* Client).listAllTasks({ size: 2, status: "success" }))
      expect(tasks.map((t) => t.taskID)).toEqual(["a", "b", "c"])
      expect(m.requests.map((r) => r.url.searchParams.get("nextToken"))).toEqual([null, "p2", "p3"])
      expect(m.requests.every((r) => r.url.searchParams.get("status") === "success")).toBe(true)
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("listAllTasks stops when a page repeats its own token", () => {
    const m = mock(() => ({ json: { tasks: [listItem("a")], nextToken: "same" } }))
    return Effect.gen(function*() {
      const tasks = yield* Stream.runCollect((yield* Client).listAllTasks())
      expect(tasks.length).toBe(2)
      expect(m.requests).toHaveLength(2)
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("logs reads every page until an empty one", () => {
    const { entries, m } = pagedLogs(230)
    return Effect.gen(function*() {
      const all = yield* Stream.runCollect((yield* Client).logs("t"))
      expect(all.map((e) => e.job_id)).toEqual(entries.map((e) => e.job_id))
      expect(m.requests.map((r) => r.url.searchParams.get("page"))).toEqual(["1", "2", "3", "4"])
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("logs hands out each page as it is read: the first entry needs no more than the next page", () => {
    const { m } = pagedLogs(230)
    return Effect.gen(function*() {
      const first = yield* Stream.runHead((yield* Client).logs("t"))
      expect(first).toEqual(Option.some({ type: "BlockLog", job_id: "0", log: "line 0" }))
      expect(m.requests.map((r) => r.url.searchParams.get("page"))).toEqual(["1", "2"])
    }).pipe(Effect.provide(clientLayer(m)))
  })
})

describe("input rules: nothing is sent", () => {
  const m = mock(() => ({ json: {} }))
  const fails = <A, E extends { readonly _tag: string; readonly message: string }>(
    effect: Effect.Effect<A, E, CloudTaskClient.CloudTaskClient>,
    message: string
  ) =>
    Effect.gen(function*() {
      const before = m.requests.length
      const error = yield* Effect.flip(effect)
      expect(error._tag).toBe("InvalidInput")
      expect(error.message).toBe(message)
      expect(m.requests.length).toBe(before)
    })

  it.effect("page size", () =>
    Effect.gen(function*() {
      const client = yield* Client
      for (const size of [0, 101, 2.5]) {
        yield* fails(client.listTasks({ size }), "size must be an integer between 1 and 100")
      }
    }).pipe(Effect.provide(clientLayer(m))))

  it.effect("workload IDs", () =>
    Effect.gen(function*() {
      const client = yield* Client
      yield* fails(client.getLatestTasks([]), "workloadIDs cannot be empty")
      yield* fails(client.getLatestTasks(Array.from({ length: 51 }, (_, i) => `w${i}`)), "workloadIDs cannot exceed 50 items")
      yield* fails(client.getLatestTasks(["a", "  "]), "workloadIDs must not contain empty items")
      yield* fails(client.getLatestTasks("a,,b"), "workloadIDs must not contain empty items")
      // 50 IDs smuggled as one would pass the limit and split at the service.
      yield* fails(client.getLatestTasks([Array.from({ length: 60 }, (_, i) => `w${i}`).join(",")]), "workloadIDs items must not contain commas")
    }).pipe(Effect.provide(clientLayer(m))))

  it.effect("task IDs a URL would read as a path step", () =>
    Effect.gen(function*() {
      const client = yield* Client
      for (const id of ["", ".", ".."]) {
        yield* fails(client.getTask(id), "taskID must be a non-empty string other than \".\" or \"..\"")
        yield* fails(client.getTaskResult(id), "taskID must be a non-empty string other than \".\" or \"..\"")
        yield* fails(client.awaitResult(id), "taskID must be a non-empty string other than \".\" or \"..\"")
      }
    }).pipe(Effect.provide(clientLayer(m))))

  it.effect("logs page", () =>
    Effect.gen(function*() {
      yield* fails((yield* Client).getTaskLogs("t", { page: 0 }), "page must be an integer of at least 1")
    }).pipe(Effect.provide(clientLayer(m))))

  it.effect("task creation: names, and input JSON cannot carry", () =>
    Effect.gen(function*() {
      const client = yield* Client
      const base = { packageName: "p", packageVersion: "1", blockName: "b" }
      yield* fails(client.createTask({ ...base, packageName: "" }), "packageName must be a non-empty string")
      yield* fails(client.createTask({ ...base, inputValues: { f: () => 1 } }), "inputValues.f is a function, which JSON cannot carry")
      yield* fails(client.createTask({ ...base, inputValues: { n: Number.NaN } }), "inputValues.n is NaN, which JSON cannot carry")
      yield* fails(client.createTask({ ...base, inputValues: { big: 1n } }), "inputValues.big is a bigint, which JSON cannot carry")
      yield* fails(client.createTask({ ...base, inputValues: { m: new Map() } }), "inputValues.m is a Map, which JSON cannot carry")
      const loop: Record<string, unknown> = {}
      loop.self = loop
      yield* fails(client.createTask({ ...base, inputValues: { loop } }), "inputValues.loop.self refers to itself, which JSON cannot carry")
      yield* fails(
        client.createTask({ ...base, inputValues: { blob: "x".repeat(2048) } }),
        `the task's input is ${JSON.stringify({ type: "serverless", ...base, inputValues: { blob: "x".repeat(2048) } }).length} bytes as JSON; the limit is 1024`
      )
    }).pipe(Effect.provide(clientLayer(m, { maxInputBytes: 1024 }))))

  it.effect("a base URL that is not http(s) fails the layer", () =>
    Effect.gen(function*() {
      for (const baseUrl of ["ftp://host", "javascript:alert(1)", "not a url"]) {
        const error = yield* Effect.flip(CloudTaskClient.make({ baseUrl }).pipe(Effect.provide(m.layer)))
        expect(error.message).toBe("baseUrl must be an http:// or https:// URL")
      }
    }))
})

describe("settled results of many tasks", () => {
  it.effect("awaitAll settles each task, failures included", () => {
    const m = mock((request) => {
      const id = decodeURIComponent(request.url.pathname.split("/")[5]!)
      return id === "bad"
        ? { json: { status: "failed", error: "boom" } }
        : id === "gone"
        ? { status: 404, json: { message: "Task not found" } }
        : { json: { status: "success", resultURL: null, resultData: [{ id }] } }
    })
    return Effect.gen(function*() {
      const settled = yield* Stream.runCollect((yield* Client).awaitAll(["a", "bad", "gone"]))
      const byID = Object.fromEntries(settled.map((s) => [s.taskID, s.result]))
      expect(Result.getOrThrow(byID.a!).resultData).toEqual([{ id: "a" }])
      expect(Result.flip(byID.bad!).pipe(Result.getOrThrow)._tag).toBe("TaskFailed")
      const gone = Result.flip(byID.gone!).pipe(Result.getOrThrow)
      expect(gone._tag).toBe("ApiError")
      expect(gone.message).toBe("Task not found")
    }).pipe(Effect.provide(clientLayer(m)))
  })
})
