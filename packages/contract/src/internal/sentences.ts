/**
 * A failed decode of a request, worded as a person would say it: one sentence
 * per problem, naming the field and what it may be (`status must be one of
 * queued, scheduling, …`), never Schema's own notation.
 */
import type * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import * as SchemaIssue from "effect/SchemaIssue"

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

const messageOf = (annotations: Schema.Annotations.Annotations | undefined, key = "message"): string | undefined => {
  const message = annotations?.[key]
  return typeof message === "string" ? message : undefined
}

const expectedOf = (annotations: Schema.Annotations.Annotations | undefined): string | undefined =>
  messageOf(annotations, "expected")

// `Schema.optional(X)` is `X | undefined`: the `undefined` is how a key may be
// left out, not something to ask of a caller who sent a value.
const members = (ast: SchemaAST.AST): ReadonlyArray<SchemaAST.AST> =>
  ast._tag === "Union"
    ? ast.types.flatMap((member) => member._tag === "Undefined" || member._tag === "Void" ? [] : members(member))
    : [ast]

// The one schema a value had to be, when a union offers only one besides `undefined`.
const single = (ast: SchemaAST.AST): SchemaAST.AST => {
  if (ast._tag !== "Union" || messageOf(ast.annotations) !== undefined) return ast
  const [only, ...others] = members(ast)
  return only !== undefined && others.length === 0 ? only : ast
}

const literalsOf = (asts: ReadonlyArray<SchemaAST.AST>): ReadonlyArray<unknown> | undefined => {
  const values: Array<unknown> = []
  for (const ast of asts) {
    if (ast._tag === "Literal") values.push(ast.literal)
    else if (ast._tag === "Enum") values.push(...ast.enums.map(([, value]) => value))
    else return undefined
  }
  return values
}

const word = (value: unknown): string => typeof value === "string" ? value : String(value)

// The key every member of a union of structs tells itself apart by (`_tag`), and its values.
const discriminator = (
  options: ReadonlyArray<SchemaAST.AST>
): { readonly key: string; readonly values: ReadonlyArray<unknown> } | undefined => {
  const [first] = options
  if (options.length < 2 || first?._tag !== "Objects" || !options.every((option) => option._tag === "Objects")) {
    return undefined
  }
  for (const candidate of first.propertySignatures) {
    if (typeof candidate.name !== "string") continue
    const values: Array<unknown> = []
    for (const option of options as ReadonlyArray<SchemaAST.Objects>) {
      const found = option.propertySignatures.find((ps) => ps.name === candidate.name)
      const literals = found === undefined ? undefined : literalsOf(members(found.type))
      if (literals === undefined) break
      values.push(...literals)
    }
    if (values.length >= options.length) return { key: candidate.name, values }
  }
  return undefined
}

/** What a value of `ast` is, in words: `a string`, `one of user, shared`, `a number or null`. */
const expectation = (ast: SchemaAST.AST): string => {
  const expected = expectedOf(ast.annotations)
  if (expected !== undefined) return expected
  const options = members(ast)
  const literals = literalsOf(options)
  if (literals !== undefined) {
    return literals.length === 1 ? JSON.stringify(literals[0]) : `one of ${literals.map(word).join(", ")}`
  }
  const tagged = discriminator(options)
  if (tagged !== undefined) return `an object whose ${tagged.key} is one of ${tagged.values.map(word).join(", ")}`
  if (options.length > 1) return [...new Set(options.map(expectation))].join(" or ")
  const only = options[0] ?? ast
  switch (only._tag) {
    case "String":
    case "TemplateLiteral":
      return "a string"
    case "Number":
      return "a number"
    case "Boolean":
      return "true or false"
    case "BigInt":
      return "an integer"
    case "Null":
      return "null"
    case "Arrays":
      return "an array"
    case "Objects":
    case "ObjectKeyword":
      return "an object"
    default:
      return messageOf(only.annotations, "identifier") ?? "a valid value"
  }
}

const fieldName = (path: ReadonlyArray<PropertyKey>, subject: string): string => {
  let name = ""
  for (const segment of path) {
    name += typeof segment === "number" ? `[${segment}]` : name === "" ? String(segment) : `.${String(segment)}`
  }
  return name === "" ? subject : name.startsWith("[") ? `${subject}${name}` : name
}

// Schema's own wording, as the last resort, still naming the field.
const fallback = (issue: SchemaIssue.Issue, field: string): ReadonlyArray<string> =>
  formatter(issue).issues.map(({ message }) => `${field}: ${message}`)

const walk = (issue: SchemaIssue.Issue, path: ReadonlyArray<PropertyKey>, subject: string): ReadonlyArray<string> => {
  const field = () => fieldName(path, subject)
  switch (issue._tag) {
    case "Pointer":
      return walk(issue.issue, [...path, ...issue.path], subject)
    case "Composite":
      return issue.issues.flatMap((inner) => walk(inner, path, subject))
    case "Encoding":
      return walk(issue.issue, path, subject)
    case "Filter": {
      // A rule's own message names its field already.
      const message = messageOf(issue.filter.annotations)
      if (message !== undefined) return [message]
      const expected = expectedOf(issue.filter.annotations)
      if (expected !== undefined) return [`${field()} must be ${expected}`]
      return issue.issue._tag === "InvalidValue" ? fallback(issue, field()) : walk(issue.issue, path, subject)
    }
    case "AnyOf": {
      if (issue.issues.length > 0) return issue.issues.flatMap((inner) => walk(inner, path, subject))
      const message = messageOf(issue.ast.annotations)
      if (message !== undefined) return [message]
      return invalidType(single(issue.ast), field())
    }
    case "InvalidType":
      return invalidType(issue.ast, field())
    case "InvalidValue": {
      const message = messageOf(issue.annotations)
      if (message !== undefined) return [message]
      const expected = expectedOf(issue.annotations)
      return [expected === undefined ? `${field()} is not a valid value` : `${field()} must be ${expected}`]
    }
    case "MissingKey":
      return [issue.annotations?.messageMissingKey ?? `${field()} is required`]
    case "UnexpectedKey":
      return [messageOf(issue.ast.annotations, "messageUnexpectedKey") ?? `${field()} is not a known field`]
    case "Forbidden":
      return [messageOf(issue.annotations) ?? `${field()} could not be read`]
    case "OneOf":
      return [`${field()} matches more than one of ${expectation(issue.ast)}`]
  }
}

const invalidType = (ast: SchemaAST.AST, field: string): ReadonlyArray<string> => {
  // A schema that words its own refusal (`Task.PageSize`) says it for a wrong type too.
  const message = messageOf(ast.annotations)
  return [message ?? `${field} must be ${expectation(ast)}`]
}

/**
 * Every problem of `issue` as one sentence, each once. `subject` names the
 * value itself when the problem is with it rather than one of its fields.
 */
export const sentences = (issue: SchemaIssue.Issue, subject: string): ReadonlyArray<string> => [
  ...new Set(walk(issue, [], subject))
]
