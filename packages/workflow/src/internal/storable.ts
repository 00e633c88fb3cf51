/**
 * What a run stores of the client's errors: data only, so the engine can
 * write it as JSON. A transport failure's cause is an object of the runtime,
 * so it is left out (the message keeps what it said).
 */
import { NetworkError, type RequestError } from "@oomol-cloud-task/effect/Errors"

/** `error` without what cannot be stored. */
export const requestError = (error: RequestError): RequestError =>
  error._tag === "NetworkError" && error.cause !== undefined
    ? new NetworkError({ message: error.message, requestSent: error.requestSent })
    : error

