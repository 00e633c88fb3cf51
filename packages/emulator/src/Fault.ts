/**
 * Faults a test switches on per route: error statuses, latency, dropped or
 * hung connections, and answers that are broken in every way a client must
 * survive.
 *
 * Faults of a route are consumed in order, one per request; each applies
 * `times` times (default 1, `Infinity` for ever). Some replace the answer and
 * never reach the service (`Status`, `HtmlError`, `Drop`, `Hang`); the others
 * let the request through and damage the answer it gets (`Latency` only
 * delays it), so a create request behind `DropMidBody` does create a task.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as SchemaTransformation from "effect/SchemaTransformation"

/**
 * How many requests a fault applies to: a positive integer, or `Infinity`
 * (sent over HTTP as the string `"Infinity"`).
 *
 * @since 0.1.0
 * @category faults
 */
export const Times = Schema.Union([
  // First, so that encoding turns Infinity (which JSON cannot hold) into "Infinity".
  Schema.Literal("Infinity").pipe(Schema.decodeTo(
    // A literal schema cannot hold Infinity: a number that is nothing else stands in for it.
    Schema.Number.check(Schema.makeFilter((n: number) => n === Infinity, { message: "times must be Infinity" })),
    SchemaTransformation.transform({ decode: () => Infinity, encode: () => "Infinity" as const })
  )),
  Schema.Number.check(
    Schema.makeFilter((n: number) => n === Infinity || (Number.isInteger(n) && n >= 1), {
      message: "times must be a positive integer or Infinity"
    })
  )
])

const times = { times: Schema.optional(Times) }
const Bytes = Schema.Number.check(Schema.isInt(), Schema.isGreaterThanOrEqualTo(0))
const HttpStatus = Schema.Number.check(Schema.isInt(), Schema.isBetween({ minimum: 200, maximum: 599 }))

/**
 * Answer with this status instead of serving the request. `body` is sent as
 * JSON (a string as text; `null` sends none); without it the body is
 * `{ message }`. `retryAfter` sets `Retry-After`: seconds, or an HTTP date.
 *
 * @since 0.1.0
 * @category faults
 */
export const Status = Schema.TaggedStruct("Status", {
  status: HttpStatus,
  body: Schema.optional(Schema.Unknown),
  headers: Schema.optional(Schema.Record(Schema.String, Schema.String)),
  retryAfter: Schema.optional(Schema.Union([Schema.Number, Schema.String])),
  ...times
})

/**
 * Wait `ms` milliseconds (on the emulator's clock), then serve the request.
 *
 * @since 0.1.0
 * @category faults
 */
export const Latency = Schema.TaggedStruct("Latency", { ms: Schema.Number.check(Schema.isGreaterThanOrEqualTo(0)), ...times })

/**
 * Close the connection without answering. With `afterProcessing` the request
 * is served first (a task is created) and only its answer is lost.
 *
 * @since 0.1.0
 * @category faults
 */
export const Drop = Schema.TaggedStruct("Drop", { afterProcessing: Schema.optional(Schema.Boolean), ...times })

/**
 * Serve the request, send the status, the headers and the first `bytes` of the
 * body (half by default), then close the connection.
 *
 * @since 0.1.0
 * @category faults
 */
export const DropMidBody = Schema.TaggedStruct("DropMidBody", { bytes: Schema.optional(Bytes), ...times })

/**
 * Never answer; the request is released (its connection closed) when the
 * emulator closes or the client gives up.
 *
 * @since 0.1.0
 * @category faults
 */
export const Hang = Schema.TaggedStruct("Hang", { ...times })

/**
 * Serve the request but answer with a JSON content type and a body that is
 * not JSON.
 *
 * @since 0.1.0
 * @category faults
 */
export const MalformedJson = Schema.TaggedStruct("MalformedJson", { ...times })

/**
 * Serve the request and send only the first `bytes` of the body (half by
 * default). `contentLength`: `"honest"` (the default) announces the short
 * length and ends cleanly, `"none"` sends it chunked and ends cleanly,
 * `"full"` announces the whole length and closes the connection early.
 *
 * @since 0.1.0
 * @category faults
 */
export const Truncated = Schema.TaggedStruct("Truncated", {
  bytes: Schema.optional(Bytes),
  contentLength: Schema.optional(Schema.Literals(["honest", "none", "full"])),
  ...times
})

