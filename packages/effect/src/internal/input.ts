/**
 * Checking a caller's input before anything is sent.
 */
import * as Api from "@oomol-cloud-task/contract/Api"
import * as Wire from "@oomol-cloud-task/contract/Wire"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { InvalidInput } from "../Errors.js"

/** A base URL as the client uses it (see `Api.normalizeBaseUrl`), refused unless http(s). */
export const httpUrl = (name: string, value: string): Effect.Effect<string, InvalidInput> => {
  const url = Api.normalizeBaseUrl(value)
  return URL.canParse(url) && /^https?:$/.test(new URL(url).protocol)
    ? Effect.succeed(url)
    : Effect.fail(new InvalidInput({ message: `${name} must be an http:// or https:// URL` }))
}

/** Checks `value` against a contract schema; a broken rule is an `InvalidInput` with the rule's message. */
export const validate = <A, I>(schema: Schema.Codec<A, I>) => {
  const decode = Schema.decodeUnknownResult(schema, { reportInput: true })
  return (value: unknown): Effect.Effect<A, InvalidInput> =>
    Result.match(decode(value), {
      onFailure: (error) => Effect.fail(new InvalidInput({ message: Wire.describeFirstIssue(error) })),
      onSuccess: Effect.succeed
    })
}

const isPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

const problemOf = (value: unknown, path: string, ancestors: Set<object>): string | undefined => {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined
    case "number":
      return Number.isFinite(value) ? undefined : `${path} is ${value}, which JSON cannot carry`
    case "undefined":
      return undefined
    case "bigint":
    case "function":
    case "symbol":
      return `${path} is a ${typeof value}, which JSON cannot carry`
  }
  if (value === null) return undefined
  const object = value as object
  if (ancestors.has(object)) return `${path} refers to itself, which JSON cannot carry`
  if (object instanceof Date) return undefined
  const isArray = Array.isArray(object)
  if (!isArray && !isPlainObject(object)) {
    return `${path} is a ${object.constructor?.name ?? "non-plain object"}, which JSON cannot carry`
  }
  ancestors.add(object)
  try {
    for (const [key, item] of Object.entries(object)) {
      const at = isArray ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`
      if (isArray && item === undefined) return `${at} is undefined, which JSON cannot carry`
      const problem = problemOf(item, at, ancestors)
      if (problem !== undefined) return problem
    }
  } finally {
    ancestors.delete(object)
  }
  return undefined
}

/**
 * Serializes a JSON body, refusing what JSON would silently change (functions,
 * `NaN`, a `Map`, a cycle, a `bigint`) and bodies over `maxBytes`. Problems
 * name the field (`inputValues.when`); `label` names the whole in the size error.
 */
export const jsonBody = (value: unknown, label: string, maxBytes: number): Effect.Effect<string, InvalidInput> =>
  Effect.suspend(() => {
    const problem = problemOf(value, "", new Set())
    if (problem !== undefined) return Effect.fail(new InvalidInput({ message: problem }))
    const text = JSON.stringify(value)
    // A UTF-16 unit is at most 3 UTF-8 bytes: only long texts need counting.
    const bytes = text.length * 3 <= maxBytes ? text.length : new TextEncoder().encode(text).byteLength
    return bytes > maxBytes
      ? Effect.fail(new InvalidInput({ message: `${label} is ${bytes} bytes as JSON; the limit is ${maxBytes}` }))
      : Effect.succeed(text)
  })
