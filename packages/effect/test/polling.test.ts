import { CloudTaskClient, Errors, Polling, Retry } from "@oomol-cloud-task/effect"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Clock, Effect, Exit, Fiber, Option, Schedule, Schema, Stream } from "effect"
import { TestClock } from "effect/testing"
import { type Answer, clientLayer, mock, scripted, settle } from "./mock.js"
import { recordingTracer } from "./tracer.js"

const Client = CloudTaskClient.CloudTaskClient

const running = (progress: number): Answer => ({ json: { status: "running", progress } })
const success: Answer = { json: { status: "success", resultURL: "https://r", resultData: [{ ok: true }] } }

const gaps = (times: ReadonlyArray<number>) => times.slice(1).map((t, i) => t - times[i]!)

// Poll-level behaviour is shown with the request retry policy off, so each poll is one request.
const noRetry = { retry: Retry.never }

describe("schedules", () => {
  it.effect("fixed polls every interval, starting at once", () => {
    const { m, times } = scripted([running(10), running(20), running(30), success])
    return Effect.gen(function*() {
      const result = yield* settle((yield* Client).awaitResult("t", { schedule: Polling.fixed("2 seconds") }))
      expect(result.resultData).toEqual([{ ok: true }])
      expect(times).toEqual([0, 2000, 4000, 6000])
    }).pipe(Effect.provide(clientLayer(m, noRetry)))
  })

  it.effect("exponential waits base first, as Schedule.exponential does: min(cap, base × 1.5ⁿ) for n = 0, 1, …", () => {
    const { m, times } = scripted([running(0), running(0), running(0), running(0), running(0), success])
    return Effect.gen(function*() {
      yield* settle((yield* Client).awaitResult("t", { schedule: Polling.exponential({ base: "1 second", cap: "5 seconds" }) }))
      expect(gaps(times)).toEqual([1000, 1500, 2250, 3375, 5000])
    }).pipe(Effect.provide(clientLayer(m, noRetry)))
  })

  it.effect("the default polls every 3 s, as the official SDK's defaults do", () => {
    const { m, times } = scripted([running(0), running(50), success])
    return Effect.gen(function*() {
      yield* settle((yield* Client).awaitResult("t"))
      expect(gaps(times)).toEqual([3000, 3000])
    }).pipe(Effect.provide(clientLayer(m, noRetry)))
  })

  it.effect("any caller schedule is accepted", () => {
    const { m, times } = scripted([running(0), running(0), success])
    return Effect.gen(function*() {
      const schedule = Schedule.fibonacci("100 millis")
      yield* settle((yield* Client).awaitResult("t", { schedule }))
      expect(gaps(times)).toEqual([100, 100])
    }).pipe(Effect.provide(clientLayer(m, noRetry)))
  })

  it.effect("a schedule that ends before the task does fails with PollTimeout", () => {
    const { m } = scripted([running(0)])
    return Effect.gen(function*() {
      const error = yield* Effect.flip(settle((yield* Client).awaitResult("t", { schedule: Schedule.recurs(2) })))
      expect(error._tag).toBe("PollTimeout")
      expect(error.message).toBe("Task polling stopped: the polling schedule ended before the task finished")
      expect(m.requests).toHaveLength(3)
    }).pipe(Effect.provide(clientLayer(m, noRetry)))
  })
})

describe("watching", () => {
  it.effect("watch streams every in-progress status, then the terminal one, and stops polling", () => {
    const { m } = scripted([{ json: { status: "queued", progress: 0 } }, running(40), running(80), success])
    return Effect.gen(function*() {
      const statuses = yield* settle(Stream.runCollect((yield* Client).watch("t", { schedule: Polling.fixed("1 second") })))
      expect(statuses.map((s) => s.status)).toEqual(["queued", "running", "running", "success"])
      expect(m.requests).toHaveLength(4)
    }).pipe(Effect.provide(clientLayer(m, noRetry)))
  })

  it.effect("onProgress hears every in-progress answer", () => {
    const { m } = scripted([running(10), running(60), success])
    return Effect.gen(function*() {
      const heard: Array<string> = []
      yield* settle((yield* Client).awaitResult("t", {
        onProgress: (update) => Effect.sync(() => heard.push(`${update.status}:${update.progress}`))
      }))
      expect(heard).toEqual(["running:10", "running:60"])
    }).pipe(Effect.provide(clientLayer(m, noRetry)))
  })

  it.effect("an interrupt during the sleep ends the wait with no further poll", () => {
    const { m } = scripted([running(0)])
    return Effect.gen(function*() {
      const fiber = yield* Effect.forkChild((yield* Client).awaitResult("t"))
      yield* TestClock.adjust("4 seconds")
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust("1 hour")
      expect(m.requests).toHaveLength(2)
    }).pipe(Effect.provide(clientLayer(m, noRetry)))
  })
})

