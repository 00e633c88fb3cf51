/**
 * A failed decode of a request, worded as a person would say it: one sentence
 * per problem, naming the field and what it may be (`status must be one of
 * queued, scheduling, …`), never Schema's own notation.
 */
import type * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import * as SchemaIssue from "effect/SchemaIssue"

/** Schema's own wording of an issue, for the Standard Schema interface. */
export const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

type Annotations = Schema.Annotations.Annotations | undefined

// An annotation that is a string: `message` unless another key is named.
const text = (annotations: Annotations, key = "message"): string | undefined => {
  const value = annotations?.[key]
  return typeof value === "string" ? value : undefined
}

// `Schema.optional(X)` is `X | undefined`: the `undefined` is how a key may be
// left out, not something to ask of a caller who sent a value.
const members = (ast: SchemaAST.AST): ReadonlyArray<SchemaAST.AST> =>
  ast._tag === "Union"
    ? ast.types.flatMap((member) => member._tag === "Undefined" || member._tag === "Void" ? [] : members(member))
    : [ast]

// The one schema a value had to be, when a union (without words of its own) offers only one besides `undefined`.
const single = (ast: SchemaAST.AST): SchemaAST.AST => {
  const options = members(ast)
  return options.length === 1 && text(ast.annotations) === undefined ? options[0]! : ast
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

// A union of structs told apart by a key every member has (`_tag`), in words.
const tagged = (options: ReadonlyArray<SchemaAST.AST>): string | undefined => {
  if (options.length < 2 || !options.every((option) => option._tag === "Objects")) return undefined
  for (const { name } of (options[0] as SchemaAST.Objects).propertySignatures) {
    if (typeof name !== "string") continue
    const values: Array<unknown> = []
    for (const option of options as ReadonlyArray<SchemaAST.Objects>) {
      const found = option.propertySignatures.find((ps) => ps.name === name)
      const literals = found && literalsOf(members(found.type))
      if (!literals) break
      values.push(...literals)
    }
    if (values.length >= options.length) return `an object whose ${name} is one of ${values.map(String).join(", ")}`
  }
  return undefined
}

// What a value of each kind of schema is, in words.
const kinds: Readonly<Record<string, string>> = {
  String: "a string",
  TemplateLiteral: "a string",
  Number: "a number",
  Boolean: "true or false",
  BigInt: "an integer",
  Null: "null",
  Arrays: "an array",
  Objects: "an object",
  ObjectKeyword: "an object"
}

/** What a value of `ast` is, in words: `a string`, `one of user, shared`, `a number or null`. */
const expectation = (ast: SchemaAST.AST): string => {
  const options = members(ast)
  const literals = literalsOf(options)
  return text(ast.annotations, "expected") ??
    (literals
      ? literals.length === 1 ? JSON.stringify(literals[0]) : `one of ${literals.map(String).join(", ")}`
      : tagged(options) ??
        (options.length > 1
          ? [...new Set(options.map(expectation))].join(" or ")
          : kinds[(options[0] ?? ast)._tag] ?? text((options[0] ?? ast).annotations, "identifier") ?? "a valid value"))
}

const fieldName = (path: ReadonlyArray<PropertyKey>, subject: string): string => {
  let name = ""
  for (const segment of path) {
    name += typeof segment === "number" ? `[${segment}]` : name === "" ? String(segment) : `.${String(segment)}`
  }
  return name === "" ? subject : name.startsWith("[") ? `${subject}${name}` : name
}

// A rule's own message (it names its field already), else what the field must be.
const worded = (annotations: Annotations, field: () => string): ReadonlyArray<string> | undefined => {
  const message = text(annotations)
  const expected = text(annotations, "expected")
  return message !== undefined ? [message] : expected === undefined ? undefined : [`${field()} must be ${expected}`]
}

// A schema that words its own refusal (`Task.PageSize`) says it for a wrong type too.
const invalidType = (ast: SchemaAST.AST, field: string): ReadonlyArray<string> => [
  text(ast.annotations) ?? `${field} must be ${expectation(ast)}`
]

const walk = (issue: SchemaIssue.Issue, path: ReadonlyArray<PropertyKey>, subject: string): ReadonlyArray<string> => {
  const field = () => fieldName(path, subject)
  const inner = (issue: SchemaIssue.Issue) => walk(issue, path, subject)
  switch (issue._tag) {
    case "Pointer":
      return walk(issue.issue, [...path, ...issue.path], subject)
    case "Composite":
      return issue.issues.flatMap(inner)
    case "Encoding":
      return inner(issue.issue)
    case "Filter":
      // Schema's own wording as the last resort, still naming the field.
      return worded(issue.filter.annotations, field) ?? (issue.issue._tag === "InvalidValue"
        ? formatter(issue).issues.map(({ message }) => `${field()}: ${message}`)
        : inner(issue.issue))
    case "AnyOf":
      return issue.issues.length > 0 ? issue.issues.flatMap(inner) : invalidType(single(issue.ast), field())
    case "InvalidType":
      return invalidType(issue.ast, field())
    case "InvalidValue":
      return worded(issue.annotations, field) ?? [`${field()} is not a valid value`]
    case "MissingKey":
      return [issue.annotations?.messageMissingKey ?? `${field()} is required`]
    case "UnexpectedKey":
      return [text(issue.ast.annotations, "messageUnexpectedKey") ?? `${field()} is not a known field`]
    case "Forbidden":
      return [text(issue.annotations) ?? `${field()} could not be read`]
    case "OneOf":
      return [`${field()} matches more than one of ${expectation(issue.ast)}`]
  }
}

/**
 * Every problem of `issue` as one sentence, each once. `subject` names the
 * value itself when the problem is with it rather than one of its fields.
 */
export const sentences = (issue: SchemaIssue.Issue, subject: string): ReadonlyArray<string> => [
  ...new Set(walk(issue, [], subject))
]
