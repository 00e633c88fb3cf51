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
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import * as SchemaIssue from "effect/SchemaIssue"
import { sentences } from "./internal/sentences.js"

const openRest = new SchemaAST.IndexSignature(SchemaAST.string, SchemaAST.unknown)

const openedEncoding = (encoding: SchemaAST.Encoding | undefined): SchemaAST.Encoding | undefined =>
  encoding === undefined
    ? undefined
    : (encoding.map((link) => new SchemaAST.Link(open(link.to), link.transformation)) as unknown as SchemaAST.Encoding)

// A copy of a node with another encoding, made the way SchemaAST copies nodes itself.
const withEncoding = (ast: SchemaAST.AST, encoding: SchemaAST.Encoding | undefined): SchemaAST.AST =>
  Object.assign(Object.create(Object.getPrototypeOf(ast) as object) as SchemaAST.AST, ast, { encoding })

const opened = new WeakMap<SchemaAST.AST, SchemaAST.AST>()

// Rebuilds the AST with a `[key: string]: unknown` rest on every struct that has
// fields and no rest of its own; the struct's fields still decode by their own
// schemas, only the keys it does not name pass through as they came.
const open = (ast: SchemaAST.AST): SchemaAST.AST => {
  const known = opened.get(ast)
  if (known !== undefined) return known
  const result = rebuild(ast)
  opened.set(ast, result)
  return result
}

const rebuild = (ast: SchemaAST.AST): SchemaAST.AST => {
  switch (ast._tag) {
    case "Objects":
      return new SchemaAST.Objects(
        ast.propertySignatures.map((ps) => new SchemaAST.PropertySignature(ps.name, open(ps.type))),
        ast.propertySignatures.length > 0 && ast.indexSignatures.length === 0
          ? [openRest]
          : ast.indexSignatures.map((is) => new SchemaAST.IndexSignature(is.parameter, open(is.type))),
        ast.annotations,
        ast.checks,
        openedEncoding(ast.encoding),
        ast.context,
        ast.encodingChecks
      )
    case "Arrays":
      return new SchemaAST.Arrays(
        ast.isMutable,
        ast.elements.map(open),
        ast.rest.map(open),
        ast.annotations,
        ast.checks,
        openedEncoding(ast.encoding),
        ast.context,
        ast.encodingChecks
      )
    case "Union":
      return new SchemaAST.Union(
        ast.types.map(open),
        ast.options,
        ast.annotations,
        ast.checks,
        openedEncoding(ast.encoding),
        ast.context,
        ast.encodingChecks
      )
    case "Suspend": {
      const thunk = ast.thunk
      return new SchemaAST.Suspend(() => open(thunk()), ast.annotations, ast.checks, openedEncoding(ast.encoding), ast.context)
    }
    default:
      // Leaves and declarations (classes, dates, …) decode as they always do;
      // an encoded form they are read from is still opened.
      return ast.encoding === undefined ? ast : withEncoding(ast, openedEncoding(ast.encoding))
  }
}

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
 * is the Schema error; {@link describeSchemaError} reads it.
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
export const decodeResponse = <A, I>(schema: Schema.Codec<A, I>): (input: unknown) => Result.Result<A, Schema.SchemaError> => {
  const decode = Schema.decodeUnknownResult(tolerant(schema))
  return (input) => decode(input)
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

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

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
