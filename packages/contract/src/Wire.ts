/**
 * How bodies cross the wire: responses are read tolerantly (fields the service
 * adds later are kept), requests are read strictly (an unknown field is
 * refused), and a failed decode is described field by field.
 *
 * Effect 4's Schema has no `onExcessProperty: "preserve"`: {@link tolerant}
 * gives every struct a schema describes an open rest instead, at every level.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaParser from "effect/SchemaParser"
import { formatter, sentences } from "./internal/sentences.js"
import { notKept, open, reshapes, withUnknownKeys } from "./internal/tolerance.js"

/**
 * `schema` with every struct it describes left open: the fields it names decode
 * as before, and keys it does not name are kept as they came, at every level (a
 * struct inside an array inside a struct too). What Effect 3's
 * `onExcessProperty: "preserve"` did, as a schema, so it also fits APIs that
 * take one (`HttpClientResponse.schemaBodyJson(Wire.tolerant(Task.TaskDetail))`).
 * Encoding with it keeps unknown keys the same way. Records and empty structs
 * are left as they are: they keep every key already.
 *
 * @since 0.1.0
 * @category tolerance
 */
export const tolerant = <A, I, RD = never, RE = never>(
  schema: Schema.Codec<A, I, RD, RE>
): Schema.Codec<A, I, RD, RE> => Schema.make<Schema.Codec<A, I, RD, RE>>(open(schema.ast))

/**
 * Decodes a response body tolerantly: keys the schema does not name, at any
 * level, are kept, so a caller sees fields the service adds later. The failure
 * is the Schema error; {@link describeSchemaError} reads it. `options` are
 * Schema's parse options (`reportInput: true` names the value a problem got).
 *
 * A schema that decodes every value to the shape it came in (no
 * transformation, renamed key or class) decodes by itself, with the keys it
 * dropped put back: the same answer, on Schema's fast path for structs, which
 * a {@link tolerant} schema cannot take.
 *
 * @example
 * ```ts
 * import { Task, Wire } from "@oomol-cloud-task/contract"
 * import { Result } from "effect"
 *
 * const decodeList = Wire.decodeResponse(Task.TaskListResponse)
 * const page = decodeList({ tasks: [], nextToken: null, traceID: "abc" })
 * if (Result.isSuccess(page)) console.log(page.success.tasks) // traceID is kept too
 * else console.log(Wire.describeSchemaError(page.failure)) // e.g. tasks.0.status: Expected "queued" | …
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeResponse = <A, I>(
  schema: Schema.Codec<A, I>,
  options?: SchemaAST.ParseOptions
): (input: unknown) => Result.Result<A, Schema.SchemaError> => {
  const decode = decodeResponseIssue(schema, options)
  return (input) => Result.mapError(decode(input), (issue) => new Schema.SchemaError(issue))
}

/**
 * {@link decodeResponse}, failing with the Schema issue itself rather than a
 * `SchemaError` around it: what {@link describeSchemaError} and the others
 * read. For a caller that only describes a failure, as the Effect client
 * does: no `SchemaError` is made (nor brought into a browser bundle).
 *
 * @since 0.2.0
 * @category decoding
 */
export const decodeResponseIssue = <A, I>(
  schema: Schema.Codec<A, I>,
  options?: SchemaAST.ParseOptions
): (input: unknown) => Result.Result<A, SchemaIssue.Issue> => {
  // Built when first needed: most answers never need it.
  let opened: ((input: unknown) => Result.Result<A, SchemaIssue.Issue>) | undefined
  const tolerantly = (input: unknown) => (opened ??= SchemaParser.decodeUnknownResult(tolerant(schema), options))(input)
  if (reshapes(schema.ast)) return tolerantly
  const exact = SchemaParser.decodeUnknownResult(schema, options)
  return (input) => {
    const decoded = exact(input)
    if (decoded._tag === "Failure") return tolerantly(input)
    const kept = withUnknownKeys(input, decoded.success)
    return kept === notKept ? tolerantly(input) : kept === decoded.success ? decoded : Result.succeed(kept as A)
  }
}

