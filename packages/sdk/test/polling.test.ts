import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import {
  ApiError,
  BackoffStrategy,
  RunTaskError,
  RunTaskErrorCode,
  TaskFailedError,
  TimeoutError
} from "oomol-cloud-task-sdk"
import { schedule } from "../src/internal/options.js"
import { clientWith, type Reply, running, scriptedFetch, success } from "./support/fetch.js"


/** Answers the i-th poll with `script[i]`, the last one after that. */
const polls = (script: ReadonlyArray<Reply>) => scriptedFetch((_call, i) => script[Math.min(i, script.length - 1)]!)

const rejection = (promise: Promise<unknown>) => promise.then(() => expect.unreachable("resolved"), (e: unknown) => e)

const fast = { intervalMs: 1, backoff: { strategy: BackoffStrategy.Fixed } }

describe("intervalMs and backoff map onto the Effect client's schedules", () => {
  // The delay after each of n polls, all stepped at the same instant.
  const delays = (options: Parameters<typeof schedule>[0], n = 5) =>
    Effect.gen(function*() {
      const step = yield* Schedule.toStep(schedule(options))
      const out: Array<number> = []
      for (let i = 0; i < n; i++) {
        const [, delay] = yield* step(0, i)
        out.push(Duration.toMillis(delay))
      }
      return out
    })

  it.effect("the default: exponential from 3000 ms capped at 3000 ms, a poll every 3 s", () =>
    Effect.map(delays({}), (d) => expect(d).toEqual([3000, 3000, 3000, 3000, 3000])))

  it.effect("fixed: intervalMs every time, maxIntervalMs ignored", () =>
    Effect.map(delays({ intervalMs: 500, backoff: { strategy: BackoffStrategy.Fixed, maxIntervalMs: 100 } }), (d) =>
      expect(d).toEqual([500, 500, 500, 500, 500])))

  it.effect("exponential: min(maxIntervalMs, intervalMs × 1.5ⁿ) for n = 1, 2, …", () =>
    Effect.map(delays({ intervalMs: 1000, backoff: { strategy: "exp", maxIntervalMs: 4000 } }), (d) =>
      expect(d).toEqual([1500, 2250, 3375, 4000, 4000])))

  it.effect("a cap below the base caps every wait, as the official min() does", () =>
    Effect.map(delays({ intervalMs: 2000, backoff: { maxIntervalMs: 500 } }, 3), (d) => expect(d).toEqual([500, 500, 500])))

  it.effect("an interval that is not a finite number ≥ 0 falls back to the default", () =>
    Effect.map(delays({ intervalMs: Number.NaN, backoff: { strategy: "fixed" } }, 2), (d) => expect(d).toEqual([3000, 3000])))
})

