/**
 * How the service says something went wrong: error bodies, failure codes, and
 * the classification of a failed task's reason.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * A non-2xx body. Either field may carry the reason; anything else is kept as
 * it came.
 *
 * @since 0.1.0
 * @category errors
 */
export const ErrorBody = /* @__PURE__ */ Schema.Struct({
  // (Each call marked pure, so that a bundle that never reads it, as a browser's, drops it.)
  message: /* @__PURE__ */ Schema.optional(Schema.Unknown),
  error: /* @__PURE__ */ Schema.optional(Schema.Unknown)
})

const nonBlank = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim().length > 0 ? value.trim() : undefined

/**
 * The reason a body gives: a non-blank string body, else its `message`, else
 * its `error`.
 *
 * @since 0.1.0
 * @category errors
 */
export const messageOf = (body: unknown): string | undefined => {
  if (typeof body === "string") return nonBlank(body)
  if (body === null || typeof body !== "object") return undefined
  const fields = body as { readonly message?: unknown; readonly error?: unknown }
  return nonBlank(fields.message) ?? nonBlank(fields.error)
}

/**
 * The message of a failed request: the body's reason, or
 * `Request failed: <status>`.
 *
 * @since 0.1.0
 * @category errors
 */
export const requestFailedMessage = (status: number, body: unknown): string =>
  messageOf(body) ?? `Request failed: ${status}`

/**
 * Codes a failed task run can carry.
 *
 * @since 0.1.0
 * @category errors
 */
export const RunTaskErrorCode = {
  INSUFFICIENT_QUOTA: "INSUFFICIENT_QUOTA",
  PAYMENT_REQUIRED: "PAYMENT_REQUIRED"
} as const
/** @since 0.1.0 @category errors */
export type RunTaskErrorCode = (typeof RunTaskErrorCode)[keyof typeof RunTaskErrorCode]
/** @since 0.1.0 @category errors */
export const RunTaskErrorCodeSchema = Schema.Literals(Object.values(RunTaskErrorCode))

const quotaWords = ["insufficient", "quota", "balance", "credit", "余额", "点数", "费用"] as const

/**
 * Whether a failure reason means the account ran out of quota.
 *
 * @since 0.1.0
 * @category errors
 */
export const isInsufficientQuota = (reason: string): boolean => {
  const lower = reason.toLowerCase()
  return quotaWords.some((word) => lower.includes(word))
}

/**
 * How a failed task is classified: an insufficient quota is code
 * `INSUFFICIENT_QUOTA` with status 402; other failures carry neither.
 *
 * @since 0.1.0
 * @category errors
 */
export const classifyFailure = (
  reason: string
): { readonly code?: RunTaskErrorCode; readonly statusCode?: number } =>
  isInsufficientQuota(reason) ? { code: RunTaskErrorCode.INSUFFICIENT_QUOTA, statusCode: 402 } : {}

/**
 * Codes an upload can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export const UploadErrorCode = {
  INIT_UPLOAD_FAILED: "INIT_UPLOAD_FAILED",
  MISSING_PRESIGNED_URL: "MISSING_PRESIGNED_URL",
  UPLOAD_FAILED: "UPLOAD_FAILED",
  NETWORK_ERROR: "NETWORK_ERROR",
  UPLOAD_CANCELLED: "UPLOAD_CANCELLED",
  RETRY_EXHAUSTED: "RETRY_EXHAUSTED",
  GET_UPLOAD_URL_FAILED: "GET_UPLOAD_URL_FAILED"
} as const
/** @since 0.1.0 @category errors */
export type UploadErrorCode = (typeof UploadErrorCode)[keyof typeof UploadErrorCode]
/** @since 0.1.0 @category errors */
export const UploadErrorCodeSchema = Schema.Literals(Object.values(UploadErrorCode))
