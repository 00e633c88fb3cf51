/**
 * Every way a call can fail, as tagged errors with readable messages.
 *
 * Each endpoint's error channel names exactly the errors it can produce; raw
 * HTTP client or parse errors never escape. No error carries the API key: a
 * transport failure keeps its cause, never the request that held the headers.
 *
 * @since 0.1.0
 */
import * as Failure from "@oomol-cloud-task/contract/Failure"
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"
import * as SchemaTransformation from "effect/SchemaTransformation"

// `Schema.Duration`, stored as JSON in the same form (`{ "_tag": "Millis",
// "value": 1500 }`, `{ "_tag": "Nanos", "value": "1500" }`, `Infinity`,
// `NegativeInfinity`), without the machinery of `Schema.BigInt` it would bring
// into every browser bundle.
const DurationSchema: Schema.Duration = Schema.declare(Duration.isDuration, {
  expected: "Duration",
  toCodecJson: () =>
    Schema.link<Duration.Duration>()(
      Schema.Union([
        Schema.Struct({ _tag: Schema.Literals(["Infinity", "NegativeInfinity"]) }),
        Schema.Struct({
          _tag: Schema.Literal("Nanos"),
          value: Schema.String.check(Schema.makeFilter((s: string) => /^-?\d+$/.test(s), { expected: "a string representing a bigint" }))
        }),
        Schema.Struct({
          _tag: Schema.Literal("Millis"),
          // `Schema.Int`, whose machinery is in no other browser code.
          value: Schema.Number.check(
            Schema.makeFilter(Number.isSafeInteger, { expected: "an integer", representation: { id: "effect/schema/isInt", payload: null } })
          )
        })
      ]),
      SchemaTransformation.transform({
        decode: (e) =>
          e._tag === "Nanos"
            ? Duration.nanos(BigInt(e.value))
            : e._tag === "Millis"
            ? Duration.millis(e.value)
            : e._tag === "Infinity"
            ? Duration.infinity
            : Duration.negativeInfinity,
        encode: ({ value }) =>
          value._tag === "Nanos"
            ? { _tag: "Nanos", value: String(value.nanos) } as const
            : value._tag === "Millis"
            ? { _tag: "Millis", value: value.millis } as const
            : { _tag: value._tag }
      })
    )
})

/**
 * Input that breaks a rule of the API (a page size, a workload ID list, a task
 * ID, a body that is not JSON). Nothing was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  message: Schema.String
}) {}

/**
 * The service answered with a non-2xx status. `message` is the reason its body
 * gives, else `Request failed: <status>`; `body` is kept as it came.
 * `retryAfter` is the wait a `Retry-After` header asked for.
 *
 * @since 0.1.0
 * @category errors
 */
export class ApiError extends Schema.TaggedError<ApiError>()("ApiError", {
  status: Schema.Number,
  body: Schema.Unknown,
  message: Schema.String,
  retryAfter: Schema.optional(DurationSchema)
}) {}

/**
 * No answer came: the connection failed or dropped, or the request timed out.
 * `requestSent` is `false` only when the request provably never left the
 * machine (no address, no connection, a TLS handshake refused, a request the
 * platform refuses to build; with `UndiciHttpClient`, anything before it was
 * written), so the service cannot have seen it.
 *
 * @since 0.1.0
 * @category errors
 */
export class NetworkError extends Schema.TaggedError<NetworkError>()("NetworkError", {
  message: Schema.String,
  requestSent: Schema.Boolean,
  cause: Schema.optional(Schema.Unknown)
}) {}

/**
 * The service answered 2xx with a body that is not what the API describes: not
 * JSON, or missing or mistyping a field (named in `message`).
 *
 * @since 0.1.0
 * @category errors
 */
export class MalformedResponse extends Schema.TaggedError<MalformedResponse>()("MalformedResponse", {
  message: Schema.String,
  status: Schema.Number,
  body: Schema.Unknown
}) {}

/**
 * Creating a task failed in a way that leaves its fate unknown: the request may
 * have reached the service (a dropped connection, a 5xx, an unreadable answer).
 * It was not sent again, since that could run — and bill — the task twice.
 * List the tasks before creating it again.
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskMayExist extends Schema.TaggedError<TaskMayExist>()("TaskMayExist", {
  message: Schema.String,
  reason: Schema.String,
  status: Schema.optional(Schema.Number),
  body: Schema.optional(Schema.Unknown)
}) {
  /** @since 0.1.0 */
  static fromFailure(failure: RequestError): TaskMayExist {
    return new TaskMayExist({
      message: `The task may have been created: ${failure.message}. It was not sent again; list tasks before retrying.`,
      reason: failure.message,
      ...(failure._tag === "NetworkError" ? {} : { status: failure.status, body: failure.body })
    })
  }
}