describe("failures while polling", () => {
  it.effect("transient failures are polled through: 503, a dropped connection, a garbled body, 429", () => {
    const { m } = scripted([
      { status: 503, json: { message: "busy" } },
      { drop: "reset" },
      { text: "<html>oops" },
      { json: { status: "running" } },
      { status: 429, headers: { "retry-after": "1" } },
      success
    ])
    return Effect.gen(function*() {
      const result = yield* settle((yield* Client).awaitResult("t"))
      expect(result.status).toBe("success")
      expect(m.requests).toHaveLength(6)
    }).pipe(Effect.provide(clientLayer(m, noRetry)))
  })

  for (const status of [401, 403, 404]) {
    it.effect(`a ${status} ends the wait at once`, () => {
      const { m } = scripted([running(5), { status, json: { message: `nope ${status}` } }, success])
      return Effect.gen(function*() {
        const error = yield* Effect.flip(settle((yield* Client).awaitResult("t")))
        expect(error._tag).toBe("ApiError")
        expect(error.message).toBe(`nope ${status}`)
        expect(m.requests).toHaveLength(2)
      }).pipe(Effect.provide(clientLayer(m, noRetry)))
    })
  }

  it.effect("a timeout follows the official wording and carries the last polling error", () => {
    const { m } = scripted([running(0), { status: 503, json: { message: "upstream down" } }, running(1)])
    return Effect.gen(function*() {
      // The official rule gives up once more than the timeout has passed: the
      // poll due at exactly 2 minutes still goes out. Polls at 0, 3, …, 120 s: 41.
      const error = yield* Effect.flip(settle((yield* Client).awaitResult("t", { timeout: "2 minutes" })))
      expect(error._tag).toBe("PollTimeout")
      expect(error.message).toBe("Task polling timeout after 2 minutes. Last polling request error: upstream down")
      expect(m.requests.length).toBe(41)
    }).pipe(Effect.provide(clientLayer(m, noRetry)))
  })

  it.effect("a poll due exactly at the timeout goes out, and its answer counts", () => {
    // Polls every 3 s; the 41st, at 120 s, finds the task done.
    const { m } = scripted([...Array.from({ length: 40 }, () => running(50)), success])
    return Effect.gen(function*() {
      const result = yield* settle((yield* Client).awaitResult("t", { timeout: "2 minutes" }))
      expect(result.status).toBe("success")
      expect(m.requests.length).toBe(41)
    }).pipe(Effect.provide(clientLayer(m, noRetry)))
  })

  it.effect("a request still running once the timeout has passed is cut off", () => {
    const { m } = scripted([running(0), running(0), running(0), { hang: true }])
    return Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(
        (yield* Client).awaitResult("t", { schedule: Polling.fixed("3 seconds"), timeout: "10 seconds" })
      )
      // The 4th poll goes out at 9 s and hangs; the timeout cuts it off just after 10 s.
      yield* TestClock.adjust("11 seconds")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error.message).toBe("Task polling timeout after 1 minutes")
      expect(m.requests).toHaveLength(4)
    }).pipe(Effect.provide(clientLayer(m, noRetry)))
  })

  it.effect("PollTimeout keeps the last polling error itself, typed: the service was down, or answered garbage", () => {
    const down = scripted([{ status: 503, json: { message: "upstream down" } }])
    const garbled = scripted([{ text: "<html>oops" }])
    return Effect.gen(function*() {
      const timeout = (m: typeof down.m) =>
        Effect.flip(settle(Effect.flatMap(Client, (c) => c.awaitResult("t", { timeout: "1 minute" })))).pipe(
          Effect.flatMap((error) => error._tag === "PollTimeout" ? Effect.succeed(error) : Effect.die(error)),
          Effect.provide(clientLayer(m, noRetry))
        )
      const first = yield* timeout(down.m)
      expect(first.lastError).toBeInstanceOf(Errors.ApiError)
      expect(first.lastError?._tag === "ApiError" && first.lastError.status).toBe(503)
      const second = yield* timeout(garbled.m)
      expect(second.lastError?._tag).toBe("MalformedResponse")
      expect(second.message).toBe(`Task polling timeout after 1 minutes. Last polling request error: ${second.lastError?.message}`)
    })
  })

  it.effect("a timeout with no polling error, rounded to at least a minute, strikes during the sleep", () => {
    const { m } = scripted([running(0)])
    return Effect.gen(function*() {
      const fiber = yield* Effect.forkChild((yield* Client).awaitResult("t", { timeout: "10 seconds" }))
      yield* TestClock.adjust("10 seconds")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error.message).toBe("Task polling timeout after 1 minutes")
      expect(m.requests).toHaveLength(4)
    }).pipe(Effect.provide(clientLayer(m, noRetry)))
  })

  it.effect("a redirect ends the wait at once: the client never follows one, so it would answer the same for ever", () => {
    const { m } = scripted([running(5), { status: 302, headers: { location: "https://elsewhere.test/" } }, success])
    return Effect.gen(function*() {
      const error = yield* Effect.flip(settle((yield* Client).awaitResult("t")))
      expect(error).toMatchObject({ _tag: "ApiError", status: 302 })
      expect(m.requests).toHaveLength(2)
    }).pipe(Effect.provide(clientLayer(m, noRetry)))
  })

  it.effect("a failed task is a TaskFailed; a quota reason is INSUFFICIENT_QUOTA with 402", () => {
    const reasons: Record<string, string | null> = { a: "Insufficient balance", b: "余额不足", c: "division by zero", d: null }
    const m = mock((request) => ({ json: { status: "failed", error: reasons[request.url.pathname.split("/")[5]!] } }))
    return Effect.gen(function*() {
      const client = yield* Client
      const [a, b, c, d] = yield* Effect.forEach(["a", "b", "c", "d"], (id) => Effect.flip(client.awaitResult(id)))
      expect(a).toMatchObject({ _tag: "TaskFailed", taskID: "a", code: "INSUFFICIENT_QUOTA", statusCode: 402 })
      expect(a?.message).toBe("Task failed: Insufficient balance")
      expect(b).toMatchObject({ code: "INSUFFICIENT_QUOTA", statusCode: 402 })
      expect(c).toMatchObject({ _tag: "TaskFailed", message: "Task failed: division by zero", reason: "division by zero" })
      expect(c).not.toHaveProperty("code")
      expect(d).toMatchObject({ message: "Task failed: Unknown error", reason: null, detail: { status: "failed", error: null } })
    }).pipe(Effect.provide(clientLayer(m, noRetry)))
  })

  it.effect("createAndWait creates once and returns the task ID with its result", () => {
    const m = mock((request) => (request.method === "POST" ? { json: { taskID: "new" } } : success))
    return Effect.gen(function*() {
      const { result, taskID } = yield* (yield* Client).createAndWait({ packageName: "p", packageVersion: "1", blockName: "b" })
      expect(taskID).toBe("new")
      expect(result.resultURL).toBe("https://r")
      expect(m.requests.map((r) => `${r.method} ${r.url.pathname}`)).toEqual([
        "POST /v3/users/me/tasks",
        "GET /v3/users/me/tasks/new/result"
      ])
    }).pipe(Effect.provide(clientLayer(m)))
  })
})

