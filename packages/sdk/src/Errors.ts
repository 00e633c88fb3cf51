/**
 * The errors a call can reject with: the official SDK's classes, with their
 * fields and messages, and a few finer ones, each a subclass of the official
 * class that code written for the official SDK already catches.
 *
 * @since 0.1.0
 */
import type * as Failure from "@oomol-cloud-task/contract/Failure"

// The contract's codes written out, checked equal to them by `satisfies`: the
// contract's module also holds their schemas, which an `import` of the
// package must not load.

/**
 * Codes a failed task run can carry.
 *
 * @since 0.1.0
 * @category codes
 */
export const RunTaskErrorCode = {
  INSUFFICIENT_QUOTA: "INSUFFICIENT_QUOTA",
  PAYMENT_REQUIRED: "PAYMENT_REQUIRED"
} as const satisfies typeof Failure.RunTaskErrorCode
/** @since 0.1.0 @category codes */
export type RunTaskErrorCode = Failure.RunTaskErrorCode
/** Lets `RunTaskErrorCode.INSUFFICIENT_QUOTA` name a type too. @since 0.1.0 */
export declare namespace RunTaskErrorCode {
  /** @since 0.1.0 */
  export type INSUFFICIENT_QUOTA = typeof Failure.RunTaskErrorCode.INSUFFICIENT_QUOTA
  /** @since 0.1.0 */
  export type PAYMENT_REQUIRED = typeof Failure.RunTaskErrorCode.PAYMENT_REQUIRED
}

/**
 * Codes an upload can fail with.
 *
 * @since 0.1.0
 * @category codes
 */
export const UploadErrorCode = {
  INIT_UPLOAD_FAILED: "INIT_UPLOAD_FAILED",
  MISSING_PRESIGNED_URL: "MISSING_PRESIGNED_URL",
  UPLOAD_FAILED: "UPLOAD_FAILED",
  NETWORK_ERROR: "NETWORK_ERROR",
  UPLOAD_CANCELLED: "UPLOAD_CANCELLED",
  RETRY_EXHAUSTED: "RETRY_EXHAUSTED",
  GET_UPLOAD_URL_FAILED: "GET_UPLOAD_URL_FAILED"
} as const satisfies typeof Failure.UploadErrorCode
/** @since 0.1.0 @category codes */
export type UploadErrorCode = Failure.UploadErrorCode

// A name on the prototype, not on each instance: `String(error)` reads
// `ApiError: …` even when a bundler renames the class, and the name stays out
// of `JSON.stringify(error)` and of the fields a console prints. The class's
// own `name` too, which Node prints an uncaught error by (`Xc [ApiError]: …`
// under a minifier's name): so the bundle needs no `keepNames`.
const named = (constructor: { readonly prototype: Error }, name: string) => {
  Object.defineProperty(constructor, "name", { value: name, configurable: true })
  Object.defineProperty(constructor.prototype, "name", { value: name, writable: true, configurable: true })
}

/**
 * The service answered with a non-2xx status. `message` is the reason the
 * answer's body gives, else `Request failed: <status>`; `body` is the body as
 * it came (parsed JSON, or text).
 *
 * @since 0.1.0
 * @category errors
 */
export class ApiError extends Error {
  readonly status: number
  readonly body: unknown
  /** How long the service asked to wait before trying again (`Retry-After`), in ms. */
  declare readonly retryAfterMs?: number
  constructor(message: string, status: number, body?: unknown, options?: { readonly retryAfterMs?: number | undefined }) {
    super(message)
    this.status = status
    this.body = body
    if (options?.retryAfterMs !== undefined) (this as { retryAfterMs?: number }).retryAfterMs = options.retryAfterMs
  }
}
named(ApiError, "ApiError")

