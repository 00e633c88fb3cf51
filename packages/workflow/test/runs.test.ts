/**
 * A durable run on Effect's in-memory workflow engine, against the emulator
 * served in process, on the test's clock: creation once per run, waiting on
 * the run's schedule, typed outcomes, and start / await / poll / cancel.
 */
import { CloudTaskClient } from "@oomol-cloud-task/effect"
import { Emulator, Fault } from "@oomol-cloud-task/emulator"
import { PollSchedule, TaskRuns } from "@oomol-cloud-task/workflow"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Option, Schema } from "effect"
import { TestClock } from "effect/testing"
import { drive, memoryLayer, request, settle, settleUntil } from "./support.js"

const Runs = TaskRuns.make()

const gaps = (times: ReadonlyArray<number>) => times.slice(1).map((t, i) => t - times[i]!)

const pollTimes = Effect.flatMap(Emulator.Emulator, (emulator) =>
  Effect.map(emulator.requestLog("getTaskResult"), (log) => log.map((entry) => entry.at)))

describe("a durable run", () => {
  it.effect("creates its task once and delivers its result", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const { result, taskID } = yield* drive(Runs.run(request(), { key: "order-1" }))
      expect(result).toEqual({ status: "success", resultURL: null, resultData: [{ text: "hello" }] })
      expect(taskID).toMatch(/./)
      expect(yield* emulator.createdTasks()).toBe(1)
      expect(yield* emulator.requests("createTask")).toBe(1)
    }).pipe(Effect.provide(memoryLayer(Runs))))

  it.effect("the same key names the same run: starting it again joins it and creates nothing", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const [first, second] = yield* drive(
        Effect.all([
          Runs.run(request({ n: 1 }), { key: "shared" }),
          Runs.run(request({ n: 2 }), { key: "shared" })
        ], { concurrency: "unbounded" })
      )
      expect(second).toEqual(first)
      const later = yield* drive(Runs.run(request({ n: 3 }), { key: "shared" }))
      expect(later).toEqual(first)
      expect(yield* emulator.createdTasks()).toBe(1)
      expect(yield* emulator.requests("createTask")).toBe(1)
    }).pipe(Effect.provide(memoryLayer(Runs))))

  it.effect("without a key, the same request names the same run, whatever the order of its input's keys", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const key = yield* TaskRuns.keyOf(request({ a: 1, b: { c: 2, d: 3 } }))
      expect(key).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(yield* TaskRuns.keyOf(request({ b: { d: 3, c: 2 }, a: 1 }))).toBe(key)
      const one = yield* drive(Runs.run(request({ a: 1, b: { c: 2, d: 3 } })))
      const same = yield* drive(Runs.run(request({ b: { d: 3, c: 2 }, a: 1 })))
      const other = yield* drive(Runs.run(request({ a: 2 })))
      expect(same.taskID).toBe(one.taskID)
      expect(other.taskID).not.toBe(one.taskID)
      expect(yield* emulator.createdTasks()).toBe(2)
      expect(Option.isSome(yield* Runs.poll(key))).toBe(true)
    }).pipe(Effect.provide(memoryLayer(Runs))))

  it.effect("creation runs once per run, ever: a run replayed after each durable sleep does not create again", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.defineBlock({ packageName: "@test/durable", durations: { running: 10 * 60_000 } })
      // Longer than the engine's in-memory threshold (60 s): each wait is a
      // durable clock, the run suspends, and the clock's wake replays it.
      const outcome = yield* drive(Runs.run(request(), { key: "long", schedule: PollSchedule.fixed("2 minutes") }), {
        step: "5 seconds"
      })
      expect(outcome.result.status).toBe("success")
      const times = yield* pollTimes
      expect(times.length).toBeGreaterThan(4)
      expect(new Set(gaps(times))).toEqual(new Set([120_000]))
      expect(yield* emulator.requests("createTask")).toBe(1)
      expect(yield* emulator.createdTasks()).toBe(1)
    }).pipe(Effect.provide(memoryLayer(Runs))))

  it.effect("polls on the run's schedule: at once after creation, then each wait of the schedule", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.defineBlock({ packageName: "@test/durable", durations: { queued: 0, running: 20_000 } })
      const schedule = PollSchedule.exponential({ base: "1 second", cap: "4 seconds", factor: 2 })
      yield* drive(Runs.run(request(), { key: "scheduled", schedule }), { step: "100 millis" })
      const created = (yield* emulator.requestLog("createTask"))[0]!.at
      const times = yield* pollTimes
      expect(times[0]).toBe(created)
      expect(gaps(times).slice(0, 6)).toEqual([1000, 2000, 4000, 4000, 4000, 4000])
    }).pipe(Effect.provide(memoryLayer(Runs))))

  it.effect("PollSchedule gives the same waits as the client's Polling schedules", () =>
    Effect.sync(() => {
      const waits = (schedule: PollSchedule.PollSchedule) =>
        [1, 2, 3, 4, 5].map((n) => Duration.toMillis(PollSchedule.delay(schedule, n)))
      expect(waits(PollSchedule.defaultSchedule)).toEqual([3000, 3000, 3000, 3000, 3000])
      expect(waits(PollSchedule.fixed("2 seconds"))).toEqual([2000, 2000, 2000, 2000, 2000])
      expect(waits(PollSchedule.exponential({ base: "1 second", cap: "5 seconds" }))).toEqual([1000, 1500, 2250, 3375, 5000])
    }))
})

