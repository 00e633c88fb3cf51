/**
 * The retry policy end to end, under `TestClock` against the in-process
 * emulator (whose time is the test's): when each try reached the service, as
 * the emulator logged it. `Retry-After` in seconds or as an HTTP date is
 * waited for, up to the policy's cap; a task creation is tried again only
 * after a refusal; a caller's schedule replaces the policy.
 */
import { CloudTaskClient, type Errors, Retry } from "@oomol-cloud-task/effect"
import { Emulator, Fault, type Route } from "@oomol-cloud-task/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Duration, Effect, type Exit, Fiber, Layer, Option, Redacted, Schedule } from "effect"
import { TestClock } from "effect/testing"

const Client = CloudTaskClient.CloudTaskClient
const task = { packageName: "@test/retry", packageVersion: "1.0.0", blockName: "main" }

const clientWith = (options: CloudTaskClient.Options = {}) =>
  CloudTaskClient.layer({
    apiKey: Redacted.make("k"),
    baseUrl: Emulator.IN_PROCESS_URL,
    uploadBaseUrl: Emulator.IN_PROCESS_UPLOAD_BASE_URL,
    ...options
  }).pipe(Layer.provideMerge(Emulator.layerClient()), Layer.orDie)

/** Runs `effect` while the clock moves an hour, then answers its exit and when `route` was reached. */
const timed = <A, E>(route: Route.RouteName, effect: Effect.Effect<A, E, CloudTaskClient.CloudTaskClient>) =>
  Effect.gen(function*() {
    const emulator = yield* Emulator.Emulator
    const before = (yield* emulator.requestLog(route)).length
    const start = yield* emulator.now()
    const fiber = yield* Effect.forkChild(effect)
    yield* TestClock.adjust("1 hour")
    const exit = yield* Fiber.await(fiber)
    const at = (yield* emulator.requestLog(route)).slice(before).map((r) => r.at - start)
    return { exit, at }
  })

describe("Retry-After, end to end", () => {
  it.effect("in seconds: the next try comes that many seconds later", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.fault("getTaskResult", Fault.tooManyRequests(7))
      const { taskID } = yield* (yield* Client).createTask(task)
      const { at, exit } = yield* timed("getTaskResult", Effect.flatMap(Client, (c) => c.getTaskResult(taskID)))
      expect(exit._tag).toBe("Success")
      expect(at).toEqual([0, 7_000])
    }).pipe(Effect.provide(clientWith())))

  it.effect("as an HTTP date: the next try comes at that date", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const now = yield* emulator.now()
      yield* emulator.fault("dashboard", Fault.status(503, { retryAfter: new Date(now + 12_000).toUTCString() }))
      const { at, exit } = yield* timed("dashboard", Effect.flatMap(Client, (c) => c.getDashboard()))
      expect(exit._tag).toBe("Success")
      expect(at).toEqual([0, 12_000])
    }).pipe(Effect.provide(clientWith())))

  it.effect("a shorter Retry-After than the backoff waits the backoff", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.fault("dashboard", Fault.tooManyRequests(0))
      const { at } = yield* timed("dashboard", Effect.flatMap(Client, (c) => c.getDashboard()))
      expect(at).toHaveLength(2)
      // The first backoff: 500 ms ± 20 % jitter.
      expect(Math.round(at[1]!)).toBeGreaterThanOrEqual(400)
      expect(Math.round(at[1]!)).toBeLessThanOrEqual(600)
    }).pipe(Effect.provide(clientWith())))

  it.effect("a creation refused with 429 is sent again after Retry-After, and made once", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.fault("createTask", Fault.tooManyRequests(5))
      const { at, exit } = yield* timed("createTask", Effect.flatMap(Client, (c) => c.createTask(task)))
      expect(exit._tag).toBe("Success")
      expect(at).toEqual([0, 5_000])
      expect(yield* emulator.createdTasks()).toBe(1)
    }).pipe(Effect.provide(clientWith())))

  it.effect("a Retry-After past the cap ends the retries at once; the error keeps the wait", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      for (const route of ["getTask", "createTask"] as const) {
        yield* emulator.fault(route, Fault.sticky(Fault.tooManyRequests(120)))
      }
      const get = yield* timed("getTask", Effect.flatMap(Client, (c) => c.getTask("t")))
      const create = yield* timed("createTask", Effect.flatMap(Client, (c) => c.createTask(task)))
      const outcomes: ReadonlyArray<{ readonly at: ReadonlyArray<number>; readonly exit: Exit.Exit<unknown, Errors.CloudTaskError> }> = [get, create]
      for (const { at, exit } of outcomes) {
        expect(at).toEqual([0])
        expect(exit).toMatchObject({ _tag: "Failure", cause: { reasons: [{ _tag: "Fail", error: { _tag: "ApiError", status: 429 } }] } })
        const error = exit._tag === "Failure" ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined
        expect(error?._tag === "ApiError" && error.retryAfter && Duration.toSeconds(error.retryAfter)).toBe(120)
      }
      expect(yield* emulator.createdTasks()).toBe(0)
    }).pipe(Effect.provide(clientWith())))

  it.effect("the cap is the caller's: maxRetryAfter", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.fault("dashboard", Fault.tooManyRequests(120))
      const { at, exit } = yield* timed("dashboard", Effect.flatMap(Client, (c) => c.getDashboard()))
      expect(exit._tag).toBe("Success")
      expect(at).toEqual([0, 120_000])
    }).pipe(Effect.provide(clientWith({ retry: Retry.make({ maxRetryAfter: "5 minutes" }) }))))
})

