/**
 * A soak: 1,000 tasks that last from a minute to over an hour, awaited at
 * once through a simulated hour against the in-process emulator. The heap
 * stays flat between 20 % and 100 % of the hour, and the emulator counts
 * exactly the polls the schedule implies.
 *
 * Time is simulated, as with `TestClock`, but by a clock of this file:
 * `TestClock.adjust` wakes one sleeper at a time and checks every fiber of the
 * test in between (about 4 ms per sleep with a thousand fibers), so an hour of
 * 20,000 polls would take minutes. This clock wakes every sleeper due at an
 * instant together, then waits until each poller is asleep again or done.
 */
import { CloudTaskClient, Polling } from "@oomol-cloud-task/effect"
import { type Block, Emulator } from "@oomol-cloud-task/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, Layer, Redacted, Stream } from "effect"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"

const TASKS = 1_000
const WAVES = 10
const WAVE_GAP = 37_000
const HOUR = 3_600_000
const BEHAVIOURS = 50
const base = Duration.minutes(1)
const cap = Duration.minutes(5)
const schedule = Polling.exponential({ base, cap })

/**
 * How long a task of behaviour `i` runs, from its creation to its end: 1 to
 * 100 minutes (so many still run at the end), never on a poll's instant.
 */
const lifetime = (i: number) => 60_000 + i * 122_449 + 7

const behaviours: ReadonlyArray<Block.BlockBehavior> = Array.from({ length: BEHAVIOURS }, (_, i) => ({
  packageName: "@test/soak",
  packageVersion: `1.0.${i}`,
  durations: { queued: 1_000, scheduling: 500, scheduled: 500, running: lifetime(i) - 2_000 },
  // Some fail: a failure settles a wait as surely as a success.
  ...(i % 7 === 3 ? { fail: "Out of memory" } : {}),
  logs: 0
}))

/** The instants (after its start) at which a wait polls: at once, then after each delay of the schedule. */
const pollInstants = (until: number): ReadonlyArray<number> => {
  const instants = [0]
  for (let n = 1, at = 0; ; n++) {
    at += Math.min(Duration.toMillis(base) * 1.5 ** n, Duration.toMillis(cap))
    if (at > until) return instants
    instants.push(at)
  }
}

/**
 * The polls of a task started at `start` that lives `life`, by the simulated
 * time `until`: up to the first that sees it ended, if that came by then.
 */
const expectedPolls = (start: number, life: number, until: number) => {
  let polls = 0
  for (const at of pollInstants(until - start)) {
    polls++
    if (at > life) return { polls, settled: true }
  }
  return { polls, settled: false }
}

/** A clock whose time moves only when told; sleepers due at an instant all wake together. */
const simulatedClock = (start: number) => {
  let now = start
  let sleepers: Array<{ readonly at: number; readonly wake: () => void }> = []
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => now,
    currentTimeMillis: Effect.sync(() => now),
    unsafeCurrentTimeNanos: () => BigInt(Math.round(now * 1_000_000)),
    currentTimeNanos: Effect.sync(() => BigInt(Math.round(now * 1_000_000))),
    sleep: (duration) =>
      Effect.async<void>((resume) => {
        const sleeper = { at: now + Duration.toMillis(duration), wake: () => resume(Effect.void) }
        sleepers.push(sleeper)
        return Effect.sync(() => {
          sleepers = sleepers.filter((s) => s !== sleeper)
        })
      })
  }
  return {
    clock,
    now: () => now,
    sleeping: () => sleepers.length,
    /** Wakes the sleepers due first, if they are due by `until`; answers whether there were any. */
    wakeNext: (until: number): boolean => {
      if (sleepers.length === 0) return false
      const at = Math.min(...sleepers.map((s) => s.at))
      if (at > until) return false
      now = Math.max(now, at)
      const due = sleepers.filter((s) => s.at <= at)
      sleepers = sleepers.filter((s) => s.at > at)
      due.forEach((s) => s.wake())
      return true
    },
    setNow: (instant: number) => {
      now = instant
    }
  }
}

