/**
 * Durable task runs: a cloud task created and awaited as an `effect/workflow`
 * workflow, so the wait survives restarts and the task is created once per
 * run, ever.
 *
 * A run is named by an idempotency key: starting the same key again joins the
 * run instead of creating another task. Creation is an activity, so once it
 * has settled it is never sent again, even after a crash; waiting is a poll
 * per activity with a durable sleep between polls. The engine (and where the
 * runs are stored) comes from a `WorkflowEngine` layer: `Embedded.layer` for
 * one process with a local file, `Cluster.layer` for runners sharing
 * PostgreSQL, or `WorkflowEngine.layerMemory` in tests.
 *
 * @example
 * ```ts
 * import { CloudTaskClient } from "@oomol-cloud-task/effect"
 * import { Embedded, TaskRuns } from "@oomol-cloud-task/workflow"
 * import { Effect, Layer } from "effect"
 * import { FetchHttpClient } from "effect/http"
 *
 * const Runs = TaskRuns.make()
 *
 * const program = Effect.gen(function*() {
 *   const { taskID, result } = yield* Runs.run(
 *     { packageName: "@oomol/my-package", packageVersion: "1.0.0", blockName: "main", inputValues: { text: "hi" } },
 *     { key: "order-42" }
 *   )
 *   yield* Effect.log(taskID, result.resultData)
 * })
 *
 * const Client = CloudTaskClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * const Live = Runs.layer.pipe(Layer.provideMerge(Embedded.layer({ directory: ".task-runs" })), Layer.provide(Client))
 * ```
 *
 * @since 0.1.0
 */
import * as Task from "@oomol-cloud-task/contract/Task"
import type * as CloudTaskClient from "@oomol-cloud-task/effect/CloudTaskClient"
import type {
  ApiError,
  InvalidInput,
  PollTimeout,
  ResultDataMismatch,
  TaskFailed
} from "@oomol-cloud-task/effect/Errors"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import * as DurableDeferred from "effect/workflow/DurableDeferred"
import type * as WorkflowEngine from "effect/workflow/WorkflowEngine"
import { type CreationUncertain, NotReconcilable, type RunCancelled } from "./Errors.js"
import * as Defaults from "./internal/defaults.js"
import * as Input from "./internal/input.js"
import { keyOf as keyOfRequest } from "./internal/key.js"
import * as Outcomes from "./internal/outcomes.js"
import * as Run from "./internal/run.js"
import type * as PollSchedule from "./PollSchedule.js"

/**
 * What a run gives back: its task and the task's result.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunSuccess<A = Task.DefaultResultData> {
  readonly taskID: string
  readonly result: Task.TaskResultSuccess<A>
}

/**
 * Every way a run can end other than success.
 *
 * @since 0.1.0
 * @category errors
 */
export type RunError =
  | InvalidInput
  | ApiError
  | TaskFailed
  | ResultDataMismatch
  | PollTimeout
  | CreationUncertain
  | RunCancelled

/**
 * How a run waits for its task. Stored with the run when it starts.
 *
 * @since 0.1.0
 * @category options
 */
export interface WaitOptions {
  /** When to poll. Default `PollSchedule.defaultSchedule` (every 3 s). */
  readonly schedule?: PollSchedule.PollSchedule | undefined
  /** Give up with a `PollTimeout` this long after the task was created. Default: wait until it ends. */
  readonly timeout?: Duration.Input | undefined
}

/**
 * How to start a run.
 *
 * @since 0.1.0
 * @category options
 */
export interface StartOptions extends WaitOptions {
  /**
   * Names the run: the same key always names the same run, whatever the
   * request. Default `keyOf(request)`, so the same request names the same run.
   */
  readonly key?: string | undefined
}

/**
 * How `await` asks about a run it did not start.
 *
 * @since 0.1.0
 * @category options
 */
export interface AwaitOptions {
  /** When to look again. Default from 100 ms, growing by 1.5 up to every 2 s. */
  readonly schedule?: Schedule.Schedule<unknown> | undefined
}

