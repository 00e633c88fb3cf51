/**
 * The workflow of a task run: its payload, its outcome schemas, and its body
 * (create, then wait), plus the deferred that records a caller's
 * reconciliation decision.
 */
import * as Task from "@oomol-cloud-task/contract/Task"
import {
  ApiError,
  InvalidInput,
  PollTimeout,
  ResultDataMismatch,
  TaskFailed
} from "@oomol-cloud-task/effect/Errors"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Activity from "effect/workflow/Activity"
import * as DurableDeferred from "effect/workflow/DurableDeferred"
import * as Workflow from "effect/workflow/Workflow"
import { CreateRequest, CreationUncertain } from "../Errors.js"
import * as PollSchedule from "../PollSchedule.js"
import { create } from "./create.js"
import { wait } from "./wait.js"

/**
 * What a run is started with. A run under `adopt` creates nothing: it waits
 * for that task, the one a caller picked to reconcile the run `key`.
 */
export const Payload = Schema.Struct({
  key: Schema.String,
  request: CreateRequest,
  schedule: PollSchedule.PollSchedule,
  timeout: Schema.optional(Schema.Number),
  adopt: Schema.optional(Schema.String)
})
export type Payload = typeof Payload.Type

/** The key of the run that resumes `key` with the task its caller picked. */
const reconciledKey = (key: string) => `${key}\u0000reconciled`

/** A run's outcome schemas for a given `resultData` schema. */
export const successSchema = <A>(resultData: Schema.Codec<A, any>) =>
  Schema.Struct({ taskID: Schema.String, result: Task.TaskResultSuccess(resultData) })

export const errorSchema = Schema.Union([
  InvalidInput,
  ApiError,
  TaskFailed,
  ResultDataMismatch,
  PollTimeout,
  CreationUncertain
])

/** The workflow named `name`, its result decoded by `resultData`. */
export const make = <A>(name: string, resultData: Schema.Codec<A, any>): RunWorkflow<A> =>
  Workflow.make(name, {
    payload: Payload,
    success: successSchema(resultData),
    error: errorSchema,
    idempotencyKey: ({ adopt, key }) => (adopt === undefined ? key : reconciledKey(key))
  })

/** A run's workflow. */
export type RunWorkflow<A = any> = Workflow.Workflow<
  string,
  typeof Payload,
  ReturnType<typeof successSchema<A>>,
  typeof errorSchema
>

/** What a caller decided for a run whose creation was uncertain. */
export const Decision = DurableDeferred.make("reconcile/decision", {
  success: Schema.Struct({
    taskID: Schema.String,
    schedule: PollSchedule.PollSchedule,
    timeout: Schema.optional(Schema.Number)
  })
})

// When an adopted run began waiting: its timeout counts from there.
const adoptedAt = Activity.make({ name: "adopt", success: Schema.Number, execute: Clock.currentTimeMillis })

/** The body of a run. */
export const body = <A>(resultData: Schema.Codec<A, any>) => (payload: Payload) =>
  Effect.gen(function*() {
    const started = payload.adopt === undefined
      ? yield* create(payload.key, payload.request)
      : { taskID: payload.adopt, at: yield* adoptedAt }
    const result = yield* wait(started.taskID, started.at, {
      schedule: payload.schedule,
      timeout: payload.timeout,
      resultData
    })
    return { taskID: started.taskID, result }
  })

/** The payload of the run that resumes `uncertain` with the decided task. */
export const reconciled = (
  uncertain: CreationUncertain,
  decision: typeof Decision.successSchema.Type
): Payload => ({
  key: uncertain.key,
  request: uncertain.request,
  schedule: decision.schedule,
  adopt: decision.taskID,
  ...(decision.timeout === undefined ? {} : { timeout: decision.timeout })
})

// `executionId` derives the ID from the payload's key alone; the rest of a
// payload only has to be valid.
const placeholder: Omit<Payload, "key" | "adopt"> = {
  request: { packageName: "-", packageVersion: "-", blockName: "-" },
  schedule: PollSchedule.defaultSchedule
}

/** The execution IDs of the run `key` and of its reconciliation. */
export const executionIds = (workflow: RunWorkflow, key: string) =>
  Effect.all({
    main: workflow.executionId({ ...placeholder, key }),
    reconciled: workflow.executionId({ ...placeholder, key, adopt: "-" })
  })