describe("a run's outcome", () => {
  const Summary = Schema.Array(Schema.Struct({ text: Schema.String }))
  const Typed = TaskRuns.make({ name: "typed", resultData: Summary })

  it.effect("is typed by the resultData schema", () =>
    Effect.gen(function*() {
      const { result } = yield* drive(Typed.run(request({ text: "typed" }), { key: "t" }))
      const data: ReadonlyArray<{ readonly text: string }> | undefined = result.resultData
      expect(data).toEqual([{ text: "typed" }])
    }).pipe(Effect.provide(memoryLayer(Typed))))

  const Counted = TaskRuns.make({ name: "counted", resultData: Schema.Array(Schema.Struct({ count: Schema.Number })) })

  it.effect("is a ResultDataMismatch when the result does not match the schema, polled no more", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const error = yield* drive(Effect.flip(Counted.run(request(), { key: "m" })))
      expect(error._tag).toBe("ResultDataMismatch")
      const polls = yield* emulator.requests("getTaskResult")
      yield* TestClock.adjust("1 minute")
      expect(yield* emulator.requests("getTaskResult")).toBe(polls)
    }).pipe(Effect.provide(memoryLayer(Counted))))

  it.effect("is the client's TaskFailed when the task fails", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.defineBlock({ packageName: "@test/durable", fail: "Insufficient balance" })
      const error = yield* drive(Effect.flip(Runs.run(request(), { key: "f" })))
      expect(error._tag).toBe("TaskFailed")
      if (error._tag !== "TaskFailed") return
      expect(error.message).toBe("Task failed: Insufficient balance")
      expect(error.code).toBe("INSUFFICIENT_QUOTA")
    }).pipe(Effect.provide(memoryLayer(Runs))))

  it.effect("is a PollTimeout, in the official words, when the task outlasts the run's timeout", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.defineBlock({ packageName: "@test/durable", durations: { running: 10 * 60_000 } })
      const error = yield* drive(Effect.flip(Runs.run(request(), { key: "slow", timeout: "1 minute" })))
      expect(error._tag).toBe("PollTimeout")
      expect(error.message).toBe("Task polling timeout after 1 minutes")
      const times = yield* pollTimes
      expect(times.at(-1)! - times[0]!).toBe(60_000)
    }).pipe(Effect.provide(memoryLayer(Runs))))

  it.effect("is the ApiError of a refused creation, sent once and never retried", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const error = yield* drive(Effect.flip(Runs.run(request(), { key: "denied" })))
      expect(error._tag).toBe("ApiError")
      if (error._tag === "ApiError") expect(error.status).toBe(401)
      yield* TestClock.adjust("10 minutes")
      expect(yield* emulator.requests("createTask")).toBe(1)
      expect(yield* emulator.createdTasks()).toBe(0)
    }).pipe(Effect.provide(memoryLayer(Runs, { emulator: { apiKey: "another-key" } }))))

  it.effect("is InvalidInput for a request that breaks the API's rules: no run starts, nothing is sent", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const error = yield* Effect.flip(Runs.start({ ...request(), packageName: "" }, { key: "bad" }))
      expect(error._tag).toBe("InvalidInput")
      expect(error.message).toContain("packageName")
      const blank = yield* Effect.flip(Runs.start(request(), { key: "" }))
      expect(blank._tag).toBe("InvalidInput")
      expect(yield* Runs.poll("bad")).toEqual(Option.none())
      expect(yield* emulator.requests()).toBe(0)
    }).pipe(Effect.provide(memoryLayer(Runs))))

  it.effect("rides out a creation the service provably did not take: it tries again after a durable wait", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      // More 429s than the client's own retries: the first attempt ends "not taken".
      yield* emulator.fault("createTask", Fault.status(429, { times: 4 }))
      const { result } = yield* drive(Runs.run(request(), { key: "busy" }))
      expect(result.status).toBe("success")
      expect(yield* emulator.requests("createTask")).toBe(5)
      expect(yield* emulator.createdTasks()).toBe(1)
    }).pipe(Effect.provide(memoryLayer(Runs))))
})

