/**
 * Cancellation leaves nothing behind: after an interrupt or a timeout in the
 * middle of a request, a poll's sleep, a retry's wait or an upload, the
 * process has no more timers or sockets than before the client was built,
 * and no fiber the call started is still alive.
 *
 * The transports keep no idle connection (see `freshTransports`), so the
 * count is exact: a socket left open is one the client failed to close.
 */
import { CloudTaskClient, Polling, Retry } from "@oomol-cloud-task/effect"
import { Fault, type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Metric, Stream } from "effect"
import { clientOn, freshTransports, settledBeyond } from "./support.js"

const LONG = { packageName: "@test/long", packageVersion: "1.0.0", blockName: "main" }

let emulator: RunningEmulator
beforeAll(async () => {
  emulator = await startEmulator({
    partSize: 1024,
    blocks: [{ packageName: LONG.packageName, durations: { queued: 0, running: 3_600_000 }, logs: 1_000 }]
  })
})
afterAll(() => emulator.close())
afterEach(() => emulator.clearFaults())

type Client = CloudTaskClient.Service

/**
 * Every fiber started under it, and whether each has ended: the runtime tells
 * the fiber metrics service of each child fiber's start and end (what v3's
 * `Supervisor.track` was for).
 */
const fiberTracker = () => {
  let started = 0
  let ended = 0
  const service: Metric.FiberRuntimeMetricsService = {
    recordFiberStart: () => void started++,
    recordFiberEnd: () => void ended++
  }
  return { service, alive: () => started - ended }
}

/** Waits (in real time, briefly) until `route` has received `count` more requests than `before`. */
const requestsReach = (route: Parameters<RunningEmulator["requests"]>[0], before: number, count = 1) =>
  Effect.gen(function*() {
    for (let turn = 0; turn < 500 && emulator.requests(route) - before < count; turn++) yield* Effect.sleep("5 millis")
    expect(emulator.requests(route) - before).toBeGreaterThanOrEqual(count)
  })

/** Starts `effect`, waits for `reached`, then interrupts it. */
const interruptWhen = <A, E>(effect: Effect.Effect<A, E>, reached: Effect.Effect<void>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.forkChild(effect)
    yield* reached
    // Past the request, into whatever wait follows it.
    yield* Effect.sleep("20 millis")
    yield* Fiber.interrupt(fiber)
  })

interface Scenario {
  readonly name: string
  readonly options?: CloudTaskClient.Options
  readonly run: (client: Client) => Effect.Effect<unknown, unknown>
}