describe("the policy, end to end", () => {
  it.effect("a failure that keeps coming: 3 more tries, backing off 0.5, 1, 2 s with jitter", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.fault("getTaskLogs", Fault.sticky(Fault.status(502)))
      const { at, exit } = yield* timed("getTaskLogs", Effect.flatMap(Client, (c) => c.getTaskLogs("t")))
      expect(exit).toMatchObject({ _tag: "Failure", cause: { reasons: [{ _tag: "Fail", error: { _tag: "ApiError", status: 502 } }] } })
      expect(at).toHaveLength(4)
      const waits = at.slice(1).map((t, i) => Math.round(t - at[i]!))
      ;[500, 1000, 2000].forEach((wait, i) => {
        expect(waits[i]).toBeGreaterThanOrEqual(wait * 0.8)
        expect(waits[i]).toBeLessThanOrEqual(wait * 1.2)
      })
    }).pipe(Effect.provide(clientWith())))

  it.effect("a creation answered 503 is not sent again", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.fault("createTask", Fault.sticky(Fault.status(503)))
      const { at, exit } = yield* timed("createTask", Effect.flatMap(Client, (c) => c.createTask(task)))
      expect(at).toEqual([0])
      expect(exit).toMatchObject({ _tag: "Failure", cause: { reasons: [{ _tag: "Fail", error: { _tag: "TaskMayExist", status: 503 } }] } })
    }).pipe(Effect.provide(clientWith())))

  // Each caller's policy and the waits between tries it allows (jitter: ±20 %, never above a cap).
  const policies: ReadonlyArray<readonly [string, Retry.RetryPolicy, ReadonlyArray<readonly [number, number]>]> = [
    ["Retry.never", Retry.never, []],
    ["a fixed schedule", Schedule.max([Schedule.spaced("3 seconds"), Schedule.recurs(2)]), [[3_000, 3_000], [3_000, 3_000]]],
    ["Retry.make({ times: 5, base, cap })", Retry.make({ times: 5, base: "1 second", cap: "1 second" }), Array(5).fill([800, 1_000])]
  ]
  for (const [name, retry, waits] of policies) {
    it.effect(`${name} replaces the policy`, () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        yield* emulator.fault("pause", Fault.sticky(Fault.status(500)))
        const { at } = yield* timed("pause", Effect.flatMap(Client, (c) => c.pauseUserQueue()))
        expect(at).toHaveLength(waits.length + 1)
        at.slice(1).forEach((t, i) => {
          // Jittered waits are fractions of a millisecond.
          expect(Math.round(t - at[i]!)).toBeGreaterThanOrEqual(waits[i]![0])
          expect(Math.round(t - at[i]!)).toBeLessThanOrEqual(waits[i]![1])
        })
      }).pipe(Effect.provide(clientWith({ retry }))))
  }
})
