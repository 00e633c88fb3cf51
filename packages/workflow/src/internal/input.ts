/**
 * What callers give, checked before anything starts or is sent: the create
 * request (by the contract's rules), a run's key, a task ID, the polling
 * options as they are stored.
 */
import * as Task from "@oomol-cloud-task/contract/Task"
import * as Wire from "@oomol-cloud-task/contract/Wire"
import type * as CloudTaskClient from "@oomol-cloud-task/effect/CloudTaskClient"
import { InvalidInput } from "@oomol-cloud-task/effect/Errors"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { CreateRequest } from "../Errors.js"
import * as PollSchedule from "../PollSchedule.js"

/** The fields of a create request a run keeps (`webhookUrl` and `metadata` are never sent). */
export const toCreateRequest = (request: CloudTaskClient.CreateTaskRequest): CreateRequest => ({
  packageName: request.packageName,
  packageVersion: request.packageVersion,
  blockName: request.blockName,
  ...(request.inputValues === undefined ? {} : { inputValues: request.inputValues })
})

const invalid = (subject: string) => (error: Schema.SchemaError) =>
  new InvalidInput({ message: `Invalid ${subject}: ${Wire.describeSchemaError(error)}` })

/** The request, if the API would take it. */
export const request = (request: CloudTaskClient.CreateTaskRequest): Effect.Effect<CreateRequest, InvalidInput> =>
  Schema.decodeUnknownEffect(Task.CreateTaskBody)({ type: "serverless", ...toCreateRequest(request) }).pipe(
    Effect.mapError(invalid("task request")),
    Effect.as(toCreateRequest(request))
  )

/** A run's key: any non-empty text. */
export const key = (key: string): Effect.Effect<string, InvalidInput> =>
  typeof key === "string" && key.length > 0
    ? Effect.succeed(key)
    : Effect.fail(new InvalidInput({ message: "A run's key must be a non-empty string" }))

/** A task ID, by the contract's rules. */
export const taskID = (taskID: string): Effect.Effect<string, InvalidInput> =>
  Effect.mapError(Schema.decodeUnknownEffect(Task.TaskID)(taskID), invalid("task ID"))

/** How a run waits, as it is stored: the schedule, and the timeout in milliseconds. */
export const waiting = (options: {
  readonly schedule?: PollSchedule.PollSchedule | undefined
  readonly timeout?: Duration.Input | undefined
}) => ({
  schedule: options.schedule ?? PollSchedule.defaultSchedule,
  ...(options.timeout === undefined ? {} : { timeout: Duration.toMillis(Duration.fromInputUnsafe(options.timeout)) })
})
