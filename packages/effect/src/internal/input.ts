/**
 * Checking a caller's input before anything is sent.
 */
import * as Api from "@oomol-cloud-task/contract/Api"
import * as Wire from "@oomol-cloud-task/contract/Wire"
import * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import * as SchemaParser from "effect/SchemaParser"
import { InvalidInput } from "../Errors.js"

/**
 * A base URL as the client uses it (see `Api.normalizeBaseUrl`), refused unless
 * an http(s) URL. Typed callers pass a string; JavaScript ones may not.
 */
export const httpUrl = (name: string, value: string): Effect.Effect<string, InvalidInput> => {
  const url = typeof value === "string" ? Api.normalizeBaseUrl(value) : ""
  return URL.canParse(url) && /^https?:$/.test(new URL(url).protocol)
    ? Effect.succeed(url)
    : Effect.fail(new InvalidInput({ message: `${name} must be an http:// or https:// URL` }))
}

/**
 * Checks `value` against a contract schema. The first problem is an
 * `InvalidInput` in words: a rule's own message (`size must be an integer
 * between 1 and 100`, the official SDK's text), or the field and what it may
 * be (`status must be one of queued, …`). `subject` names the value itself.
 */
export const validate = <A, I>(schema: Schema.Codec<A, I>, subject?: string) => {
  // The issue itself: a `SchemaError` around it would be made for nothing.
  const decode = SchemaParser.decodeUnknownResult(schema)
  return (value: unknown): Effect.Effect<A, InvalidInput> => {
    const decoded = decode(value)
    // Never none: every issue (a composite holds at least one) is a sentence.
    return decoded._tag === "Success"
      ? Effect.succeed(decoded.success)
      : Effect.fail(new InvalidInput({ message: Wire.requestProblems(decoded.failure, subject)[0]! }))
  }
}
