/**
 * Sending one request and reading its answer: the single place where HTTP
 * client failures become the client's own errors.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Failure } from "@oomol-cloud-task/contract"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import { ApiError, MalformedResponse, NetworkError, type RequestError } from "../Errors.js"
import { parseRetryAfter } from "../Retry.js"
import { noAnswerWithin, NOT_SENT } from "./requestTimeout.js"

/** Decodes a parsed JSON body; built once per schema. */
export type Decoder<A> = (input: unknown) => Either.Either<A, ParseResult.ParseError>

/** A decoder that keeps unknown fields, as the contract asks of responses. */
export const decoder = <A, I>(schema: Schema.Schema<A, I, never>): Decoder<A> =>
  Schema.decodeUnknownEither(schema, { onExcessProperty: "preserve" })

// Schema's own wording needs the field's path; a rule's message already names it.
const isGeneric = (message: string) =>
  message === "is missing" || message.startsWith("Expected ") || message.startsWith("is unexpected")

const describeIssues = (error: ParseResult.ParseError): ReadonlyArray<string> =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map(({ message, path }) =>
    path.length > 0 && isGeneric(message) ? `${path.join(".")}: ${message}` : message
  )

/** Every problem of a decoded body, each naming its field: `tasks.0.status: Expected …`. */
export const describeParseError = (error: ParseResult.ParseError): string => describeIssues(error).join("; ")

/** The first problem only: what a caller needs to fix their input. */
export const describeFirstIssue = (error: ParseResult.ParseError): string => describeIssues(error)[0] ?? error.message

// Codes of a connection that was never made: the service cannot have seen the request.
const connectFailures = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  NOT_SENT
])

const causeChain = (cause: unknown): ReadonlyArray<{ readonly code?: unknown; readonly message?: unknown }> => {
  const chain: Array<{ readonly code?: unknown; readonly message?: unknown }> = []
  let current = cause
  while (typeof current === "object" && current !== null && chain.length < 8) {
    chain.push(current)
    current = (current as { readonly cause?: unknown }).cause
  }
  return chain
}

/** A transport failure as the client reports it: the cause's own words, never the request. */
export const networkError = (cause: unknown, what: string): NetworkError => {
  const chain = causeChain(cause)
  const requestSent = !chain.some((c) => typeof c.code === "string" && connectFailures.has(c.code))
  const deepest = [...chain].reverse().find((c) => typeof c.message === "string" && c.message !== "")
  const reason = deepest === undefined ? "the connection failed" : String(deepest.message)
  return new NetworkError({ message: `${what} failed: ${reason}`, requestSent, cause })
}

const fromClientError = (error: HttpClientError.HttpClientError, what: string): NetworkError =>
  error._tag === "ResponseError"
    ? new NetworkError({
      message: `${what} failed: the connection dropped while reading the answer`,
      requestSent: true,
      cause: error.cause
    })
    : networkError(error.cause, what)

const parseJson = (text: string): Option.Option<unknown> => {
  try {
    return Option.some(JSON.parse(text) as unknown)
  } catch {
    return Option.none()
  }
}

// The method and path only: a query or a presigned URL's signature stays out of messages.
const describe = (request: HttpClientRequest.HttpClientRequest) => `${request.method} ${new URL(request.url).pathname}`

const clip = (text: string) => (text.length > 2000 ? `${text.slice(0, 2000)}…` : text)

/** What every request of one client shares. */
export interface Options {
  readonly client: HttpClient.HttpClient
  readonly credentials: RequestCredentials | undefined
  /** Per request; `false` leaves timeouts to the HttpClient itself. */
  readonly timeout: Duration.Duration | false
  /**
   * Whether fetch may follow a redirect. Not for the APIs: fetch would carry
   * the default headers to wherever `Location` points, so a 3xx is answered
   * as it came (an `ApiError`).
   */
  readonly followRedirects: boolean
}

/** A request sender bound to one client's settings. */
export interface Http {
  /** Sends `request`; a 2xx JSON body is decoded, anything else is a `RequestError`. */
  readonly json: <A>(request: HttpClientRequest.HttpClientRequest, decode: Decoder<A>) => Effect.Effect<A, RequestError>
  /** Sends `request` and only checks for a 2xx status; the body is read and dropped. */
  readonly send: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<void, RequestError>
}

interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
}

