/**
 * How responses are read tolerantly (see `Wire.tolerant` and
 * `Wire.decodeResponse`): a schema's AST opened to keep unknown keys, and the
 * fast way to the same answer, the keys a plain decode dropped put back.
 */
import * as SchemaAST from "effect/SchemaAST"

const openRest = new SchemaAST.IndexSignature(SchemaAST.string, SchemaAST.unknown)

const openedEncoding = (encoding: SchemaAST.Encoding | undefined): SchemaAST.Encoding | undefined =>
  encoding === undefined
    ? undefined
    : (encoding.map((link) => new SchemaAST.Link(open(link.to), link.transformation)) as unknown as SchemaAST.Encoding)

// A copy of a node with some of its fields replaced, made the way SchemaAST copies nodes itself.
const copy = (ast: SchemaAST.AST, changes: Partial<SchemaAST.Suspend>): SchemaAST.AST =>
  Object.assign(Object.create(Object.getPrototypeOf(ast) as object) as SchemaAST.AST, ast, changes)

const opened = new WeakMap<SchemaAST.AST, SchemaAST.AST>()

// Rebuilds the AST with a `[key: string]: unknown` rest on every struct that has
// fields and no rest of its own; the struct's fields still decode by their own
// schemas, only the keys it does not name pass through as they came.
export const open = (ast: SchemaAST.AST): SchemaAST.AST => {
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
      // A copy rather than `new SchemaAST.Suspend`, whose class no other browser code needs.
      const thunk = ast.thunk
      return copy(ast, { thunk: () => open(thunk()), encoding: openedEncoding(ast.encoding) })
    }
    default:
      // Leaves and declarations (classes, dates, …) decode as they always do;
      // an encoded form they are read from is still opened.
      return ast.encoding === undefined ? ast : copy(ast, { encoding: openedEncoding(ast.encoding) })
  }
}

// Whether anything in `ast` decodes to another shape than it came in (a
// transformation, a renamed key, a class): then a key missing from a decoded
// object may not be an unknown one.
export const reshapes = (ast: SchemaAST.AST, seen = new Set<SchemaAST.AST>()): boolean => {
  if (seen.has(ast)) return false
  seen.add(ast)
  if (ast.encoding !== undefined) return true
  switch (ast._tag) {
    case "Declaration":
      return true
    case "Objects":
      return ast.propertySignatures.some((ps) => reshapes(ps.type, seen)) ||
        ast.indexSignatures.some((is) => reshapes(is.parameter, seen) || reshapes(is.type, seen))
    case "Arrays":
      return ast.elements.some((e) => reshapes(e, seen)) || ast.rest.some((r) => reshapes(r, seen))
    case "Union":
      return ast.types.some((t) => reshapes(t, seen))
    case "Suspend":
      return reshapes(ast.thunk(), seen)
    default:
      return false
  }
}

export const notKept = Symbol()

const withKey = (object: Record<string, unknown>, key: string, value: unknown) => {
  // A `__proto__` key from JSON is data, not the object's prototype.
  if (key === "__proto__") Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true })
  else object[key] = value
}

// `output`, decoded from `input` by a schema that does not reshape, with the
// keys the decode dropped (the unknown ones) put back as they came, at every
// level; `notKept` if an object did not decode into a plain one. Nothing the
// decode made is changed: an object with a key put back is a copy.
export const withUnknownKeys = (input: unknown, output: unknown): unknown => {
  if (input === output || typeof input !== "object" || input === null) return output
  if (typeof output !== "object" || output === null || Array.isArray(input) !== Array.isArray(output)) return notKept
  if (Array.isArray(input)) {
    const items = output as ReadonlyArray<unknown>
    if (items.length !== input.length) return notKept
    let copy: Array<unknown> | undefined
    for (let i = 0; i < input.length; i++) {
      const item = withUnknownKeys(input[i], items[i])
      if (item === notKept) return notKept
      if (item !== items[i]) (copy ??= [...items])[i] = item
    }
    return copy ?? output
  }
  if (Object.getPrototypeOf(output) !== Object.prototype) return notKept
  const given = input as Record<string, unknown>
  const decoded = output as Record<string, unknown>
  let copy: Record<string, unknown> | undefined
  for (const key in given) {
    if (!Object.hasOwn(given, key)) continue
    if (!Object.hasOwn(decoded, key)) {
      withKey(copy ??= { ...decoded }, key, given[key])
      continue
    }
    const value = withUnknownKeys(given[key], decoded[key])
    if (value === notKept) return notKept
    if (value !== decoded[key]) withKey(copy ??= { ...decoded }, key, value)
  }
  return copy ?? output
}
