/** Helpers every route shares: JSON in and out through the contract's schemas, credentials, CORS. */
import * as Api from "@oomol-cloud-task/contract/Api"
import * as Wire from "@oomol-cloud-task/contract/Wire"
import * as Effect from "effect/Effect"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Result from "effect/Result"
import type * as Schema from "effect/Schema"

/** A refusal: an error channel of ready answers keeps handlers flat. */
export type Refusal = HttpServerResponse.HttpServerResponse

/** `{ message }` with a status, the service's error body. */
export const jsonError = (status: number, message: string, headers: Record<string, string> = {}) =>
  HttpServerResponse.jsonUnsafe({ message }, { status, headers })

/**
 * What was wrong with a request, as the service words it: each problem once,
 * one sentence naming the field and what it may be (`status must be one of
 * queued, scheduling, …`, `blockName is required`), joined by `; `. `subject`
 * names the whole (`request body must be an object`).
 */
export const describe = (error: Schema.SchemaError, subject: string): string =>
  Wire.describeRequestError(error, subject)

// One decoder and one encoder per schema, made when first needed. A WeakMap cannot
// say that a schema's decoder has that schema's type: the lookups restore it.
type Decoder<A> = (input: unknown) => Result.Result<A, Schema.SchemaError>
type Encoder<A> = (value: A) => Result.Result<unknown, Schema.SchemaError>
const decoders = new WeakMap<Schema.Codec<unknown, unknown>, Decoder<unknown>>()
const encoders = new WeakMap<Schema.Codec<unknown, unknown>, Encoder<never>>()

const decoderOf = <A>(schema: Schema.Codec<A, unknown>): Decoder<A> => {
  const known = decoders.get(schema) as Decoder<A> | undefined
  if (known !== undefined) return known
  const made = Wire.decodeRequest(schema)
  decoders.set(schema, made)
  return made
}

const encoderOf = <A>(schema: Schema.Codec<A, unknown>): Encoder<A> => {
  const known = encoders.get(schema) as Encoder<A> | undefined
  if (known !== undefined) return known
  const made = Wire.encodeResponse(schema)
  encoders.set(schema, made)
  return made
}

/**
 * Decodes `input` with a request schema, refusing unknown fields: 400
 * `{ message }`, the problems in words (see {@link describe}); `what` names the
 * input as a whole (`request body`, `workloadIDs`).
 */
export const decode = <A>(schema: Schema.Codec<A, unknown>, input: unknown, what: string): Effect.Effect<A, Refusal> =>
  Effect.suspend(() => {
    const decoded = decoderOf(schema)(input)
    return Result.isSuccess(decoded)
      ? Effect.succeed(decoded.success)
      : Effect.fail(jsonError(400, describe(decoded.failure, what)))
  })

/** The request body as JSON (an empty body reads as `{}`), decoded by `schema`. */
export const decodeBody = <A>(schema: Schema.Codec<A, unknown>): Effect.Effect<A, Refusal, HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const text = yield* Effect.orElseSucceed(request.text, () => undefined)
    if (text === undefined) return yield* Effect.fail(jsonError(400, "Could not read the request body"))
    let json: unknown = {}
    if (text.trim() !== "") {
      try {
        json = JSON.parse(text)
      } catch {
        return yield* Effect.fail(jsonError(400, "Request body is not valid JSON"))
      }
    }
    return yield* decode(schema, json, "request body")
  })

/** The request's query parameters. */
export const searchParams = (request: HttpServerRequest.HttpServerRequest): URLSearchParams =>
  new URL(request.url, "http://emulator").searchParams

/** Encodes `value` with a response schema (extra fields kept) as a JSON answer. */
export const encode = <A>(schema: Schema.Codec<A, unknown>, value: A, status = 200) =>
  Effect.suspend(() => {
    const encoded = encoderOf(schema)(value)
    return Result.isSuccess(encoded)
      ? Effect.succeed(HttpServerResponse.jsonUnsafe(encoded.success, { status }))
      : Effect.die(encoded.failure)
  })

/** Where absolute URLs point: the host the client used, or the emulator's own URL. */
export const originOf = (request: HttpServerRequest.HttpServerRequest, fallback: string): string => {
  const host = request.headers["host"]
  return host === undefined || host === "" ? fallback : `http://${host}`
}

/**
 * `Authorization: Bearer <key>` or the session cookie; any non-empty value
 * unless the emulator was started with a fixed one.
 */
export const authenticate = (
  request: HttpServerRequest.HttpServerRequest,
  expected: { readonly apiKey?: string; readonly sessionToken?: string }
): Effect.Effect<void, Refusal> => {
  const authorization = request.headers["authorization"]
  if (authorization !== undefined) {
    const match = /^Bearer\s+(.*)$/i.exec(authorization)
    const key = match?.[1]?.trim() ?? ""
    if (match === null) return Effect.fail(jsonError(401, "Authorization must be \"Bearer <apiKey>\""))
    if (key === "" || (expected.apiKey !== undefined && key !== expected.apiKey)) {
      return Effect.fail(jsonError(401, "Invalid API key"))
    }
    return Effect.void
  }
  const token = request.cookies[Api.SESSION_COOKIE]
  if (token !== undefined && token !== "") {
    return expected.sessionToken === undefined || token === expected.sessionToken
      ? Effect.void
      : Effect.fail(jsonError(401, "Invalid session"))
  }
  return Effect.fail(
    jsonError(401, `Unauthorized: send "Authorization: Bearer <apiKey>" or the ${Api.SESSION_COOKIE} cookie`)
  )
}

/** CORS for browser pages on another origin, with credentials: the origin is reflected. */
export const corsHeaders = (request: HttpServerRequest.HttpServerRequest): Record<string, string> => {
  const origin = request.headers["origin"]
  if (origin === undefined) return {}
  return {
    "access-control-allow-origin": origin,
    "access-control-allow-credentials": "true",
    "access-control-expose-headers": "Retry-After, ETag, Content-Length, Content-Type",
    vary: "Origin"
  }
}

/** The answer to a CORS preflight: any headers the page asks for, GET, POST and PUT. */
export const preflight = (request: HttpServerRequest.HttpServerRequest) =>
  HttpServerResponse.empty({
    status: 204,
    headers: {
      ...corsHeaders(request),
      "access-control-allow-methods": "GET, POST, PUT, OPTIONS",
      "access-control-allow-headers": request.headers["access-control-request-headers"] ?? "authorization, content-type",
      "access-control-max-age": "600",
      ...(request.headers["access-control-request-private-network"] === "true"
        ? { "access-control-allow-private-network": "true" }
        : {})
    }
  })
