/**
 * The one place an Effect client failure becomes the error a Promise caller
 * catches.
 */
import * as Errors from "@oomol-cloud-task/effect/Errors"
import * as Duration from "effect/Duration"
import {
  ApiError,
  InvalidInputError,
  MalformedResponseError,
  NetworkError,
  TaskFailedError,
  TaskMayExistError,
  TimeoutError,
  UploadError
} from "../Errors.js"

/** A client error as its facade class. */
export const fromClientError = (error: Errors.CloudTaskError): Error => {
  switch (error._tag) {
    case "InvalidInput":
      return new InvalidInputError(error.message)
    case "ApiError":
      return new ApiError(error.message, error.status, error.body, {
        retryAfterMs: error.retryAfter === undefined ? undefined : Duration.toMillis(error.retryAfter)
      })
    case "NetworkError":
      return new NetworkError(error.message, error.requestSent, { cause: error.cause })
    case "MalformedResponse":
      return new MalformedResponseError(error.message, error.status, error.body)
    case "TaskMayExist":
      return new TaskMayExistError(error.message, error.reason, error.status ?? 0, error.body)
    case "TaskFailed":
      return new TaskFailedError(error.taskID, error.detail, {
        message: error.message,
        code: error.code,
        statusCode: error.statusCode
      })
    case "ResultDataMismatch":
      // The facade reads resultData unchecked (Schema.Unknown), so this comes only from a caller's own schema.
      return new MalformedResponseError(error.message, 200, error.resultData)
    case "PollTimeout":
      return new TimeoutError(error.message)
    case "UploadError":
      // What made it fail (an ApiError whose body says why, a NetworkError) as
      // its facade class; Node's own error for a file that could not be read.
      return new UploadError(
        error.message,
        error.statusCode,
        error.code,
        error.cause === undefined
          ? undefined
          : { cause: Errors.isCloudTaskError(error.cause) ? fromClientError(error.cause) : error.cause }
      )
  }
}

/**
 * What a failed call rejects with: a client error as its facade class; any
 * other thrown value (an `onProgress` callback that threw, a defect) as it was.
 */
export const toRejection = (squashed: unknown): unknown => (Errors.isCloudTaskError(squashed) ? fromClientError(squashed) : squashed)

/**
 * The official SDK's abort error: a `DOMException` named `AbortError` with the
 * message "The operation was aborted.". The signal's `reason` rides along as
 * `cause`, so a caller who aborted with a reason can still read it.
 */
export const abortError = (signal: AbortSignal | undefined): Error => {
  const error: Error = typeof DOMException === "function"
    ? new DOMException("The operation was aborted.", "AbortError")
    : Object.assign(new Error("The operation was aborted."), { name: "AbortError" })
  if (signal !== undefined && signal.reason !== undefined) {
    Object.defineProperty(error, "cause", { value: signal.reason, writable: true, configurable: true })
  }
  return error
}
