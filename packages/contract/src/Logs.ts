/**
 * A task's logs: reporter events, about 100 a page.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as SchemaGetter from "effect/SchemaGetter"

/**
 * A nested value that the service sends as JSON text. Decoding parses it; text
 * that is not JSON (or a value already parsed) is kept as it came. Encoding
 * always writes JSON text, so a string stays a string.
 *
 * @since 0.1.0
 * @category logs
 */
export const JsonText = Schema.Unknown.pipe(
  Schema.decodeTo(Schema.Unknown, {
    decode: SchemaGetter.transform((value: unknown) => {
      if (typeof value !== "string") return value
      try {
        return JSON.parse(value) as unknown
      } catch {
        return value
      }
    }),
    encode: SchemaGetter.transform((value: unknown) => JSON.stringify(value))
  })
)

/**
 * Kinds of reporter events seen in logs; others may appear.
 *
 * @since 0.1.0
 * @category logs
 */
export const LogEventType = Schema.Literals([
  "BlockLog",
  "BlockOutput",
  "BlockOutputs",
  "BlockFinished",
  "SubflowBlockFinished",
  "SessionFinished"
])
/** @since 0.1.0 @category logs */
export type LogEventType = typeof LogEventType.Type

/**
 * One reporter event. `stacks`, `output`, `outputs` and `result` arrive as JSON
 * text and are decoded to values; unknown fields pass through.
 *
 * @since 0.1.0
 * @category logs
 */
export const LogEntry = Schema.Struct({
  type: Schema.String,
  session_id: Schema.optional(Schema.String),
  job_id: Schema.optional(Schema.String),
  block_path: Schema.optional(Schema.String),
  stacks: Schema.optional(JsonText),
  output: Schema.optional(JsonText),
  outputs: Schema.optional(JsonText),
  result: Schema.optional(JsonText)
})
/** @since 0.1.0 @category logs */
export type LogEntry = typeof LogEntry.Type

/**
 * `GET /v3/users/me/tasks/{taskID}/logs?page=N`.
 *
 * @since 0.1.0
 * @category logs
 */
export const LogsResponse = Schema.Struct({ logs: Schema.Array(LogEntry) })
/** @since 0.1.0 @category logs */
export type LogsResponse = typeof LogsResponse.Type

/**
 * The logs page number: 1-based.
 *
 * @since 0.1.0
 * @category logs
 */
export const LogsPage = Schema.Number.check(
  Schema.makeFilter((n: number) => Number.isInteger(n) && n >= 1, { message: "page must be an integer of at least 1" })
)

/**
 * About how many entries a full page holds: a shorter page is the last.
 *
 * @since 0.1.0
 * @category logs
 */
export const LOGS_PAGE_SIZE = 100
