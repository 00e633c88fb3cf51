/**
 * A JSON request body from a caller's value, as `JSON.stringify` writes it
 * (so `toJSON`, a `Date`, a `URL` or a class instance go as JSON makes them,
 * as with the official SDK), refusing only what JSON would lose or change: a
 * function or symbol, `NaN` or an infinity, a `bigint`, a cycle, `undefined`
 * in a list, an invalid `Date`, and objects whose content JSON cannot see (a
 * `Map`, a `Set`, an `Error`, binary data). A refusal names the field.
 */
import * as Effect from "effect/Effect"
import { InvalidInput } from "../Errors.js"

class Refusal {
  constructor(readonly message: string) {}
}

// Objects JSON writes as `{}` whatever they hold.
const opaque: ReadonlyArray<readonly [string, (value: object) => boolean]> = [
  ["Map", (v) => v instanceof Map],
  ["Set", (v) => v instanceof Set],
  ["WeakMap", (v) => v instanceof WeakMap],
  ["WeakSet", (v) => v instanceof WeakSet],
  ["Promise", (v) => v instanceof Promise],
  ["RegExp", (v) => v instanceof RegExp],
  ["ArrayBuffer", (v) => v instanceof ArrayBuffer],
  ["DataView", (v) => v instanceof DataView],
  ["Blob", (v) => typeof Blob === "function" && v instanceof Blob],
  ["Error", (v) => v instanceof Error]
]

const pathOf = (parent: string, key: string, inList: boolean) =>
  inList ? `${parent}[${key}]` : parent === "" ? key : `${parent}.${key}`

/**
 * `value` as JSON text, or the first thing in it JSON cannot carry (named by
 * its path: `inputValues.when`, `inputValues.list[2]`), or a body over
 * `maxBytes`; `label` names the whole in the size error.
 */
export const jsonBody = (value: unknown, label: string, maxBytes: number): Effect.Effect<string, InvalidInput> =>
  Effect.suspend(() => {
    // Where each object met so far sits, and the object holding it: walking
    // up from a holder gives the objects still open (depth first), so a
    // reference to one of them is a cycle.
    const paths = new Map<object, string>()
    const parents = new Map<object, object | undefined>()
    let current = ""
    function check(this: unknown, key: string, replaced: unknown): unknown {
      const holder = this as Record<string, unknown>
      const root = key === "" && parents.size === 0
      const inList = Array.isArray(holder)
      const parent = root ? "" : paths.get(holder) ?? ""
      const path = root ? "" : pathOf(parent, key, inList)
      current = path
      const refuse = (what: string): never => {
        throw new Refusal(`${path === "" ? "the value" : path} ${what}, which JSON cannot carry`)
      }
      // What the caller wrote, before `toJSON` (a `Date`'s is `null` when it is invalid).
      const original = root ? replaced : holder[key]
      if (original instanceof Date && Number.isNaN(original.getTime())) refuse("is an invalid Date")
      let value = replaced
      // A boxed primitive is written as its primitive.
      if (value instanceof Number || value instanceof String || value instanceof Boolean) value = value.valueOf()
      switch (typeof value) {
        case "string":
        case "boolean":
          return replaced
        case "number":
          return Number.isFinite(value) ? replaced : refuse(`is ${value}`)
        case "undefined":
          // A field left undefined is no field; in a list it would become null.
          return inList ? refuse("is undefined") : replaced
        case "bigint":
        case "function":
        case "symbol":
          return refuse(`is a ${typeof value}`)
      }
      if (value === null) return replaced
      const object = value as object
      for (let open: object | undefined = holder; open !== undefined; open = parents.get(open)) {
        if (open === object) {
          const target = paths.get(object) ?? ""
          return refuse(target === parent ? "refers to itself" : `refers back to ${target || "the whole value"}`)
        }
      }
      for (const [name, is] of opaque) if (is(object)) refuse(`is ${/^[AEIOU]/.test(name) ? "an" : "a"} ${name}`)
      paths.set(object, path)
      parents.set(object, root ? undefined : holder)
      return replaced
    }
    let text: string | undefined
    try {
      text = JSON.stringify(value, check)
    } catch (error) {
      const message = error instanceof Refusal
        ? error.message
        : `${current === "" ? "the value" : current} cannot be written as JSON: ${
          error instanceof Error ? error.message : String(error)
        }`
      return Effect.fail(new InvalidInput({ message }))
    }
    if (text === undefined) return Effect.fail(new InvalidInput({ message: `${label} cannot be written as JSON` }))
    // A UTF-16 unit is at most 3 UTF-8 bytes: only long texts need counting.
    const bytes = text.length * 3 <= maxBytes ? text.length : new TextEncoder().encode(text).byteLength
    return bytes > maxBytes
      ? Effect.fail(new InvalidInput({ message: `${label} is ${bytes} bytes as JSON; the limit is ${maxBytes}` }))
      : Effect.succeed(text)
  })
