/**
 * What goes on every request to the two APIs (the key, the default headers,
 * fetch's `credentials`, the largest answer read), checked when the client is built: a value no
 * transport can send is a mistake of the caller's, refused before anything is
 * sent, never a request failure that might have reached the service.
 */
import * as Effect from "effect/Effect"
import * as Headers from "effect/http/Headers"
import * as Redactable from "effect/Redactable"
import * as Redacted from "effect/Redacted"
import { InvalidInput } from "../Errors.js"
import * as Defaults from "./defaults.js"

/** Fetch's credentials modes, spelled out so that no declaration needs the DOM lib. */
export type Credentials = "omit" | "same-origin" | "include"

/** The settings as the client sends them. */
export interface Settings {
  readonly apiKey: Redacted.Redacted<string> | undefined
  readonly defaultHeaders: Readonly<Record<string, string>>
  readonly credentials: Credentials
  readonly maxResponseBytes: number
}

// As fetch normalizes a header value: leading and trailing HTTP whitespace removed.
const trimEnd = (value: string) => value.replace(/[\t\n\r ]+$/, "")
const trim = (value: string) => trimEnd(value.replace(/^[\t\n\r ]+/, ""))

// An RFC 9110 token.
const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/**
 * Why `value` cannot be a header value on every transport (fetch takes a few
 * control characters undici and node:http refuse), or undefined. The value
 * itself is never part of the reason: it may be a secret.
 */
const problemOf = (value: string): string | undefined => {
  if (/[\r\n]/.test(value)) return "it contains a line break"
  if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) {
    return /[\x00-\x1f\x7f]/.test(value) ? "it contains a control character" : "it contains a character beyond Latin-1"
  }
  return undefined
}

const invalid = (message: string) => Effect.fail(new InvalidInput({ message }))

const credentialModes: ReadonlySet<unknown> = new Set(["omit", "same-origin", "include"])

/**
 * The key, default headers and credentials as they will be sent: each value
 * trimmed as fetch trims it (an API key read from a file keeps no trailing
 * newline), then checked.
 */
export const checked = (options: {
  readonly apiKey?: Redacted.Redacted<string> | undefined
  readonly defaultHeaders?: Readonly<Record<string, string>> | undefined
  readonly credentials?: Credentials | undefined
  readonly maxResponseBytes?: number | undefined
}): Effect.Effect<Settings, InvalidInput> =>
  Effect.gen(function*() {
    const maxResponseBytes = options.maxResponseBytes ?? Defaults.maxResponseBytes
    if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 1) {
      return yield* invalid("maxResponseBytes must be a positive integer")
    }
    const credentials = options.credentials ?? "include"
    if (!credentialModes.has(credentials)) return yield* invalid(`credentials must be "omit", "same-origin" or "include"`)

    const given: unknown = options.defaultHeaders ?? {}
    if (typeof given !== "object" || given === null || Array.isArray(given)) {
      return yield* invalid("defaultHeaders must be an object of header names and values")
    }
    const defaultHeaders: Record<string, string> = {}
    for (const [name, raw] of Object.entries(given)) {
      // An absent value is no header, as with an optional option.
      if (raw === undefined) continue
      if (!headerName.test(name)) return yield* invalid(`defaultHeaders has an invalid header name: ${JSON.stringify(name)}`)
      if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "boolean") {
        return yield* invalid(`defaultHeaders["${name}"] must be a string`)
      }
      const value = trim(String(raw))
      const problem = problemOf(value)
      if (problem !== undefined) return yield* invalid(`defaultHeaders["${name}"] is not a valid header value: ${problem}`)
      defaultHeaders[name] = value
    }

    if (options.apiKey === undefined) return { apiKey: undefined, defaultHeaders, credentials, maxResponseBytes }
    const key: unknown = Redacted.isRedacted(options.apiKey) ? Redacted.value(options.apiKey) : options.apiKey
    if (typeof key !== "string") return yield* invalid("apiKey must be a string")
    // Sent as `Bearer <key>`: only the key's end is the value's end.
    const trimmed = trimEnd(key)
    if (trimmed.trim() === "") return yield* invalid("apiKey is blank")
    const problem = problemOf(trimmed)
    if (problem !== undefined) return yield* invalid(`apiKey is not a valid header value: ${problem}`)
    return {
      apiKey: trimmed === key ? options.apiKey : Redacted.make(trimmed),
      defaultHeaders,
      credentials,
      maxResponseBytes
    }
  })

/**
 * `headers`, printed (inspected, as JSON, in a log line) with the values of
 * `names` hidden wherever it is printed, on a fiber or not. The platform hides
 * the names of `Headers.CurrentRedactedNames`, read from the printing fiber,
 * so a request kept and printed elsewhere would show them.
 */
export const hidingValues = (names: ReadonlyArray<string>): (headers: Headers.Headers) => Headers.Headers => {
  if (names.length === 0) return (headers) => headers
  const hidden = names.map((name) => name.toLowerCase())
  // The platform's own headers, with one more name list: what it hides, and these.
  const base: Redactable.Redactable = Object.getPrototypeOf(Headers.empty)
  const proto = Object.create(base, {
    [Redactable.symbolRedactable]: {
      value(this: Headers.Headers, context: Parameters<Redactable.Redactable[typeof Redactable.symbolRedactable]>[0]) {
        const shown = base[Redactable.symbolRedactable].call(this, context) as Record<string, unknown>
        for (const name of hidden) {
          const value = shown[name]
          if (typeof value === "string") shown[name] = Redacted.make(value)
        }
        return shown
      }
    }
  })
  return (headers) => Object.assign(Object.create(proto), headers)
}