describe("awaitResult", () => {
  it("reports every in-progress answer as (progress, status) and resolves the success result", async () => {
    const s = polls([{ json: { status: "queued", progress: 0 } }, running(40), running(80), success])
    const heard: Array<string> = []
    const result = await clientWith(s.fetch).awaitResult("t", {
      ...fast,
      onProgress: (progress, status) => heard.push(`${status}:${progress}`)
    })
    expect(heard).toEqual(["queued:0", "running:40", "running:80"])
    expect(result).toEqual({ status: "success", resultURL: "https://r.test/out", resultData: [{ ok: true }] })
    expect(s.calls.every((c) => c.url.pathname === "/v3/users/me/tasks/t/result")).toBe(true)
  })

  it("passes resultData through unchecked, typed as the caller says", async () => {
    const s = polls([{ json: { status: "success", resultURL: null, resultData: { pages: 3 } } }])
    const result = await clientWith(s.fetch).awaitResult<{ pages: number }>("t")
    expect(result.status === "success" && result.resultData?.pages).toBe(3)
  })

  it("a failed task is a TaskFailedError, a RunTaskError, with the official fields", async () => {
    const s = polls([running(10), { json: { status: "failed", error: "Insufficient balance" } }])
    const error = await rejection(clientWith(s.fetch).awaitResult("t-9", fast))
    expect(error).toBeInstanceOf(TaskFailedError)
    expect(error).toBeInstanceOf(RunTaskError)
    expect(error).toMatchObject({
      taskID: "t-9",
      code: RunTaskErrorCode.INSUFFICIENT_QUOTA,
      statusCode: 402,
      message: "Task failed: Insufficient balance",
      detail: { status: "failed", error: "Insufficient balance" }
    })
    expect(String(error)).toBe("TaskFailedError: Task failed: Insufficient balance")
  })

  it("a failure without a quota reason has no code; without a reason reads Unknown error", async () => {
    const plain = await rejection(clientWith(polls([{ json: { status: "failed", error: "boom" } }]).fetch).awaitResult("a"))
    expect(plain).toMatchObject({ message: "Task failed: boom", code: undefined, statusCode: undefined })
    const silent = await rejection(clientWith(polls([{ json: { status: "failed", error: null } }]).fetch).awaitResult("b"))
    expect((silent as Error).message).toBe("Task failed: Unknown error")
  })

  it("polls through failures that can heal: a 503, a dropped connection, a garbled body", async () => {
    const s = polls([{ status: 503, json: { message: "busy" } }, { fail: new TypeError("fetch failed") }, { text: "<html>" }, success])
    expect((await clientWith(s.fetch).awaitResult("t", fast)).status).toBe("success")
    expect(s.calls).toHaveLength(4)
  })

  for (const status of [401, 403, 404]) {
    it(`a ${status} ends the wait as an ApiError instead of polling forever`, async () => {
      const s = polls([running(5), { status, json: { message: `refused ${status}` } }, success])
      const error = await rejection(clientWith(s.fetch).awaitResult("t", fast))
      expect(error).toBeInstanceOf(ApiError)
      expect(error).toMatchObject({ status, message: `refused ${status}` })
      expect(s.calls).toHaveLength(2)
    })
  }

  it("an onProgress that throws rejects the wait with what it threw", async () => {
    const boom = new Error("callback broke")
    const s = polls([running(1), success])
    const error = await rejection(clientWith(s.fetch).awaitResult("t", { ...fast, onProgress: () => { throw boom } }))
    expect(error).toBe(boom)
  })

  it("createAndWait creates once and resolves { taskID, result }", async () => {
    const s = scriptedFetch((call, i) => (call.method === "POST" ? { json: { taskID: "new" } } : i < 2 ? running(50) : success))
    const heard: Array<number> = []
    const { taskID, result } = await clientWith(s.fetch).createAndWait(
      { packageName: "p", packageVersion: "1", blockName: "b" },
      { ...fast, onProgress: (p) => heard.push(p) }
    )
    expect(taskID).toBe("new")
    expect(result.status).toBe("success")
    expect(heard).toEqual([50])
    expect(s.calls.filter((c) => c.method === "POST")).toHaveLength(1)
  })
})

describe("timeouts", () => {
  it("only a number > 0 sets a timeout", async () => {
    for (const timeoutMs of [0, -5]) {
      const s = polls([running(1), running(2), success])
      expect((await clientWith(s.fetch).awaitResult("t", { ...fast, timeoutMs })).status).toBe("success")
    }
  })

  it("a timeout during the sleep between polls is a TimeoutError with the official wording", async () => {
    const s = polls([running(1)])
    const error = await rejection(clientWith(s.fetch).awaitResult("t", { intervalMs: 60_000, timeoutMs: 200 }))
    expect(error).toBeInstanceOf(TimeoutError)
    expect((error as Error).message).toBe("Task polling timeout after 1 minutes")
    expect(s.calls).toHaveLength(1)
  })

  it("the message carries the last polling error", async () => {
    const s = polls([{ status: 503, json: { message: "upstream down" } }])
    const error = await rejection(clientWith(s.fetch).awaitResult("t", { intervalMs: 60_000, timeoutMs: 200 }))
    expect(error).toBeInstanceOf(TimeoutError)
    expect((error as Error).message).toBe("Task polling timeout after 1 minutes. Last polling request error: upstream down")
  })

  it("a timeout during a request that hangs is a TimeoutError too", async () => {
    const s = polls([{ hang: true }])
    const error = await rejection(clientWith(s.fetch).awaitResult("t", { timeoutMs: 200 }))
    expect(error).toBeInstanceOf(TimeoutError)
    expect(s.calls[0]!.signal?.aborted).toBe(true)
  })
})