// `--expose-gc` for this process only when vitest was not started with it.
const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => {
  setFlagsFromString("--expose-gc")
  return runInNewContext("gc") as () => void
})()

const heapAfterGc = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

const MB = 1024 * 1024

describe("soak", () => {
  it.live("1,000 tasks awaited through a simulated hour: a flat heap and exactly the polls the schedule implies", () => {
    const sim = simulatedClock(Date.UTC(2025, 0, 1))
    const start = sim.now()
    const TestLayer = CloudTaskClient.layer({
      apiKey: Redacted.make("soak-key"),
      baseUrl: Emulator.IN_PROCESS_URL,
      uploadBaseUrl: Emulator.IN_PROCESS_UPLOAD_BASE_URL
    }).pipe(Layer.provideMerge(Emulator.layerClient({ blocks: behaviours })), Layer.orDie)

    return Effect.gen(function*() {
      const client = yield* CloudTaskClient.CloudTaskClient
      const emulator = yield* Emulator.Emulator
      const tasks: Array<{ readonly start: number; readonly life: number }> = []
      let settled = 0
      const pollers: Array<Fiber.RuntimeFiber<void>> = []

      // Until every poller that is not done sleeps again: each has one sleep, its schedule's.
      const quiet = Effect.gen(function*() {
        while (sim.sleeping() !== tasks.length - settled) yield* Effect.promise(() => new Promise(setImmediate))
      })
      const advanceTo = (instant: number) =>
        Effect.gen(function*() {
          while (sim.wakeNext(instant)) yield* quiet
          sim.setNow(instant)
        })

      const perWave = TASKS / WAVES
      for (let wave = 0; wave < WAVES; wave++) {
        yield* advanceTo(start + wave * WAVE_GAP)
        const ids = yield* Effect.forEach(Array.from({ length: perWave }, (_, i) => wave * perWave + i), (n) => {
          const behaviour = n % BEHAVIOURS
          tasks.push({ start: sim.now(), life: lifetime(behaviour) })
          return Effect.map(
            client.createTask({ packageName: "@test/soak", packageVersion: `1.0.${behaviour}`, blockName: "main" }),
            (created) => created.taskID
          )
        })
        pollers.push(yield* Effect.fork(Stream.runForEach(
          client.awaitAll(ids, { schedule, concurrency: "unbounded" }),
          () => Effect.sync(() => void settled++)
        )))
        yield* quiet
      }

      const expected = (until: number) => {
        const each = tasks.map((task) => expectedPolls(task.start, task.life, until))
        return { polls: each.reduce((sum, e) => sum + e.polls, 0), settled: each.filter((e) => e.settled).length }
      }

      yield* advanceTo(start + HOUR * 0.2)
      const early = { heap: heapAfterGc(), polls: yield* emulator.requests("getTaskResult"), settled }
      expect({ polls: early.polls, settled: early.settled }).toEqual(expected(start + HOUR * 0.2))

      yield* advanceTo(start + HOUR)
      const late = { heap: heapAfterGc(), polls: yield* emulator.requests("getTaskResult"), settled }
      expect({ polls: late.polls, settled: late.settled }).toEqual(expected(start + HOUR))
      yield* Effect.forEach(pollers, Fiber.interrupt)

      const growth = late.heap - early.heap
      console.log(
        `Soak: ${TASKS} tasks over a simulated hour: ${early.polls} polls by 12 min (heap ${(early.heap / MB).toFixed(1)} MB), ` +
          `${late.polls} by 60 min (heap ${(late.heap / MB).toFixed(1)} MB, ${growth >= 0 ? "+" : ""}${(growth / MB).toFixed(1)} MB); ` +
          `${late.settled} settled, ${TASKS - late.settled} still running`
      )
      expect(growth).toBeLessThan(10 * MB)
    }).pipe(Effect.provide(TestLayer), Effect.withClock(sim.clock))
  }, 60_000)
})