/**
 * Task runs of one kind: the workflow, the layer that runs it, and the
 * operations on runs by key.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskRuns<A = Task.DefaultResultData> {
  /** The workflow's name, as stored with each run. */
  readonly name: string
  /** The `effect/workflow` workflow itself. */
  readonly workflow: Run.RunWorkflow<A>
  /** Registers the workflow with the engine: runs start and resume wherever it is provided. */
  readonly layer: Layer.Layer<never, never, WorkflowEngine.WorkflowEngine | CloudTaskClient.CloudTaskClient>
  /**
   * Starts the run (or joins the one under the same key) and answers its key.
   * A request that breaks the API's rules fails with `InvalidInput` and starts nothing.
   */
  readonly start: (
    request: CloudTaskClient.CreateTaskRequest,
    options?: StartOptions
  ) => Effect.Effect<string, InvalidInput, WorkflowEngine.WorkflowEngine>
  /** Starts the run (or joins it) and waits for its outcome. */
  readonly run: (
    request: CloudTaskClient.CreateTaskRequest,
    options?: StartOptions
  ) => Effect.Effect<RunSuccess<A>, RunError, WorkflowEngine.WorkflowEngine>
  /** Waits for the outcome of the run `key`, started here or in any other process. */
  readonly await: (
    key: string,
    options?: AwaitOptions
  ) => Effect.Effect<RunSuccess<A>, RunError, WorkflowEngine.WorkflowEngine>
  /** The outcome of the run `key` if it has one, `None` while it runs (or before it starts). */
  readonly poll: (key: string) => Effect.Effect<Option.Option<Exit.Exit<RunSuccess<A>, RunError>>, never, WorkflowEngine.WorkflowEngine>
  /** Stops the run `key` (its task, if created, goes on); `await` then fails with `RunCancelled`. */
  readonly cancel: (key: string) => Effect.Effect<void, never, WorkflowEngine.WorkflowEngine>
  /**
   * Resumes the run `key`, which ended with `CreationUncertain`, with the task
   * `taskID` the caller picked: the run then waits for that task. The first
   * decision stands.
   */
  readonly reconcile: (
    key: string,
    taskID: string,
    options?: WaitOptions
  ) => Effect.Effect<void, InvalidInput | NotReconcilable, WorkflowEngine.WorkflowEngine>
}

/**
 * The default key of a run of `request`: `sha256:` and the digest of its
 * package, version, block and input values (object keys in any order).
 *
 * @since 0.1.0
 * @category keys
 */
export const keyOf = (request: CloudTaskClient.CreateTaskRequest): Effect.Effect<string> =>
  keyOfRequest(Input.toCreateRequest(request))

const defaultAwaitSchedule: Schedule.Schedule<unknown> = Schedule.min([
  Schedule.exponential(Defaults.awaitBaseMillis, 1.5),
  Schedule.spaced(Defaults.awaitCapMillis)
])

