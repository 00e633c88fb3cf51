/**
 * Test layers: the runs on Effect's in-memory workflow engine, the client
 * talking to an emulator served in process, all on the test's clock.
 */
import { CloudTaskClient } from "@oomol-cloud-task/effect"
import { Emulator } from "@oomol-cloud-task/emulator"
import { TaskRuns } from "@oomol-cloud-task/workflow"
import { Duration, Effect, Fiber, Layer, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { WorkflowEngine } from "effect/workflow/WorkflowEngine"
import * as WorkflowEngineModule from "effect/workflow/WorkflowEngine"

export const request = (inputValues: Record<string, unknown> = { text: "hello" }) => ({
  packageName: "@test/durable",
  packageVersion: "1.0.0",
  blockName: "main",
  inputValues
})

/** The client over the in-process emulator. */
export const client = (options: CloudTaskClient.Options = {}) =>
  CloudTaskClient.layer({ baseUrl: Emulator.IN_PROCESS_URL, apiKey: Redacted.make("test-key"), ...options }).pipe(
    Layer.orDie
  )

/** `runs` registered on the in-memory engine, with the client and the emulator they use. */
export const memoryLayer = <A>(
  runs: TaskRuns.TaskRuns<A>,
  options: { readonly emulator?: Emulator.Options; readonly client?: CloudTaskClient.Options } = {}
) =>
  runs.layer.pipe(
    Layer.provideMerge(WorkflowEngineModule.layerMemory),
    Layer.provideMerge(client(options.client)),
    Layer.provideMerge(Emulator.layerClient(options.emulator))
  )

export type Engine = WorkflowEngine

const turn = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/**
 * Runs `effect` to its end, moving the test's clock on by `step` at a time
 * and letting in-process requests settle between steps; fails the test when
 * it has not ended after `limit` of virtual time.
 */
export const drive = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options: { readonly step?: Duration.Input; readonly limit?: Duration.Input } = {}
) =>
  Effect.gen(function*() {
    const step = Duration.fromInputUnsafe(options.step ?? "500 millis")
    const limit = Duration.toMillis(Duration.fromInputUnsafe(options.limit ?? "2 hours"))
    const fiber = yield* Effect.forkChild(effect)
    for (let elapsed = 0; fiber.pollUnsafe() === undefined; elapsed += Duration.toMillis(step)) {
      if (elapsed > limit) return yield* Effect.die(new Error(`not done after ${limit} ms of virtual time`))
      yield* turn
      yield* TestClock.adjust(step)
    }
    return yield* Fiber.join(fiber)
  })

/**
 * Turns the event loop, the clock left where it is, until `done` holds; fails
 * the test after `limit` turns.
 */
export const settleUntil = <E, R>(done: Effect.Effect<boolean, E, R>, limit = 10_000) =>
  Effect.gen(function*() {
    for (let turns = 0; !(yield* done); turns++) {
      if (turns > limit) return yield* Effect.die(new Error(`not settled after ${limit} turns`))
      yield* turn
    }
  })

/** Lets in-process work settle, `times` turns of the event loop. */
export const settle = (times = 5) => Effect.repeat(turn, { times })
