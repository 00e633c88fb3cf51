/**
 * Waiting for a run's task: a poll per activity, a durable sleep between
 * polls on the run's schedule. A poll that fails for a reason that can heal is
 * polled through at the next tick, as the client's `awaitResult` does; one that
 * cannot ends the run.
 */
import * as Task from "@oomol-cloud-task/contract/Task"
import * as Wire from "@oomol-cloud-task/contract/Wire"
import * as CloudTaskClient from "@oomol-cloud-task/effect/CloudTaskClient"
import {
  ApiError,
  InvalidInput,
  MalformedResponse,
  NetworkError,
  PollTimeout,
  type RequestError,
  ResultDataMismatch,
  TaskFailed
} from "@oomol-cloud-task/effect/Errors"
import * as Polling from "@oomol-cloud-task/effect/Polling"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Activity from "effect/workflow/Activity"
import * as DurableClock from "effect/workflow/DurableClock"
import * as PollSchedule from "../PollSchedule.js"
import * as Storable from "./storable.js"

/** What one poll saw; `at` is when, by this process's clock. */
const Outcome = Schema.Union([
  Schema.TaggedStruct("InProgress", { status: Task.InProgressStatus, progress: Schema.Number, at: Schema.Number }),
  Schema.TaggedStruct("Succeeded", {
    resultURL: Schema.NullOr(Schema.String),
    resultData: Schema.optional(Schema.Unknown),
    at: Schema.Number
  }),
  Schema.TaggedStruct("Failed", { error: Schema.NullOr(Schema.String), at: Schema.Number }),
  // A poll failure that can heal: the next tick polls again.
  Schema.TaggedStruct("PollFailed", {
    error: Schema.Union([ApiError, NetworkError, MalformedResponse]),
    at: Schema.Number
  })
])

const pollOnce = (taskID: string, n: number) =>
  Activity.make({
    name: `poll/${n}`,
    success: Outcome,
    error: Schema.Union([InvalidInput, ApiError, ResultDataMismatch]),
    execute: Effect.gen(function*() {
      const client = yield* CloudTaskClient.CloudTaskClient
      // `resultData` is decoded with the caller's schema once the task has
      // succeeded: a mismatch then is final, not a garbled answer to poll through.
      const result = yield* Effect.result(client.getTaskResult(taskID, { resultData: Schema.Unknown }))
      const at = yield* Clock.currentTimeMillis
      if (result._tag === "Failure") {
        const error = result.failure
        if (error._tag === "InvalidInput" || error._tag === "ResultDataMismatch") return yield* Effect.fail(error)
        if (Polling.isPermanent(error)) return yield* Effect.fail(error)
        return { _tag: "PollFailed" as const, error: Storable.requestError(error), at }
      }
      const answer = result.success
      switch (answer.status) {
        case "success":
          return {
            _tag: "Succeeded" as const,
            resultURL: answer.resultURL,
            ...("resultData" in answer ? { resultData: answer.resultData } : {}),
            at
          }
        case "failed":
          return { _tag: "Failed" as const, error: answer.error, at }
        default:
          return { _tag: "InProgress" as const, status: answer.status, progress: answer.progress, at }
      }
    })
  })

/** How a run waits. `timeout` is in milliseconds from `since`. */
export interface WaitOptions<A> {
  readonly schedule: PollSchedule.PollSchedule
  readonly timeout: number | undefined
  readonly resultData: Schema.Codec<A, any>
}

/** The success of the task: its result, or how it failed. */
export const wait = <A>(taskID: string, since: number, options: WaitOptions<A>) => {
  const decode = Schema.decodeUnknownEffect(options.resultData)
  const deadline = options.timeout === undefined ? undefined : since + options.timeout
  return Effect.gen(function*() {
    let lastError: RequestError | undefined
    for (let n = 1;; n++) {
      const outcome = yield* pollOnce(taskID, n)
      switch (outcome._tag) {
        case "Succeeded": {
          if (!("resultData" in outcome)) {
            return { status: "success" as const, resultURL: outcome.resultURL } satisfies Task.TaskResultSuccess<A>
          }
          const resultData = yield* decode(outcome.resultData).pipe(
            Effect.mapError((error) =>
              ResultDataMismatch.fromIssue(taskID, Wire.describeSchemaError(error), outcome.resultData)
            )
          )
          return { status: "success" as const, resultURL: outcome.resultURL, resultData } satisfies Task.TaskResultSuccess<A>
        }
        case "Failed":
          return yield* Effect.fail(TaskFailed.fromResult(taskID, { error: outcome.error }))
        case "PollFailed":
          lastError = outcome.error
      }
      let pause = PollSchedule.delay(options.schedule, n)
      if (deadline !== undefined) {
        const left = deadline - outcome.at
        if (left <= 0) {
          // lastError was stored, so it is storable already.
          return yield* Effect.fail(PollTimeout.after(taskID, Duration.millis(options.timeout!), lastError))
        }
        pause = Duration.min(pause, Duration.millis(left))
      }
      yield* DurableClock.sleep({ name: `poll/${n}/wait`, duration: pause })
    }
  })
}
