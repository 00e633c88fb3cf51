/**
 * The ways a durable run can end besides the client's own errors
 * (`InvalidInput`, `ApiError`, `TaskFailed`, `ResultDataMismatch`,
 * `PollTimeout`): its creation could not be confirmed, it was cancelled, or a
 * reconciliation was asked of a run that does not need one.
 *
 * @since 0.1.0
 */
import * as Task from "@oomol-cloud-task/contract/Task"
import * as Schema from "effect/Schema"

/**
 * The create request of a run, as stored with it.
 *
 * @since 0.1.0
 * @category models
 */
export const CreateRequest = Schema.Struct({
  packageName: Schema.String,
  packageVersion: Schema.String,
  blockName: Schema.String,
  inputValues: Schema.optional(Schema.Record(Schema.String, Schema.Unknown))
})

/**
 * @since 0.1.0
 * @category models
 */
export type CreateRequest = typeof CreateRequest.Type

/**
 * Creating the run's task ended in a way that leaves its fate unknown (the
 * client's `TaskMayExist`, or the process stopped while the create request
 * was in flight). The run never creates a second task by itself: it stops
 * here until the caller decides.
 *
 * `candidates` are the tasks the service lists for the same package and
 * block created between `from` and `until` (epoch milliseconds, widened by a
 * minute on each side for clock skew). Pick one and call
 * `TaskRuns.reconcile(key, taskID)` to resume the run with it; if none is
 * yours, start a run under a new key.
 *
 * @since 0.1.0
 * @category errors
 */
export class CreationUncertain extends Schema.TaggedError<CreationUncertain>()("CreationUncertain", {
  key: Schema.String,
  message: Schema.String,
  reason: Schema.String,
  request: CreateRequest,
  from: Schema.Number,
  until: Schema.Number,
  candidates: Schema.Array(Task.TaskListItem),
  listingError: Schema.optional(Schema.String)
}) {}

/**
 * The run was cancelled with `TaskRuns.cancel`. Its task, if one was
 * created, goes on: the service has no way to stop it.
 *
 * @since 0.1.0
 * @category errors
 */
export class RunCancelled extends Schema.TaggedError<RunCancelled>()("RunCancelled", {
  key: Schema.String,
  message: Schema.String
}) {
  /** @since 0.1.0 */
  static of(key: string): RunCancelled {
    return new RunCancelled({ key, message: `The run "${key}" was cancelled` })
  }
}

/**
 * `TaskRuns.reconcile` was asked of a run that is not waiting for a decision:
 * it is still running, ended otherwise, or does not exist.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotReconcilable extends Schema.TaggedError<NotReconcilable>()("NotReconcilable", {
  key: Schema.String,
  message: Schema.String
}) {}