describe("a result whose data does not match its schema", () => {
  const Pages = Schema.Struct({ pages: Schema.Number })
  const wrongShape: Answer = { json: { status: "success", resultURL: "https://r", resultData: { pages: "three" } } }

  /** Forks `effect` and moves the clock less than one poll interval: it must have ended by then. */
  const withinOnePoll = <A, E>(effect: Effect.Effect<A, E, CloudTaskClient.CloudTaskClient>) =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(effect)
      yield* TestClock.adjust("1 second")
      const exit = fiber.pollUnsafe()
      expect(exit, "still waiting after the first poll").toBeDefined()
      return exit!
    })

  const mismatchOf = <A, E>(exit: Exit.Exit<A, E>) =>
    Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined

  it.effect("awaitResult, with no timeout, fails at once with ResultDataMismatch: one poll", () => {
    const { m } = scripted([wrongShape])
    return Effect.gen(function*() {
      const exit = yield* withinOnePoll(Effect.flatMap(Client, (c) => c.awaitResult("t-7", { resultData: Pages })))
      const error = mismatchOf(exit)
      expect(error).toBeInstanceOf(Errors.ResultDataMismatch)
      expect(error).toMatchObject({
        _tag: "ResultDataMismatch",
        taskID: "t-7",
        issue: "pages: Expected number, got \"three\"",
        resultData: { pages: "three" },
        message: "Task t-7 succeeded, but its resultData does not match the schema: pages: Expected number, got \"three\""
      })
      expect(m.requests).toHaveLength(1)
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("the default schema (a list of objects) is held the same way", () => {
    const { m } = scripted([{ json: { status: "success", resultURL: null, resultData: "not a list" } }])
    return Effect.gen(function*() {
      const exit = yield* withinOnePoll(Effect.flatMap(Client, (c) => c.awaitResult("t")))
      expect(mismatchOf(exit)).toMatchObject({ _tag: "ResultDataMismatch", resultData: "not a list" })
      expect(m.requests).toHaveLength(1)
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("createAndWait and watch end the same way; getTaskResult fails with it too", () => {
    const m = mock((request) => (request.method === "POST" ? { json: { taskID: "new" } } : wrongShape))
    return Effect.gen(function*() {
      const created = mismatchOf(yield* withinOnePoll(Effect.flatMap(Client, (c) =>
        c.createAndWait({ packageName: "p", packageVersion: "1", blockName: "b" }, { resultData: Pages })
      )))
      expect(created).toMatchObject({ _tag: "ResultDataMismatch", taskID: "new" })
      const watched = mismatchOf(yield* withinOnePoll(Effect.flatMap(Client, (c) =>
        Stream.runCollect(c.watch("w", { resultData: Pages }))
      )))
      expect(watched).toMatchObject({ _tag: "ResultDataMismatch", taskID: "w" })
      const read = yield* Effect.flip(Effect.flatMap(Client, (c) => c.getTaskResult("r", { resultData: Pages })))
      expect(read).toMatchObject({ _tag: "ResultDataMismatch", taskID: "r", resultData: { pages: "three" } })
      expect(m.requests.map((r) => r.method)).toEqual(["POST", "GET", "GET", "GET"])
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("data that matches is decoded, extra fields of the answer kept", () => {
    const { m } = scripted([{ json: { status: "success", resultURL: null, resultData: { pages: 3 }, traceID: "x" } }])
    return Effect.gen(function*() {
      const result = yield* (yield* Client).awaitResult("t", { resultData: Pages })
      expect(result).toEqual({ status: "success", resultURL: null, resultData: { pages: 3 }, traceID: "x" })
    }).pipe(Effect.provide(clientLayer(m)))
  })
})

describe("logs --follow", () => {
  it.effect("ends once the task has ended, whatever its result data", () => {
    const m = mock((request) =>
      request.url.pathname.endsWith("/result")
        ? { json: { status: "success", resultURL: null, resultData: "not a list" } }
        : { json: { logs: Number(request.url.searchParams.get("page")) === 1 ? [{ type: "BlockLog", log: "done" }] : [] } }
    )
    return Effect.gen(function*() {
      const entries = yield* settle(Stream.runCollect((yield* Client).logs("t", { follow: true })))
      expect(entries).toEqual([{ type: "BlockLog", log: "done" }])
    }).pipe(Effect.provide(clientLayer(m, noRetry)))
  })

  it.effect("reads new entries as they come until the task has ended, then once more", () => {
    // Entries appear over time; the task ends at 6 s; one late entry lands after that.
    const at = (now: number) => [
      ...(now >= 0 ? [{ type: "BlockLog", job_id: "1", log: "a" }] : []),
      ...(now >= 3000 ? [{ type: "BlockLog", job_id: "2", log: "b" }] : []),
      ...(now >= 6000 ? [{ type: "BlockLog", job_id: "3", log: "c" }] : []),
      ...(now >= 7000 ? [{ type: "SessionFinished", job_id: "4" }] : [])
    ]
    const m = mock((request) =>
      Effect.map(Clock.currentTimeMillis, (now): Answer => {
        if (request.url.pathname.endsWith("/result")) return now >= 6000 ? success : running(now / 100)
        return Number(request.url.searchParams.get("page")) === 1 ? { json: { logs: at(now) } } : { json: { logs: [] } }
      })
    )
    return Effect.gen(function*() {
      const entries = yield* settle(Stream.runCollect((yield* Client).logs("t", { follow: true })))
      expect(entries.map((e) => e.job_id)).toEqual(["1", "2", "3", "4"])
    }).pipe(Effect.provide(clientLayer(m, noRetry)))
  })
})

describe("tracing", () => {
  it.effect("each endpoint runs in a span named after it, with the task ID", () => {
    const m = mock(() => success)
    const { spans, tracer } = recordingTracer()
    return Effect.gen(function*() {
      yield* (yield* Client).getTaskResult("t-42")
      const span = spans.find((s) => s.name === "CloudTaskClient.getTaskResult")
      expect(span?.attributes.get("oomol.task.id")).toBe("t-42")
    }).pipe(Effect.provide(clientLayer(m)), Effect.withTracer(tracer))
  })
})

describe("a timeout that strikes while a poll is being tried again", () => {
  it.effect("still names the poll's failure: PollTimeout carries it and says it", () => {
    // Answered 503 every time: the default policy tries the first poll again
    // after about 0.5 s, then 1 s; the 1 s timeout strikes during that wait.
    const { m } = scripted([{ status: 503, json: { message: "server busy" } }])
    return Effect.gen(function*() {
      const error = yield* Effect.flip(settle((yield* Client).awaitResult("t", { timeout: "1 second" })))
      expect(m.requests.length).toBeLessThan(4)
      expect(error).toMatchObject({ _tag: "PollTimeout" })
      const timeout = error as Errors.PollTimeout
      expect(timeout.lastError).toMatchObject({ _tag: "ApiError", status: 503 })
      expect(timeout.message).toBe("Task polling timeout after 1 minutes. Last polling request error: server busy")
    }).pipe(Effect.provide(clientLayer(m)))
  })
})