/**
 * A task creation whose fate is unknown: the request may have reached the
 * service (the connection dropped, a 5xx, an unreadable answer), so it was not
 * sent again, since that could run — and bill — the task twice. List the tasks
 * before creating it again. `status` is `0` when no answer came; `reason` is
 * the failure itself.
 *
 * It is an `ApiError` because that is what the official SDK threw for a 5xx
 * answer to a creation, so existing `catch` blocks still take it.
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskMayExistError extends ApiError {
  readonly reason: string
  constructor(message: string, reason: string, status: number, body?: unknown) {
    super(message, status, body)
    this.reason = reason
  }
}
named(TaskMayExistError, "TaskMayExistError")

/**
 * The service answered 2xx with a body that is not what the API describes (not
 * JSON, or a field missing or mistyped — named in `message`). `status` is the
 * 2xx status and `body` what came.
 *
 * It is an `ApiError`: the service answered, but not usefully, and an
 * `ApiError` handler is where a caller already looks at `status` and `body`.
 *
 * @since 0.1.0
 * @category errors
 */
export class MalformedResponseError extends ApiError {}
named(MalformedResponseError, "MalformedResponseError")

/**
 * No answer came: the connection failed or dropped, or a request took longer
 * than `requestTimeoutMs`. `requestSent` is `false` only when the request
 * provably never left the machine (no address, no connection, a TLS handshake
 * refused, a port `fetch` blocks): then a creation is safe to send again.
 * `cause` is what the transport reported.
 *
 * It is a `TypeError` because the official SDK let `fetch`'s own rejection
 * through, and that is a `TypeError` in every runtime ("fetch failed",
 * "Failed to fetch").
 *
 * @since 0.1.0
 * @category errors
 */
export class NetworkError extends TypeError {
  readonly requestSent: boolean
  constructor(message: string, requestSent: boolean, options?: { readonly cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.requestSent = requestSent
  }
}
named(NetworkError, "NetworkError")

/**
 * A task run that did not succeed. `code` and `statusCode` classify it
 * (`INSUFFICIENT_QUOTA` with 402 when the account ran out of quota).
 *
 * @since 0.1.0
 * @category errors
 */
export class RunTaskError extends Error {
  readonly code?: RunTaskErrorCode | undefined
  readonly statusCode?: number | undefined
  constructor(
    message: string,
    options?: { readonly code?: RunTaskErrorCode | undefined; readonly statusCode?: number | undefined }
  ) {
    super(message)
    this.code = options?.code
    this.statusCode = options?.statusCode
  }
}
named(RunTaskError, "RunTaskError")

/**
 * The task ended `failed`. `message` is `Task failed: <reason>` (or
 * `Unknown error`); `detail` is the failed result as it came.
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskFailedError extends RunTaskError {
  readonly taskID: string
  readonly detail: unknown
  constructor(
    taskID: string,
    detail: unknown,
    options?: {
      readonly message?: string | undefined
      readonly code?: RunTaskErrorCode | undefined
      readonly statusCode?: number | undefined
    }
  ) {
    super(options?.message ?? "Task failed", options)
    this.taskID = taskID
    this.detail = detail
  }
}
named(TaskFailedError, "TaskFailedError")

/**
 * Waiting took longer than `timeoutMs`. The message is
 * `Task polling timeout after <N> minutes`, followed by
 * `. Last polling request error: <reason>` when a poll had failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class TimeoutError extends Error {
  constructor(message = "Operation timed out") {
    super(message)
  }
}
named(TimeoutError, "TimeoutError")

/**
 * An upload failed; `code` says at which step, `statusCode` is the HTTP status
 * when there was one.
 *
 * @since 0.1.0
 * @category errors
 */
export class UploadError extends Error {
  readonly statusCode: number | undefined
  readonly code: UploadErrorCode
  constructor(message: string, statusCode: number | undefined, code: UploadErrorCode, options?: ErrorOptions) {
    super(message, options)
    this.statusCode = statusCode
    this.code = code
  }
}
named(UploadError, "UploadError")

/**
 * An argument broke a rule of the API (a page size, the workload IDs, an empty
 * task ID, input that JSON cannot carry). Nothing was sent. The official SDK
 * throws a plain `Error` with the same message.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidInputError extends Error {}
named(InvalidInputError, "InvalidInputError")

/**
 * The client was disposed: calls made after `dispose()`, and calls still
 * running when it was called, reject with this.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClientDisposedError extends Error {
  constructor(message = "This OomolTaskClient has been disposed; create a new one to make more calls") {
    super(message)
  }
}
named(ClientDisposedError, "ClientDisposedError")
