/**
 * A soak against the in-process emulator: 1,000 workers each keep a task in
 * flight (create it, wait for it, create the next) through a simulated hour,
 * with tasks lasting from a minute to over an hour and one in seven failing.
 * With the number of waits constant, the heap after a full collection stays
 * flat between 20 % and 100 % of the hour, and the emulator counts exactly
 * the polls the schedule implies.
 *
 * Time is simulated, as with `TestClock`, but by a clock of this file:
 * `TestClock.adjust` wakes one sleeper at a time and checks every fiber of the
 * test in between (about 4 ms per sleep with a thousand fibers), so an hour of
 * 10,000 polls would take minutes. This clock wakes every sleeper due at an
 * instant together, then waits until each worker is asleep again.
 */
import { CloudTaskClient, Polling } from "@oomol-cloud-task/effect"
import { type Block, Emulator } from "@oomol-cloud-task/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, Layer, Redacted } from "effect"
import { HttpClient, type HttpClientResponse } from "effect/http"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { simulatedClock } from "./support.js"

const TASKS = 1_000
const WAVES = 10
const WAVE_GAP = 37_000
const HOUR = 3_600_000
const BEHAVIOURS = 50
const base = Duration.minutes(2)
const cap = Duration.minutes(10)
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
  // Some fail: a failure ends a wait as surely as a success.
  ...(i % 7 === 3 ? { fail: "Out of memory" } : {}),
  logs: 0
}))

/** The instants (after its start) at which a wait polls: at once, then after each delay of the schedule. */
const pollInstants = (until: number): ReadonlyArray<number> => {
  const instants = [0]
  // The n-th wait is base × 1.5ⁿ⁻¹, none longer than the cap (`Polling.exponential`).
  for (let n = 1, at = 0; ; n++) {
    at += Math.min(Duration.toMillis(base) * 1.5 ** (n - 1), Duration.toMillis(cap))
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

// `--expose-gc` for this process only when vitest was not started with it.
const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => {
  setFlagsFromString("--expose-gc")
  return runInNewContext("gc") as () => void
})()

// Between collections, a turn of the event loop: what a FinalizationRegistry
// holds (fetch's response bodies) is freed only once its callbacks have run.
const heapAfterGc = Effect.gen(function*() {
  for (let round = 0; round < 4; round++) {
    gc()
    yield* Effect.promise(() => new Promise(setImmediate))
  }
  return process.memoryUsage().heapUsed
})

const MB = 1024 * 1024

/**
 * The client's requests still in flight, from sending to the last byte of the
 * answer: each holds a sleep of its own on the clock (the request timeout),
 * which must not count as a worker asleep in its wait.
 */
const inFlight = () => {
  let count = 0
  const done = Effect.sync(() => void count--)
  const layer = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.transformResponse(client, (response) =>
        Effect.suspend(() => {
          count++
          return response.pipe(
            Effect.map((r): HttpClientResponse.HttpClientResponse =>
              Object.create(r, { text: { get: () => Effect.ensuring(r.text, done) } })
            ),
            Effect.onError(() => done)
          )
        })))
  )
  return { layer, count: () => count }
}

describe("soak", () => {
  it.live("1,000 tasks in flight through a simulated hour: a flat heap and exactly the polls the schedule implies", () => {
    const sim = simulatedClock(Date.UTC(2025, 0, 1))
    const start = sim.now()
    const requests = inFlight()
    const TestLayer = CloudTaskClient.layer({
      apiKey: Redacted.make("soak-key"),
      baseUrl: Emulator.IN_PROCESS_URL,
      uploadBaseUrl: Emulator.IN_PROCESS_UPLOAD_BASE_URL
    }).pipe(Layer.provide(requests.layer), Layer.provideMerge(Emulator.layerClient({ blocks: behaviours })), Layer.orDie)

    return Effect.gen(function*() {
      const client = yield* CloudTaskClient.CloudTaskClient
      const emulator = yield* Emulator.Emulator
      const tasks: Array<{ readonly start: number; readonly life: number }> = []
      let settled = 0
      let started = 0

      // Until every worker sleeps again: each has one sleep, its wait's
      // schedule, and no request is in flight (a request's timeout is a sleep
      // too, on this clock since v4: waking it would time the request out).
      const quiet = Effect.gen(function*() {
        while (sim.sleeping() !== started || requests.count() > 0) {
          yield* Effect.promise(() => new Promise(setImmediate))
        }
      })
      const advanceTo = (instant: number) =>
        Effect.gen(function*() {
          while (sim.wakeNext(instant)) yield* quiet
          sim.setNow(instant)
        })

      // A worker keeps one task in flight: it creates one, waits for it, and starts the next.
      const worker = (k: number) =>
        Effect.gen(function*() {
          for (let round = 0; ; round++) {
            const behaviour = (k + 7 * round) % BEHAVIOURS
            tasks.push({ start: sim.now(), life: lifetime(behaviour) })
            yield* Effect.result(client.createAndWait(
              { packageName: "@test/soak", packageVersion: `1.0.${behaviour}`, blockName: "main" },
              { schedule }
            ))
            settled++
          }
        })

      const workers = yield* Effect.forEach(Array.from({ length: WAVES }, (_, wave) => wave), (wave) =>
        Effect.gen(function*() {
          yield* advanceTo(start + wave * WAVE_GAP)
          const fibers = yield* Effect.forEach(
            Array.from({ length: TASKS / WAVES }, (_, i) => wave * (TASKS / WAVES) + i),
            (k) => Effect.forkChild(worker(k))
          )
          started += fibers.length
          yield* quiet
          return fibers
        }))

      const expected = (until: number) => {
        const each = tasks.map((task) => expectedPolls(task.start, task.life, until))
        return { polls: each.reduce((sum, e) => sum + e.polls, 0), settled: each.filter((e) => e.settled).length }
      }
      const measure = (fraction: number) =>
        Effect.gen(function*() {
          yield* advanceTo(start + HOUR * fraction)
          const polls = yield* emulator.requests("getTaskResult")
          expect({ polls, settled }).toEqual(expected(start + HOUR * fraction))
          // One task in flight per worker, always.
          expect(tasks.length - settled).toBe(TASKS)
          return { heap: yield* heapAfterGc, polls, settled, created: yield* emulator.createdTasks() }
        })

      const early = yield* measure(0.2)
      const late = yield* measure(1)
      yield* Fiber.interruptAll(workers.flat())

      const growth = late.heap - early.heap
      const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`
      console.log(
        `Soak: ${TASKS} tasks always in flight through a simulated hour (${late.created} created, ${late.settled} settled). ` +
          `By 12 min: ${early.polls} polls, heap ${mb(early.heap)}; by 60 min: ${late.polls} polls, heap ${mb(late.heap)} ` +
          `(${growth >= 0 ? "+" : ""}${mb(growth)} over ${late.polls - early.polls} polls and ` +
          `${late.created - early.created} tasks the emulator keeps)`
      )
      expect(growth).toBeLessThan(10 * MB)
    }).pipe(Effect.provide(TestLayer), Effect.provideService(Clock.Clock, sim.clock))
  }, 60_000)
})