/**
 * Task runs whose results' `resultData` is decoded by `options.resultData`
 * (default: a list of objects). Runs of different result types need
 * different `name`s.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <A = Task.DefaultResultData>(options: {
  readonly name?: string | undefined
  readonly resultData?: Schema.Codec<A, any> | undefined
} = {}): TaskRuns<A> => {
  const name = options.name ?? Defaults.workflowName
  const resultData = (options.resultData ?? Task.DefaultResultData) as Schema.Codec<A, any>
  const workflow = Run.make(name, resultData)
  const layer = workflow.toLayer(Run.body(resultData))
  const outcomes = Outcomes.make(workflow)
  // The outcomes are read untyped from the engine; the workflow's schemas made them.
  const typed = <R>(effect: Effect.Effect<Outcomes.Outcome, never, R>) =>
    effect as Effect.Effect<Exit.Exit<RunSuccess<A>, RunError>, never, R>

  const payloadOf = (request: CloudTaskClient.CreateTaskRequest, options: StartOptions) =>
    Effect.gen(function*() {
      const valid = yield* Input.request(request)
      const key = yield* Input.key(options.key ?? (yield* keyOfRequest(valid)))
      return { key, request: valid, ...Input.waiting(options) } satisfies Run.Payload
    })

  const start: TaskRuns<A>["start"] = (request, startOptions = {}) =>
    Effect.gen(function*() {
      const payload = yield* payloadOf(request, startOptions)
      yield* workflow.execute(payload, { discard: true })
      return payload.key
    })

  const run: TaskRuns<A>["run"] = (request, startOptions = {}) =>
    Effect.gen(function*() {
      const payload = yield* payloadOf(request, startOptions)
      const mainId = yield* workflow.executionId(payload)
      // `execute` joins a run under the same key, and is woken when it ends.
      const exit = yield* Effect.exit(workflow.execute(payload))
      return yield* typed(outcomes.settle(payload.key, outcomes.outcomeOf(payload.key, exit), mainId))
    }).pipe(Effect.flatten)

  const await_: TaskRuns<A>["await"] = (key, awaitOptions = {}) =>
    Effect.gen(function*() {
      const ids = yield* Run.executionIds(workflow, yield* Input.key(key))
      const outcome = yield* outcomes.wait(key, ids.main, awaitOptions.schedule ?? defaultAwaitSchedule)
      return yield* typed(outcomes.settle(key, outcome, ids.main))
    }).pipe(Effect.flatten)

  const poll: TaskRuns<A>["poll"] = (key) =>
    Effect.gen(function*() {
      if (typeof key !== "string" || key.length === 0) return Option.none()
      const ids = yield* Run.executionIds(workflow, key)
      const main = yield* outcomes.poll(key, ids.main)
      if (Option.isNone(main) || outcomes.uncertaintyOf(main.value) === undefined) return main
      const decision = yield* outcomes.decisionOf(ids.main)
      return Option.isNone(decision) ? main : yield* outcomes.poll(key, ids.reconciled)
    }) as Effect.Effect<Option.Option<Exit.Exit<RunSuccess<A>, RunError>>, never, WorkflowEngine.WorkflowEngine>

  const cancel: TaskRuns<A>["cancel"] = (key) =>
    Effect.gen(function*() {
      if (typeof key !== "string" || key.length === 0) return
      const ids = yield* Run.executionIds(workflow, key)
      yield* workflow.interrupt(ids.main)
      if (Option.isSome(yield* outcomes.decisionOf(ids.main))) yield* workflow.interrupt(ids.reconciled)
    })

  const reconcile: TaskRuns<A>["reconcile"] = (key, taskID, waitOptions = {}) =>
    Effect.gen(function*() {
      const ids = yield* Run.executionIds(workflow, yield* Input.key(key))
      const id = yield* Input.taskID(taskID)
      const main = yield* outcomes.poll(key, ids.main)
      const uncertain = Option.isSome(main) ? outcomes.uncertaintyOf(main.value) : undefined
      if (uncertain === undefined) {
        return yield* Effect.fail(
          new NotReconcilable({
            key,
            message: `The run "${key}" is not waiting for a decision: ${
              Option.isNone(main) ? "it is still running, or was never started" : "it did not end with CreationUncertain"
            }`
          })
        )
      }
      const token = DurableDeferred.tokenFromExecutionId(Run.Decision, { workflow, executionId: ids.main })
      yield* DurableDeferred.succeed(Run.Decision, { token, value: { taskID: id, ...Input.waiting(waitOptions) } })
      // The first decision stands: a later, different one is refused.
      const decision = yield* outcomes.decisionOf(ids.main)
      if (Option.isNone(decision)) return yield* Effect.die(new Error("The reconciliation decision was not recorded"))
      if (decision.value.taskID !== id) {
        return yield* Effect.fail(
          new NotReconcilable({ key, message: `The run "${key}" was already reconciled with task ${decision.value.taskID}` })
        )
      }
      yield* workflow.execute(Run.reconciled(uncertain, decision.value), { discard: true })
    })

  return { name, workflow, layer, start, run, await: await_, poll, cancel, reconcile }
}