describe("abort", () => {
  const isAbortError = (error: unknown) => {
    expect(error).toBeInstanceOf(DOMException)
    expect(error).toMatchObject({ name: "AbortError", message: "The operation was aborted." })
  }

  it("an already aborted signal rejects at once and sends nothing", async () => {
    const s = polls([success])
    const error = await rejection(clientWith(s.fetch).awaitResult("t", { signal: AbortSignal.abort() }))
    isAbortError(error)
    expect(s.calls).toHaveLength(0)
  })

  it("an abort during the sleep between polls rejects at once, with the signal's reason as cause", async () => {
    const s = polls([running(1)])
    const controller = new AbortController()
    const reason = new Error("user left")
    const error = await rejection(clientWith(s.fetch).awaitResult("t", {
      intervalMs: 60_000,
      signal: controller.signal,
      onProgress: () => setTimeout(() => controller.abort(reason), 10)
    }))
    isAbortError(error)
    expect((error as Error).cause).toBe(reason)
    expect(s.calls).toHaveLength(1)
  })

  it("an abort during a request cancels the fetch too", async () => {
    const s = polls([{ hang: true }])
    const controller = new AbortController()
    const pending = rejection(clientWith(s.fetch).awaitResult("t", { signal: controller.signal }))
    while (s.calls.length === 0) await new Promise((r) => setTimeout(r, 5))
    controller.abort()
    isAbortError(await pending)
    expect(s.calls[0]!.signal?.aborted).toBe(true)
  })

  it("an abort wins over a timeout set on the same wait", async () => {
    const s = polls([running(1)])
    const error = await rejection(
      clientWith(s.fetch).awaitResult("t", { intervalMs: 60_000, timeoutMs: 60_000, signal: AbortSignal.timeout(50) })
    )
    isAbortError(error)
  })

  it("getTaskResult(taskID, signal) and every one-request method honour a signal", async () => {
    const s = scriptedFetch(() => ({ hang: true }))
    const client = clientWith(s.fetch)
    const calls: Array<(signal: AbortSignal) => Promise<unknown>> = [
      (signal) => client.getTaskResult("t", signal),
      (signal) => client.getTask("t", { signal }),
      (signal) => client.listTasks({}, { signal }),
      (signal) => client.getLatestTasks(["w"], { signal }),
      (signal) => client.getDashboard({ signal }),
      (signal) => client.pauseUserQueue({ signal }),
      (signal) => client.getTaskLogs("t", { signal }),
      (signal) => client.createTask({ packageName: "p", packageVersion: "1", blockName: "b" }, { signal }),
      (signal) => client.createAndWait({ packageName: "p", packageVersion: "1", blockName: "b" }, { signal })
    ]
    for (const call of calls) {
      const controller = new AbortController()
      const before = s.calls.length
      const pending = rejection(call(controller.signal))
      while (s.calls.length === before) await new Promise((r) => setTimeout(r, 5))
      controller.abort()
      isAbortError(await pending)
    }
  })
})

describe("a timeout while a poll is being tried again (retries on)", () => {
  it("names the poll's failure, as the official SDK names the last polling error", async () => {
    const s = polls([{ status: 503, json: { message: "server busy" } }])
    const error = await rejection(clientWith(s.fetch, { retries: 3 }).awaitResult("t", { intervalMs: 60_000, timeoutMs: 300 }))
    expect(error).toBeInstanceOf(TimeoutError)
    expect(s.calls.length).toBeLessThan(4)
    expect((error as Error).message).toBe("Task polling timeout after 1 minutes. Last polling request error: server busy")
  })
})