describe("what a run stores", () => {
  // A durable engine writes a run's outcome as JSON: every way a run ends must survive that trip.
  const roundTrip = <A>(schema: Schema.Codec<A, any>, value: A) => {
    const codec = Schema.toCodecJson(schema)
    const json = JSON.parse(JSON.stringify(Schema.encodeUnknownSync(codec)(value)))
    expect(Schema.decodeUnknownSync(codec)(json)).toEqual(value)
  }

  it.effect("is JSON, whatever the run ended with", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.defineBlock({ packageName: "@test/durable", blockName: "slow", durations: { running: 10 * 60_000 } })
      yield* emulator.defineBlock({ packageName: "@test/durable", blockName: "failing", fail: "Insufficient balance" })
      // A refusal that asks to come back later (a Retry-After), and polls that fail on the way to a timeout.
      yield* emulator.fault("createTask", Fault.status(403, { retryAfter: 30 }))
      yield* emulator.fault("getTaskResult", Fault.tooManyRequests(30, { times: Infinity }))
      const refused = yield* drive(Effect.flip(Runs.run(request(), { key: "refused" })))
      const timedOut = yield* drive(Effect.flip(Runs.run({ ...request(), blockName: "slow" }, { key: "slow", timeout: "1 minute" })))
      yield* emulator.clearFaults()
      const failed = yield* drive(Effect.flip(Runs.run({ ...request(), blockName: "failing" }, { key: "failing" })))
      yield* emulator.fault("createTask", Fault.drop({ afterProcessing: true }))
      const uncertain = yield* drive(Effect.flip(Runs.run(request({ n: 2 }), { key: "uncertain" })))
      expect([refused._tag, timedOut._tag, failed._tag, uncertain._tag]).toEqual([
        "ApiError",
        "PollTimeout",
        "TaskFailed",
        "CreationUncertain"
      ])
      if (timedOut._tag === "PollTimeout") expect(timedOut.lastError?._tag).toBe("ApiError")
      // What the client said is kept whole: the wait the service asked for.
      if (refused._tag === "ApiError") expect(refused.retryAfter && Duration.toMillis(refused.retryAfter)).toBe(30_000)
      for (const error of [refused, timedOut, failed, uncertain]) {
        if (error._tag === "RunCancelled") continue
        roundTrip(Runs.workflow.errorSchema, error)
      }
      roundTrip(Runs.workflow.successSchema, yield* drive(Runs.run(request({ n: 3 }), { key: "fine" })))
    }).pipe(Effect.provide(memoryLayer(Runs))))
})

describe("start, await, poll and cancel", () => {
  it.effect("start answers the key; poll is None until the run ends; await by key gives the outcome", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const key = yield* Runs.start(request(), { key: "handle" })
      expect(key).toBe("handle")
      expect(yield* Runs.poll(key)).toEqual(Option.none())
      const outcome = yield* drive(Runs.await(key))
      expect(outcome.result.resultData).toEqual([{ text: "hello" }])
      expect(yield* Runs.poll(key)).toEqual(Option.some(Exit.succeed(outcome)))
      expect(yield* emulator.createdTasks()).toBe(1)
    }).pipe(Effect.provide(memoryLayer(Runs))))

  it.effect("start with the default key answers keyOf(request)", () =>
    Effect.gen(function*() {
      const key = yield* Runs.start(request({ x: 1 }))
      expect(key).toBe(yield* TaskRuns.keyOf(request({ x: 1 })))
      yield* drive(Runs.await(key))
    }).pipe(Effect.provide(memoryLayer(Runs))))

  it.effect("cancel stops the run: no more polls, and await and poll report RunCancelled", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.defineBlock({ packageName: "@test/durable", durations: { running: 10 * 60_000 } })
      yield* Runs.start(request(), { key: "stop" })
      yield* drive(Effect.andThen(settle(), TestClock.adjust("10 seconds")))
      expect(yield* emulator.createdTasks()).toBe(1)
      yield* Runs.cancel("stop")
      const error = yield* drive(Effect.flip(Runs.await("stop")))
      expect(error._tag).toBe("RunCancelled")
      expect(error.message).toBe(`The run "stop" was cancelled`)
      const polls = yield* emulator.requests("getTaskResult")
      yield* TestClock.adjust("5 minutes")
      expect(yield* emulator.requests("getTaskResult")).toBe(polls)
      const polled = yield* Runs.poll("stop")
      expect(Option.isSome(polled) && Exit.isFailure(polled.value)).toBe(true)
      expect(yield* emulator.createdTasks()).toBe(1)
    }).pipe(Effect.provide(memoryLayer(Runs))))
})

