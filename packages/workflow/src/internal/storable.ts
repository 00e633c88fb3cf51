/**
 * What a run stores of the client's errors: data only, so the engine can
 * write it as JSON. A transport failure's cause is an object of the runtime;
 * a `Retry-After` or a timeout is a `Duration`, which the client's error
 * schemas do not write as JSON (their messages keep what they said).
 */
import { ApiError, NetworkError, PollTimeout, type RequestError } from "@oomol-cloud-task/effect/Errors"

/** `error` without what cannot be stored. */
export const requestError = (error: RequestError): RequestError => {
  switch (error._tag) {
    case "NetworkError":
      return new NetworkError({ message: error.message, requestSent: error.requestSent })
    case "ApiError":
      return apiError(error)
    case "MalformedResponse":
      return error
  }
}

/** An `ApiError` without its `retryAfter`. */
export const apiError = (error: ApiError): ApiError =>
  error.retryAfter === undefined ? error : new ApiError({ status: error.status, body: error.body, message: error.message })

/** A `PollTimeout` in the client's words, without its `timeout` (its message says it). */
export const pollTimeout = (timeout: PollTimeout): PollTimeout =>
  new PollTimeout({
    taskID: timeout.taskID,
    message: timeout.message,
    ...(timeout.lastError === undefined ? {} : { lastError: requestError(timeout.lastError) })
  })