const scenarios: ReadonlyArray<Scenario> = [
  {
    name: "an interrupt during a request that hangs",
    run: (client) => {
      emulator.fault("dashboard", Fault.sticky(Fault.hang()))
      return interruptWhen(client.getDashboard(), requestsReach("dashboard", emulator.requests("dashboard")))
    }
  },
  {
    name: "an interrupt while a poll sleeps",
    run: (client) =>
      Effect.gen(function*() {
        const { taskID } = yield* Effect.orDie(client.createTask(LONG))
        const before = emulator.requests("getTaskResult")
        yield* interruptWhen(client.awaitResult(taskID, { schedule: Polling.fixed("1 minute") }), requestsReach("getTaskResult", before))
      })
  },
  {
    name: "an interrupt during a retry's wait",
    options: { retry: Retry.make({ base: "1 minute", cap: "1 minute" }) },
    run: (client) => {
      emulator.fault("getTask", Fault.sticky(Fault.status(503)))
      return interruptWhen(client.getTask("any"), requestsReach("getTask", emulator.requests("getTask")))
    }
  },
  {
    name: "a timeout around a wait, in the middle of a poll",
    run: (client) =>
      Effect.gen(function*() {
        const { taskID } = yield* Effect.orDie(client.createTask(LONG))
        emulator.fault("getTaskResult", Fault.sticky(Fault.hang()))
        const outcome = yield* client.awaitResult(taskID, { schedule: Polling.fixed("10 millis") }).pipe(
          Effect.timeout("300 millis"),
          Effect.flip
        )
        expect(outcome._tag).toBe("TimeoutError")
      })
  },
  {
    name: "the wait's own timeout while it sleeps",
    run: (client) =>
      Effect.gen(function*() {
        const { taskID } = yield* Effect.orDie(client.createTask(LONG))
        const error = yield* Effect.flip(
          client.awaitResult(taskID, { schedule: Polling.fixed("1 minute"), timeout: "200 millis" })
        )
        expect(error._tag).toBe("PollTimeout")
      })
  },
  {
    name: "the request timeout",
    options: { requestTimeout: "150 millis", retry: Retry.never },
    run: (client) =>
      Effect.gen(function*() {
        emulator.fault("getTask", Fault.sticky(Fault.hang()))
        const error = yield* Effect.flip(client.getTask("any"))
        expect(error).toMatchObject({ _tag: "NetworkError", requestSent: true })
      })
  },
  {
    name: "an interrupt in the middle of an upload",
    run: (client) => {
      emulator.fault("uploadPart", Fault.sticky(Fault.hang()))
      const before = emulator.requests("uploadPart")
      return interruptWhen(client.upload(new Uint8Array(8 * 1024), { concurrency: 4 }), requestsReach("uploadPart", before, 4))
    }
  },
  {
    name: "an upload's progress stream dropped after its first event",
    run: (client) =>
      Effect.gen(function*() {
        emulator.fault("uploadPart", Fault.latency(0))
        emulator.fault("uploadPart", Fault.sticky(Fault.hang()))
        const first = yield* Stream.runCollect(
          Stream.take(client.uploadWithProgress(new Uint8Array(8 * 1024), { concurrency: 4 }), 1)
        )
        expect([...first].map((e) => e._tag)).toEqual(["Progress"])
      }).pipe(Effect.orDie)
  },
  {
    name: "an interrupt while following logs",
    run: (client) =>
      Effect.gen(function*() {
        const { taskID } = yield* Effect.orDie(client.createTask(LONG))
        const before = emulator.requests("getTaskResult")
        yield* interruptWhen(
          Stream.runDrain(client.logs(taskID, { follow: Polling.fixed("1 minute") })),
          requestsReach("getTaskResult", before)
        )
      })
  },
  {
    name: "an interrupt while awaiting many tasks",
    run: (client) =>
      Effect.gen(function*() {
        const ids = yield* Effect.orDie(Effect.forEach([1, 2, 3, 4, 5], () => Effect.map(client.createTask(LONG), (t) => t.taskID)))
        const before = emulator.requests("getTaskResult")
        yield* interruptWhen(
          Stream.runDrain(client.awaitAll(ids, { schedule: Polling.fixed("1 minute") })),
          requestsReach("getTaskResult", before, ids.length)
        )
      })
  }
]

// Every scenario over fetch; the ones that cut a connection over the other transports too.
const connectionScenarios = new Set([scenarios[0]!, scenarios[3]!, scenarios[5]!, scenarios[6]!])

describe("cancellation leaves no timer, socket or fiber", () => {
  for (const [transportName, transport] of Object.entries(freshTransports)) {
    for (const scenario of scenarios) {
      if (transportName !== "fetch" && !connectionScenarios.has(scenario)) continue
      it.live(`${scenario.name}, over ${transportName}`, () =>
        Effect.gen(function*() {
          const baseline = process.getActiveResourcesInfo()
          const fibers = fiberTracker()
          yield* Effect.gen(function*() {
            const client = yield* CloudTaskClient.CloudTaskClient
            yield* Effect.provideService(scenario.run(client), Metric.FiberRuntimeMetrics, fibers.service)
            // Still inside the client's scope: its connection pool is open.
            expect(yield* Effect.promise(() => settledBeyond(baseline))).toEqual({})
            expect(fibers.alive()).toBe(0)
          }).pipe(Effect.provide(clientOn(emulator, transport, scenario.options)))
          expect(yield* Effect.promise(() => settledBeyond(baseline))).toEqual({})
        }).pipe(Effect.timeout(Duration.seconds(20))))
    }
  }
})