describe("an uncertain creation", () => {
  const other = { ...request(), inputValues: { someone: "else" } }

  it.effect("ends the run with CreationUncertain carrying the candidates, and never creates a second task", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const client = yield* CloudTaskClient.CloudTaskClient
      // An old task of the same block (outside the window), and one of another block.
      const old = yield* client.createTask(other)
      yield* TestClock.adjust("10 minutes")
      yield* client.createTask({ ...other, blockName: "elsewhere" })
      // A task of the same block created just before the attempt: a candidate too.
      const recent = yield* client.createTask(other)
      yield* emulator.fault("createTask", Fault.drop({ afterProcessing: true }))
      // The attempt's window opens when it is sent: the clock stays put until then
      // (on a busy machine the run took hundreds of turns to get there).
      const run = yield* Effect.forkChild(Effect.flip(Runs.run(request(), { key: "unsure" })))
      yield* settleUntil(Effect.map(emulator.requests("createTask"), (count) => count === 4))
      const error = yield* drive(Fiber.join(run))
      expect(error._tag).toBe("CreationUncertain")
      if (error._tag !== "CreationUncertain") return
      expect(error.key).toBe("unsure")
      expect(error.request).toEqual(request())
      const ids = error.candidates.map((task) => task.taskID)
      expect(ids).toHaveLength(2)
      expect(ids).toContain(recent.taskID)
      expect(ids).not.toContain(old.taskID)
      expect(error.message).toContain("2 candidate tasks found")
      yield* TestClock.adjust("10 minutes")
      expect(yield* emulator.createdTasks()).toBe(4)
      expect(yield* emulator.requests("createTask")).toBe(4)
      const polled = yield* Runs.poll("unsure")
      expect(Option.isSome(polled) && Exit.isFailure(polled.value)).toBe(true)
    }).pipe(Effect.provide(memoryLayer(Runs))))

  it.effect("is resumed by reconcile with the task the caller picks; the first decision stands", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.fault("createTask", Fault.drop({ afterProcessing: true }))
      const error = yield* drive(Effect.flip(Runs.run(request(), { key: "pick" })))
      if (error._tag !== "CreationUncertain") return expect.fail(error.message)
      expect(error.candidates).toHaveLength(1)
      const taskID = error.candidates[0]!.taskID
      yield* Runs.reconcile("pick", taskID)
      const resumed = yield* drive(Runs.await("pick"))
      expect(resumed).toEqual({ taskID, result: { status: "success", resultURL: null, resultData: [{ text: "hello" }] } })
      expect(yield* drive(Runs.run(request(), { key: "pick" }))).toEqual(resumed)
      expect(yield* Runs.poll("pick")).toEqual(Option.some(Exit.succeed(resumed)))
      yield* Runs.reconcile("pick", taskID)
      const twice = yield* Effect.flip(Runs.reconcile("pick", "another-task"))
      expect(twice._tag).toBe("NotReconcilable")
      expect(twice.message).toBe(`The run "pick" was already reconciled with task ${taskID}`)
      expect(yield* emulator.createdTasks()).toBe(1)
    }).pipe(Effect.provide(memoryLayer(Runs))))

  it.effect("reconcile refuses a run that is not waiting for a decision, and a task ID that is not one", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.defineBlock({ packageName: "@test/durable", durations: { running: 60_000 } })
      const missing = yield* Effect.flip(Runs.reconcile("nobody", "t-1"))
      expect(missing._tag).toBe("NotReconcilable")
      yield* Runs.start(request(), { key: "busy" })
      const running = yield* Effect.flip(Runs.reconcile("busy", "t-1"))
      expect(running.message).toContain("still running")
      yield* drive(Runs.await("busy"))
      const done = yield* Effect.flip(Runs.reconcile("busy", "t-1"))
      expect(done.message).toContain("did not end with CreationUncertain")
      const invalid = yield* Effect.flip(Runs.reconcile("busy", ""))
      expect(invalid._tag).toBe("InvalidInput")
    }).pipe(Effect.provide(memoryLayer(Runs))))

  it.effect("cancelling a reconciled run stops the resumed wait too", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.defineBlock({ packageName: "@test/durable", durations: { running: 10 * 60_000 } })
      yield* emulator.fault("createTask", Fault.drop({ afterProcessing: true }))
      const error = yield* drive(Effect.flip(Runs.run(request(), { key: "c" })))
      if (error._tag !== "CreationUncertain") return expect.fail(error.message)
      yield* Runs.reconcile("c", error.candidates[0]!.taskID)
      yield* drive(Effect.andThen(settle(), TestClock.adjust("10 seconds")))
      yield* Runs.cancel("c")
      const cancelled = yield* drive(Effect.flip(Runs.await("c")))
      expect(cancelled._tag).toBe("RunCancelled")
    }).pipe(Effect.provide(memoryLayer(Runs))))
})
