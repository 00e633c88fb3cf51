/**
 * The default idempotency key of a run: a digest of its create request, so
 * the same request names the same run.
 */
import * as Effect from "effect/Effect"
import type { CreateRequest } from "../Errors.js"

// JSON with every object's keys sorted: the same value gives the same text
// however its objects were built.
const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical)
  if (value !== null && typeof value === "object") {
    const sorted: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort()) sorted[key] = canonical((value as Record<string, unknown>)[key])
    return sorted
  }
  return value
}

/** `sha256:` and the hex SHA-256 of the request's canonical JSON. */
export const keyOf = (request: CreateRequest): Effect.Effect<string> =>
  Effect.promise(async () => {
    const text = JSON.stringify(canonical({
      packageName: request.packageName,
      packageVersion: request.packageVersion,
      blockName: request.blockName,
      inputValues: request.inputValues ?? {}
    }))
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))
    return `sha256:${Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("")}`
  })