/** Builds the sender once per client. */
export const make = (options: Options): Http => {
  const { client, credentials, followRedirects, timeout } = options
  // Settings give a timeout a timer can keep (finite, positive, in range).
  const timeoutMs = timeout === false ? undefined : Duration.toMillis(timeout)
  const noAnswer = timeout === false ? "" : noAnswerWithin(timeout)

  // The request is tied to a scope that a timer closes: the HttpClient then
  // aborts it at the transport, with no extra fiber. The timer is real time.
  const scoped = HttpClient.withScope(client)

  // The fetch-based client reads RequestInit from the context at request time;
  // other clients ignore it (and follow no redirect).
  const ours: RequestInit = {
    ...(credentials === undefined ? {} : { credentials }),
    ...(followRedirects ? {} : { redirect: "manual" })
  }
  const withRequestInit = (context: Context.Context<never>): Context.Context<never> => {
    if (credentials === undefined && followRedirects) return context
    const init = Context.getOrElse(context, FetchHttpClient.RequestInit, () => ({}))
    return Context.add(context, FetchHttpClient.RequestInit, { ...init, ...ours })
  }

  const answer = (response: HttpClientResponse.HttpClientResponse) =>
    Effect.map(response.text, (text): Answer => ({ status: response.status, headers: response.headers, text }))

  const exchange = (request: HttpClientRequest.HttpClientRequest): Effect.Effect<Answer, NetworkError> => {
    if (timeoutMs === undefined) {
      return client.execute(request).pipe(
        Effect.flatMap(answer),
        Effect.mapInputContext(withRequestInit),
        Effect.mapError((error) => fromClientError(error, describe(request)))
      )
    }
    return Effect.flatMap(Scope.make(), (scope) => {
      let timedOut = false
      const timer = setTimeout(() => {
        timedOut = true
        Effect.runFork(Scope.close(scope, Exit.void))
      }, timeoutMs)
      return scoped.execute(request).pipe(
        Effect.flatMap(answer),
        Effect.mapInputContext((context: Context.Context<never>) => Context.add(withRequestInit(context), Scope.Scope, scope)),
        Effect.mapError((error) =>
          timedOut
            ? new NetworkError({ message: `${describe(request)} failed: ${noAnswer}`, requestSent: true })
            : fromClientError(error, describe(request))
        ),
        // Once the answer is read there is nothing to abort: closing the scope
        // then would only abort a finished request (an AbortError with a stack
        // trace per request). Any other end aborts it.
        Effect.onExit((exit) => {
          clearTimeout(timer)
          return Exit.isSuccess(exit) ? Effect.void : Scope.close(scope, Exit.void)
        })
      )
    })
  }

  const failure = (answer: Answer): Effect.Effect<never, ApiError> =>
    Effect.clockWith((clock) =>
      Effect.flatMap(clock.currentTimeMillis, (now) => {
        const json = parseJson(answer.text)
        const body = Option.getOrElse(json, () => (answer.text === "" ? undefined : clip(answer.text)))
        const retryAfter = parseRetryAfter(answer.headers["retry-after"], now)
        return Effect.fail(
          new ApiError({
            status: answer.status,
            body,
            message: Option.isSome(json)
              ? Failure.requestFailedMessage(answer.status, json.value)
              : `Request failed: ${answer.status}`,
            ...(retryAfter === undefined ? {} : { retryAfter })
          })
        )
      })
    )

  const isOk = (status: number) => status >= 200 && status < 300

  const json = <A>(request: HttpClientRequest.HttpClientRequest, decode: Decoder<A>): Effect.Effect<A, RequestError> =>
    Effect.flatMap(exchange(request), (answer): Effect.Effect<A, RequestError> => {
      if (!isOk(answer.status)) return failure(answer)
      const parsed = parseJson(answer.text)
      if (Option.isNone(parsed)) {
        return Effect.fail(
          new MalformedResponse({
            message: `${describe(request)} answered ${answer.status} with a body that is not JSON`,
            status: answer.status,
            body: clip(answer.text)
          })
        )
      }
      return Either.match(decode(parsed.value), {
        onLeft: (error) =>
          Effect.fail(
            new MalformedResponse({
              message: `${describe(request)} answered an unexpected body: ${describeParseError(error)}`,
              status: answer.status,
              body: parsed.value
            })
          ),
        onRight: Effect.succeed
      })
    })

  const send = (request: HttpClientRequest.HttpClientRequest): Effect.Effect<void, RequestError> =>
    Effect.flatMap(exchange(request), (answer) => (isOk(answer.status) ? Effect.void : failure(answer)))

  return { json, send }
}