/**
 * Answer with a proxy's HTML error page (`text/html`, status 502 by default)
 * instead of serving the request.
 *
 * @since 0.1.0
 * @category faults
 */
export const HtmlError = Schema.TaggedStruct("HtmlError", { status: Schema.optional(HttpStatus), ...times })

/**
 * Serve the request and break the answer's schema: remove a field
 * (`mode: "missing"`, the default) or give it a value of another type
 * (`"wrongType"`). `field` is a dotted path (`"data.upload_id"`,
 * `"tasks.0.status"`); by default the first field of the body (of its first
 * item when the body is a list; an empty list becomes an object).
 *
 * @since 0.1.0
 * @category faults
 */
export const SchemaBreak = Schema.TaggedStruct("SchemaBreak", {
  field: Schema.optional(Schema.String),
  mode: Schema.optional(Schema.Literals(["missing", "wrongType"])),
  ...times
})

/**
 * Serve the request and add a field the contract does not know to the answer
 * (to each item when it is a list). Still a valid answer.
 *
 * @since 0.1.0
 * @category faults
 */
export const ExtraField = Schema.TaggedStruct("ExtraField", {
  field: Schema.optional(Schema.String),
  value: Schema.optional(Schema.Unknown),
  ...times
})

/**
 * Any fault, discriminated by `_tag`. This schema also decodes the bodies of
 * the `/_emulator/faults` control endpoint.
 *
 * @since 0.1.0
 * @category faults
 */
export const Fault = Schema.Union([
  Status,
  Latency,
  Drop,
  DropMidBody,
  Hang,
  MalformedJson,
  Truncated,
  HtmlError,
  SchemaBreak,
  ExtraField
])
/** @since 0.1.0 @category faults */
export type Fault = typeof Fault.Type

type Options<T extends Fault["_tag"]> = Omit<Extract<Fault, { readonly _tag: T }>, "_tag">
type Repeat = { readonly times?: number }

/**
 * `status` instead of an answer, e.g. `Fault.status(503, { times: 2 })`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const status = (code: number, options: Omit<Options<"Status">, "status"> = {}): Fault => ({
  _tag: "Status",
  status: code,
  ...options
})

/**
 * A 429 with `Retry-After` (seconds, or an HTTP date) when given.
 *
 * @since 0.1.0
 * @category constructors
 */
export const tooManyRequests = (retryAfter?: number | string | Date, options: Repeat = {}): Fault =>
  status(429, {
    ...options,
    ...(retryAfter === undefined ? {} : { retryAfter: retryAfter instanceof Date ? retryAfter.toUTCString() : retryAfter })
  })

/** @since 0.1.0 @category constructors */
export const latency = (ms: number, options: Repeat = {}): Fault => ({ _tag: "Latency", ms, ...options })

/** @since 0.1.0 @category constructors */
export const drop = (options: Options<"Drop"> = {}): Fault => ({ _tag: "Drop", ...options })

/** @since 0.1.0 @category constructors */
export const dropMidBody = (options: Options<"DropMidBody"> = {}): Fault => ({ _tag: "DropMidBody", ...options })

/** @since 0.1.0 @category constructors */
export const hang = (options: Repeat = {}): Fault => ({ _tag: "Hang", ...options })

/** @since 0.1.0 @category constructors */
export const malformedJson = (options: Repeat = {}): Fault => ({ _tag: "MalformedJson", ...options })

/** @since 0.1.0 @category constructors */
export const truncated = (options: Options<"Truncated"> = {}): Fault => ({ _tag: "Truncated", ...options })

/** @since 0.1.0 @category constructors */
export const htmlError = (options: Options<"HtmlError"> = {}): Fault => ({ _tag: "HtmlError", ...options })

/** @since 0.1.0 @category constructors */
export const schemaBreak = (options: Options<"SchemaBreak"> = {}): Fault => ({ _tag: "SchemaBreak", ...options })

/** @since 0.1.0 @category constructors */
export const extraField = (options: Options<"ExtraField"> = {}): Fault => ({ _tag: "ExtraField", ...options })

/**
 * The same fault for every request from now on (`times: Infinity`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const sticky = (fault: Fault): Fault => ({ ...fault, times: Infinity })
