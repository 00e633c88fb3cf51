/**
 * JSON read without changing any number. `JSON.parse` turns every number into
 * a double, so 9007199254740993 becomes 9007199254740992 and
 * 0.30000000000000000001 becomes 0.3. Here a number whose value a double
 * would change is kept as its own text (`JSON.rawJSON`, Node 21+), which
 * `JSON.stringify` writes back verbatim: the task's input reaches the wire as
 * the user wrote it. A number beyond a double's range (`1e400`) is refused,
 * as no reader of the task's input could take it.
 */

interface SourceContext {
  readonly source?: string
}

// Node 22 has both; TypeScript's ES2022 lib knows neither the reviver's context nor rawJSON.
const exactJSON = JSON as unknown as {
  readonly parse: (text: string, reviver: (key: string, value: unknown, context?: SourceContext) => unknown) => unknown
  readonly rawJSON: (text: string) => object
}

/** A number too large for a double, where it was found. */
class OutOfRange {
  constructor(readonly source: string) {}
}

// A JSON number's value as sign, significant digits and exponent, to compare two spellings.
const normalize = (text: string): string => {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text)
  if (match === null) return text
  const [, sign, whole, fraction = "", exponent = "0"] = match
  const digits = `${whole}${fraction}`.replace(/^0+/, "")
  if (digits === "") return "0"
  const significant = digits.replace(/0+$/, "")
  return `${sign}${significant}e${Number(exponent) - fraction.length + (digits.length - significant.length)}`
}

const revive = (_key: string, value: unknown, context?: SourceContext): unknown => {
  if (typeof value !== "number" || context?.source === undefined) return value
  if (!Number.isFinite(value)) return new OutOfRange(context.source)
  return normalize(context.source) === normalize(String(value)) ? value : exactJSON.rawJSON(context.source)
}

const outOfRangeIn = (value: unknown, path: string): string | undefined => {
  if (value instanceof OutOfRange) return `${path === "" ? "" : `${path}: `}${value.source} is beyond the range of a JSON number`
  if (typeof value !== "object" || value === null) return undefined
  for (const [key, item] of Object.entries(value)) {
    const at = Array.isArray(value) ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`
    const problem = outOfRangeIn(item, at)
    if (problem !== undefined) return problem
  }
  return undefined
}

/**
 * `text` as JSON with every number kept exact; throws a `SyntaxError` when it
 * is not JSON. `problem` names a number out of range: its path (below `at`),
 * then the number.
 */
export const parse = (text: string, at = ""): { readonly value: unknown; readonly problem: string | undefined } => {
  const value = exactJSON.parse(text, revive)
  return { value, problem: outOfRangeIn(value, at) }
}