/**
 * Decodes a request body or query strictly, as the service does: a key the
 * schema does not name is refused (`Expected no excess property`), and every
 * problem is reported, not only the first.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeRequest = <A, I>(schema: Schema.Codec<A, I>): (input: unknown) => Result.Result<A, Schema.SchemaError> => {
  const decode = Schema.decodeUnknownResult(schema, { onExcessProperty: "error", errors: "all" })
  return (input) => decode(input)
}

/**
 * Encodes a response body, keeping keys the schema does not name (a service
 * answers with every field it has).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeResponse = <A, I>(schema: Schema.Codec<A, I>): (value: A) => Result.Result<I, Schema.SchemaError> => {
  const encode = Schema.encodeResult(tolerant(schema))
  return (value) => encode(value)
}

/**
 * One problem of a decode: where (`["tasks", 0, "status"]`) and what.
 *
 * @since 0.1.0
 * @category errors
 */
export interface Problem {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

const issueOf = (error: Schema.SchemaError | SchemaIssue.Issue): SchemaIssue.Issue =>
  SchemaIssue.isIssue(error) ? error : error.issue

/**
 * Every problem of a failed decode, each with its path.
 *
 * @since 0.1.0
 * @category errors
 */
export const problems = (error: Schema.SchemaError | SchemaIssue.Issue): ReadonlyArray<Problem> =>
  formatter(issueOf(error)).issues.map((issue) => ({
    path: (issue.path ?? []).map((segment) => typeof segment === "object" ? segment.key : segment),
    message: issue.message
  }))

// Schema's own wording needs the field's path; a rule's message already names it.
const isGeneric = (message: string): boolean =>
  message === "Missing key" ||
  message.startsWith("Expected ") ||
  message.startsWith("Unexpected key") ||
  message.startsWith("Invalid data") ||
  message === "Forbidden operation"

/**
 * Every problem of a failed decode as one line each, naming its field where
 * Schema's own wording would not: `tasks.0.status: Expected "queued" | …`.
 * A rule's own message (`size must be an integer between 1 and 100`) stays as
 * it is.
 *
 * @since 0.1.0
 * @category errors
 */
export const describeIssues = (error: Schema.SchemaError | SchemaIssue.Issue): ReadonlyArray<string> =>
  problems(error).map(({ message, path }) =>
    path.length > 0 && isGeneric(message) ? `${path.map(String).join(".")}: ${message}` : message
  )

/**
 * Every problem of a failed decode, each naming its field, joined by `; `.
 *
 * @since 0.1.0
 * @category errors
 */
export const describeSchemaError = (error: Schema.SchemaError | SchemaIssue.Issue): string =>
  describeIssues(error).join("; ")

/**
 * The first problem only: what a caller needs to fix their input.
 *
 * @since 0.1.0
 * @category errors
 */
export const describeFirstIssue = (error: Schema.SchemaError | SchemaIssue.Issue): string =>
  describeIssues(error)[0] ?? (SchemaIssue.isIssue(error) ? String(error) : error.message)

/**
 * Every problem of a refused request as one readable sentence, each once:
 * the field and what it may be (`status must be one of queued, scheduling,
 * scheduled, running, success, failed`, `blockName is required`,
 * `webhookUrl is not a known field`); a rule's own message as it is
 * (`size must be an integer between 1 and 100`), also when the value was not
 * even of the right type. No Schema notation, no `undefined` of an optional
 * field. `subject` names the value itself when the problem is with it rather
 * than one of its fields (default `"input"`: `input must be an object`).
 *
 * @since 0.1.0
 * @category errors
 */
export const requestProblems = (
  error: Schema.SchemaError | SchemaIssue.Issue,
  subject = "input"
): ReadonlyArray<string> => sentences(issueOf(error), subject)

/**
 * A refused request in one line: {@link requestProblems} joined by `; `.
 *
 * @example
 * ```ts
 * import { Task, Wire } from "@oomol-cloud-task/contract"
 * import { Result } from "effect"
 *
 * const query = Wire.decodeRequest(Task.ListTasksQuery)({ size: 101, status: "done" })
 * if (Result.isFailure(query)) console.log(Wire.describeRequestError(query.failure, "query"))
 * // size must be an integer between 1 and 100; status must be one of queued, scheduling, scheduled, running, success, failed
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const describeRequestError = (error: Schema.SchemaError | SchemaIssue.Issue, subject = "input"): string =>
  requestProblems(error, subject).join("; ")
