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
 * Kinds of reporter events seen in logs, each with a shape of its own; others
 * may appear (see {@link UnknownLogEntry}).
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

// What every reporter event may carry. `block_path` is null in some events.
const eventFields = {
  session_id: Schema.optional(Schema.String),
  job_id: Schema.optional(Schema.String),
  block_path: Schema.optional(Schema.NullOr(Schema.String)),
  stacks: Schema.optional(JsonText)
}

// A failed block or session names its error; a successful one sends null or nothing.
const error = Schema.optional(Schema.NullOr(Schema.String))

/**
 * A line a block wrote: `log` is its text, `stdio` the stream it went to.
 *
 * @since 0.2.0
 * @category logs
 */
export const BlockLog = Schema.Struct({
  type: Schema.Literal("BlockLog"),
  ...eventFields,
  log: Schema.String,
  stdio: Schema.optional(Schema.String)
})
/** @since 0.2.0 @category logs */
export type BlockLog = typeof BlockLog.Type

/**
 * One output of a block, on its `handle`.
 *
 * @since 0.2.0
 * @category logs
 */
export const BlockOutput = Schema.Struct({
  type: Schema.Literal("BlockOutput"),
  ...eventFields,
  handle: Schema.optional(Schema.String),
  output: Schema.optional(JsonText),
  done: Schema.optional(Schema.Boolean)
})
/** @since 0.2.0 @category logs */
export type BlockOutput = typeof BlockOutput.Type

/**
 * Every output of a block at once, by handle.
 *
 * @since 0.2.0
 * @category logs
 */
export const BlockOutputs = Schema.Struct({
  type: Schema.Literal("BlockOutputs"),
  ...eventFields,
  outputs: Schema.optional(JsonText)
})
/** @since 0.2.0 @category logs */
export type BlockOutputs = typeof BlockOutputs.Type

/**
 * A block ended: with its `result`, or an `error`.
 *
 * @since 0.2.0
 * @category logs
 */
export const BlockFinished = Schema.Struct({
  type: Schema.Literal("BlockFinished"),
  ...eventFields,
  result: Schema.optional(JsonText),
  error
})
/** @since 0.2.0 @category logs */
export type BlockFinished = typeof BlockFinished.Type

/**
 * A subflow block ended, with an `error` if it failed.
 *
 * @since 0.2.0
 * @category logs
 */
export const SubflowBlockFinished = Schema.Struct({
  type: Schema.Literal("SubflowBlockFinished"),
  ...eventFields,
  error
})
/** @since 0.2.0 @category logs */
export type SubflowBlockFinished = typeof SubflowBlockFinished.Type

/**
 * The run ended, with an `error` if it failed.
 *
 * @since 0.2.0
 * @category logs
 */
export const SessionFinished = Schema.Struct({
  type: Schema.Literal("SessionFinished"),
  ...eventFields,
  path: Schema.optional(Schema.String),
  error
})
/** @since 0.2.0 @category logs */
export type SessionFinished = typeof SessionFinished.Type

const knownKinds: ReadonlySet<string> = new Set(LogEventType.literals)

// The wire form of an event of another kind: any `type` but a known one (a known
// kind that breaks its shape is a broken answer, not an unknown event).
const UnknownEvent = Schema.Struct({
  type: Schema.String.check(
    Schema.makeFilter((kind: string) => !knownKinds.has(kind), { message: "Expected an unknown kind, or a known kind in its own shape" })
  ),
  ...eventFields,
  output: Schema.optional(JsonText),
  outputs: Schema.optional(JsonText),
  result: Schema.optional(JsonText)
})

/**
 * An event of a kind this contract does not describe (`BlockStarted`, say),
 * kept with all its fields. Its `type` reads `"Unknown"` and `kind` is the
 * type it came with, so that `entry.type === "BlockLog"` narrows an entry to
 * a `BlockLog` (TypeScript cannot narrow a union one of whose members has any
 * string as its type). Encoding writes `kind` back as `type`.
 *
 * @since 0.2.0
 * @category logs
 */
export const UnknownLogEntry = UnknownEvent.pipe(
  Schema.decodeTo(
    Schema.Struct({
      type: Schema.Literal("Unknown"),
      kind: Schema.String,
      session_id: Schema.optional(Schema.String),
      job_id: Schema.optional(Schema.String),
      block_path: Schema.optional(Schema.NullOr(Schema.String)),
      stacks: Schema.optional(Schema.Unknown),
      output: Schema.optional(Schema.Unknown),
      outputs: Schema.optional(Schema.Unknown),
      result: Schema.optional(Schema.Unknown)
    }),
    {
      decode: SchemaGetter.transform(({ type, ...event }) => ({ ...event, type: "Unknown" as const, kind: type })),
      encode: SchemaGetter.transform(({ kind, type: _, ...entry }) => ({ ...entry, type: kind }))
    }
  )
)
/** @since 0.2.0 @category logs */
export type UnknownLogEntry = typeof UnknownLogEntry.Type

/**
 * One reporter event, a union by `type`: `BlockLog`, `BlockOutput`,
 * `BlockOutputs`, `BlockFinished`, `SubflowBlockFinished`, `SessionFinished`,
 * or `Unknown` for any other kind. `stacks`, `output`, `outputs` and `result`
 * arrive as JSON text and are decoded to values; unknown fields pass through.
 *
 * @example
 * ```ts
 * import type { Logs } from "@oomol-cloud-task/contract"
 *
 * const line = (entry: Logs.LogEntry): string => {
 *   switch (entry.type) {
 *     case "BlockLog":
 *       return entry.log
 *     case "BlockFinished":
 *       return entry.error ?? "done"
 *     case "Unknown":
 *       return entry.kind
 *     default:
 *       return entry.type
 *   }
 * }
 * ```
 *
 * @since 0.1.0
 * @category logs
 */
export const LogEntry = Schema.Union([
  BlockLog,
  BlockOutput,
  BlockOutputs,
  BlockFinished,
  SubflowBlockFinished,
  SessionFinished,
  UnknownLogEntry
])
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
