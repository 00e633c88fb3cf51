/**
 * An upload's checks and failures: the options checked before anything is
 * sent, `init`'s answer checked against the file, and each failure as the
 * official `UploadError` code and message.
 */
import * as Failure from "@oomol-cloud-task/contract/Failure"
import type * as Wire from "@oomol-cloud-task/contract/Upload"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import { InvalidInput, type RequestError, UploadError } from "../Errors.js"
import * as Defaults from "./defaults.js"
import { httpUrl } from "./input.js"
import type { Plan } from "./uploadSource.js"

const code = Failure.UploadErrorCode

/** The official message of a step that failed, with the status when there was one. */
export const stepFailed = (errorCode: Failure.UploadErrorCode, what: string) => (error: RequestError): UploadError =>
  new UploadError({
    code: errorCode,
    message: `${what}: ${error._tag === "ApiError" ? error.status : error.message}`,
    ...(error._tag === "NetworkError" ? {} : { statusCode: error.status }),
    cause: error
  })

/** `init` refused or unreadable. */
export const initFailed = stepFailed(code.INIT_UPLOAD_FAILED, "Failed to initialize upload")

/** The file's URL refused or unreadable. */
export const urlFailed = stepFailed(code.GET_UPLOAD_URL_FAILED, "Failed to get upload URL")

/** A part that failed for good. */
export const partFailed = (error: RequestError): UploadError =>
  error._tag === "NetworkError"
    ? new UploadError({ code: code.NETWORK_ERROR, message: "Network error during upload", cause: error })
    : new UploadError({
      code: code.UPLOAD_FAILED,
      message: `Upload failed with status ${error.status}`,
      statusCode: error.status,
      cause: error
    })

/** A part that kept failing in a way another try could heal, until the tries ran out. */
export const exhausted = (error: RequestError, attempts: number): UploadError => {
  const last = partFailed(error)
  return new UploadError({
    code: code.RETRY_EXHAUSTED,
    message: `Failed after ${attempts} attempts: ${last.message}`,
    ...(last.statusCode === undefined ? {} : { statusCode: last.statusCode }),
    cause: error
  })
}

/** Checks that `init`'s answer cuts exactly this file, and has a URL for every part. */
export const planOf = (
  data: Wire.UploadInitResponse["data"],
  size: number
): Effect.Effect<{ readonly plan: Plan; readonly urls: ReadonlyArray<string> }, UploadError> => {
  const plan = { size, partSize: data.part_size, totalParts: data.total_parts }
  const expected = Math.ceil(size / plan.partSize)
  if (plan.totalParts !== expected && !(size === 0 && plan.totalParts === 1)) {
    return Effect.fail(
      new UploadError({
        code: code.INIT_UPLOAD_FAILED,
        message:
          `Failed to initialize upload: ${plan.totalParts} parts of ${plan.partSize} bytes cannot hold ${size} bytes`
      })
    )
  }
  const urls: Array<string> = []
  for (let n = 1; n <= plan.totalParts; n++) {
    const url = data.presigned_urls[String(n)]
    if (url === undefined || url === "") {
      return Effect.fail(new UploadError({ code: code.MISSING_PRESIGNED_URL, message: `Missing presigned URL for part ${n}` }))
    }
    urls.push(url)
  }
  return Effect.succeed({ plan, urls })
}

/** An upload's options, as the caller gave them. */
export interface Given<S> {
  readonly uploadBaseUrl?: string | undefined
  readonly concurrency?: number | undefined
  readonly retry?: S | undefined
  readonly partTimeout?: Duration.Input | undefined
}

// A part timeout a timer can keep (at most 2^31 - 1 ms), or undefined. (Duration.fromInputUnsafe,
// caught, rather than Duration.fromInput, which no other browser code needs.)
const partTimeoutOf = (input: Duration.Input): Duration.Duration | undefined => {
  try {
    const timeout = Duration.fromInputUnsafe(input)
    const millis = Duration.toMillis(timeout)
    return Duration.isFinite(timeout) && millis > 0 && millis <= Defaults.maxTimerMillis ? timeout : undefined
  } catch {
    return undefined
  }
}

/** The options, checked before anything is sent, with their defaults. */
export const checked = <S extends Schedule.Schedule<unknown, RequestError>>(
  options: Given<S>,
  defaults: { readonly uploadBaseUrl: string; readonly retry: S }
) =>
  Effect.gen(function*() {
    const concurrency = options.concurrency ?? Defaults.uploadConcurrency
    const invalid = (message: string) => Effect.fail(new InvalidInput({ message }))
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) return yield* invalid("concurrency must be a positive integer")
    const uploadBaseUrl = yield* httpUrl("uploadBaseUrl", options.uploadBaseUrl ?? defaults.uploadBaseUrl)
    const timeout = partTimeoutOf(options.partTimeout ?? Defaults.partTimeout)
    if (timeout === undefined) return yield* invalid("partTimeout must be a positive duration of at most 24 days")
    return { concurrency, uploadBaseUrl, timeout, schedule: options.retry ?? defaults.retry }
  })