/**
 * The task ended `failed`. `reason` is the service's text; a reason about
 * quota, balance or credit is `code: "INSUFFICIENT_QUOTA"` with
 * `statusCode: 402`. `detail` is the failed result as it came.
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskFailed extends Schema.TaggedError<TaskFailed>()("TaskFailed", {
  taskID: Schema.String,
  message: Schema.String,
  reason: Schema.NullOr(Schema.String),
  code: Schema.optional(Failure.RunTaskErrorCodeSchema),
  statusCode: Schema.optional(Schema.Number),
  detail: Schema.Unknown
}) {
  /** @since 0.1.0 */
  static fromResult(taskID: string, detail: { readonly error?: string | null }): TaskFailed {
    const reason = Failure.messageOf(detail.error ?? null) ?? null
    const text = reason ?? "Unknown error"
    return new TaskFailed({ taskID, message: `Task failed: ${text}`, reason, detail, ...Failure.classifyFailure(text) })
  }
}

/**
 * A task succeeded, but its `resultData` is not what the schema says (the
 * caller's `resultData` schema, or a list of objects by default). Polling
 * again cannot change a finished task's data, so the wait ends at once.
 * `issue` says what does not match, in one line; `resultData` is the data as
 * it came.
 *
 * @since 0.2.0
 * @category errors
 */
export class ResultDataMismatch extends Schema.TaggedError<ResultDataMismatch>()("ResultDataMismatch", {
  taskID: Schema.String,
  message: Schema.String,
  issue: Schema.String,
  resultData: Schema.Unknown
}) {
  /** @since 0.2.0 */
  static fromIssue(taskID: string, issue: string, resultData: unknown): ResultDataMismatch {
    return new ResultDataMismatch({
      taskID,
      message: `Task ${taskID} succeeded, but its resultData does not match the schema: ${issue}`,
      issue,
      resultData
    })
  }
}

/**
 * Waiting for a task took longer than the timeout, or the polling schedule
 * ended before the task did. The message follows the official SDK:
 * `Task polling timeout after <N> minutes`, then the last polling error's
 * message. `lastError` is that error itself: a poll that failed for a reason
 * that could heal (`ApiError` 408, 429 or 5xx, `NetworkError`,
 * `MalformedResponse`).
 *
 * @since 0.1.0
 * @category errors
 */
export class PollTimeout extends Schema.TaggedError<PollTimeout>()("PollTimeout", {
  taskID: Schema.String,
  message: Schema.String,
  timeout: Schema.optional(DurationSchema),
  lastError: Schema.optional(Schema.Union([ApiError, NetworkError, MalformedResponse]))
}) {
  /** @since 0.1.0 */
  static after(taskID: string, timeout: Duration.Duration | undefined, lastError: RequestError | undefined): PollTimeout {
    const base = timeout === undefined
      ? "Task polling stopped: the polling schedule ended before the task finished"
      : `Task polling timeout after ${Math.max(1, Math.round(Duration.toMillis(timeout) / 60_000))} minutes`
    return new PollTimeout({
      taskID,
      message: lastError === undefined ? base : `${base}. Last polling request error: ${lastError.message}`,
      ...(timeout === undefined ? {} : { timeout }),
      ...(lastError === undefined ? {} : { lastError })
    })
  }
}

/**
 * An upload failed. `code` is one of the official upload codes; `statusCode`
 * is the HTTP status when there was one; `cause` is the failure underneath
 * (an `ApiError` with the body, a `NetworkError`).
 *
 * @since 0.1.0
 * @category errors
 */
export class UploadError extends Schema.TaggedError<UploadError>()("UploadError", {
  code: Failure.UploadErrorCodeSchema,
  message: Schema.String,
  statusCode: Schema.optional(Schema.Number),
  cause: Schema.optional(Schema.Unknown)
}) {}

/**
 * What a request can fail with once sent.
 *
 * @since 0.1.0
 * @category errors
 */
export type RequestError = ApiError | NetworkError | MalformedResponse

/**
 * Every error of the client.
 *
 * @since 0.1.0
 * @category errors
 */
export type CloudTaskError =
  | InvalidInput
  | ApiError
  | NetworkError
  | MalformedResponse
  | TaskMayExist
  | TaskFailed
  | ResultDataMismatch
  | PollTimeout
  | UploadError

const cloudTaskErrorTags: ReadonlySet<string> = new Set<CloudTaskError["_tag"]>([
  "InvalidInput",
  "ApiError",
  "NetworkError",
  "MalformedResponse",
  "TaskMayExist",
  "TaskFailed",
  "ResultDataMismatch",
  "PollTimeout",
  "UploadError"
])

/**
 * Whether `value` is one of the client's errors (by its tag, so it also holds
 * for an error from another copy of this module).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isCloudTaskError = (value: unknown): value is CloudTaskError =>
  typeof value === "object" && value !== null && cloudTaskErrorTags.has((value as { readonly _tag?: unknown })._tag as string)
