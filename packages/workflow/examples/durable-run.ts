/**
 * A durable run you can stop and start again.
 *
 *   PORT=8787 npx -y pnpm@12.4.2 emulator           # terminal 1: the service, on http://127.0.0.1:8787
 *   npx -y pnpm@12.4.2 build                        # terminal 2, once
 *   node packages/workflow/examples/durable-run.ts  # terminal 2: Ctrl-C it while it waits, run it again
 *
 * The run is kept in ./.task-runs. Stopped (Ctrl-C, or kill -9) and started
 * again, the program picks the run up where it was: it waits for the same
 * task, and the emulator's count of created tasks stays at one. Delete
 * ./.task-runs to start from scratch; set RUN_KEY to start another run.
 *
 * Another emulator: OOMOL_BASE_URL=<its URL>. The real service:
 * OOMOL_API_KEY=<your key> and OOMOL_BASE_URL=https://cloud-task.oomol.com,
 * with a package of yours in the request below.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { CloudTaskClient } from "@oomol-cloud-task/effect"
import { connectEmulator } from "@oomol-cloud-task/emulator"
import { Embedded, PollSchedule, TaskRuns } from "@oomol-cloud-task/workflow"
import { Console, Effect, Layer, Option, Redacted, Schedule } from "effect"
import { FetchHttpClient } from "effect/http"

const key = process.env.RUN_KEY ?? "example-run-1"
const seconds = Number(process.env.RUN_SECONDS ?? 60)
const baseUrl = process.env.OOMOL_BASE_URL ?? "http://127.0.0.1:8787"
const onEmulator = process.env.OOMOL_API_KEY === undefined

const request = {
  packageName: "@example/durable",
  packageVersion: "1.0.0",
  blockName: "main",
  inputValues: { greeting: "hello from a durable run" }
}

const Runs = TaskRuns.make()

// On the emulator: a block that runs for a minute (RUN_SECONDS), so there is time to stop the program.
const prepare = onEmulator
  ? Effect.promise(() =>
    connectEmulator(baseUrl).defineBlock({
      packageName: "@example/durable",
      durations: { queued: 1_000, running: seconds * 1_000 },
      progress: [10, 30, 50, 70, 90]
    })
  )
  : Effect.void

const createdTasks = onEmulator
  ? Effect.promise(async () => `; tasks created on the emulator so far: ${(await connectEmulator(baseUrl).counters()).createdTasks}`)
  : Effect.succeed("")

// While the run waits, say so every few seconds.
const report = Effect.gen(function*() {
  const outcome = yield* Runs.poll(key)
  if (Option.isNone(outcome)) yield* Console.log(`run "${key}" is waiting${yield* createdTasks}`)
}).pipe(Effect.repeat(Schedule.spaced("5 seconds")))

const program = Effect.gen(function*() {
  yield* prepare
  yield* Console.log(
    Option.isSome(yield* Runs.poll(key))
      ? `Run "${key}" has ended already (delete .task-runs, or set RUN_KEY, for another).`
      : `Starting run "${key}", or resuming it if it was started before. Press Ctrl-C while it waits, then run this again.`
  )
  const { result, taskID } = yield* Runs.run(request, { key, schedule: PollSchedule.fixed("2 seconds") }).pipe(
    Effect.raceFirst(Effect.andThen(report, Effect.never))
  )
  yield* Console.log(`run "${key}" is done: task ${taskID}, result ${JSON.stringify(result.resultData)}${yield* createdTasks}`)
}).pipe(
  Effect.catchTag("CreationUncertain", (error) =>
    Console.log(`${error.message}\nCandidates: ${error.candidates.map((task) => task.taskID).join(", ")}`))
)

const Client = CloudTaskClient.layer({
  baseUrl,
  // The emulator takes any key.
  apiKey: Redacted.make(process.env.OOMOL_API_KEY ?? "emulator-key")
}).pipe(Layer.provide(FetchHttpClient.layer))

const Live = Runs.layer.pipe(Layer.provideMerge(Embedded.layer({ directory: ".task-runs" })), Layer.provide(Client))

program.pipe(Effect.provide(Live), NodeRuntime.runMain)
