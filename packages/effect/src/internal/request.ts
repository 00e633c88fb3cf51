/**
 * Sending one request and reading its answer: execute, check the status,
 * decode with the contract's schema. The single place where HTTP client
 * failures become the client's own errors.
 */
import * as Failure from "@oomol-cloud-task/contract/Failure"
import * as Wire from "@oomol-cloud-task/contract/Wire"
import type * as ByteSize from "effect/ByteSize"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import * as HttpBody from "effect/http/HttpBody"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import * as Option from "effect/Option"
import type * as Result from "effect/Result"
import type * as Schema from "effect/Schema"
import type * as SchemaIssue from "effect/SchemaIssue"
import * as Tracer from "effect/Tracer"
import { ApiError, MalformedResponse, NetworkError, type RequestError } from "../Errors.js"
import * as Retry from "../Retry.js"
import * as Attempts from "./attempts.js"
import * as Answers from "./answer.js"
import * as Defaults from "./defaults.js"
import { fromClientError } from "./requestFailure.js"
import * as Sent from "./requestSent.js"
import { within } from "./within.js"

/** Decodes a parsed JSON body, failing with what does not match; built once per schema. */
export type Decoder<A> = (input: unknown) => Result.Result<A, SchemaIssue.Issue>

/**
 * A decoder that keeps unknown fields, at every level, as the contract asks
 * of responses; a problem names the value it got (`Expected number, got "half"`).
 */
export const decoder = <A, I>(schema: Schema.Codec<A, I>): Decoder<A> => Wire.decodeResponseIssue(schema, { reportInput: true })

/**
 * A request timeout as the client keeps it: none when it is `false`, zero or
 * infinite, and at most a timer's range.
 */
export const timeoutOf = (input: Duration.Input | false | undefined): Duration.Duration | undefined => {
  if (input === false) return undefined
  const timeout = Duration.fromInputUnsafe(input ?? Defaults.requestTimeout)
  return Duration.isFinite(timeout) && Duration.toMillis(timeout) > 0
    ? Duration.min(timeout, Duration.millis(Defaults.maxTimerMillis))
    : undefined
}

// `Duration.format`'s units, largest first, in nanoseconds.
const units: ReadonlyArray<readonly [string, bigint]> = [
  ["d", 86_400_000_000_000n],
  ["h", 3_600_000_000_000n],
  ["m", 60_000_000_000n],
  ["s", 1_000_000_000n],
  ["ms", 1_000_000n],
  ["ns", 1n]
]

/**
 * How a request that got no answer in time is described, whoever kept the
 * time: the timeout as `Duration.format` writes it (`1m 30s`), for the
 * positive finite times a timer keeps. Its own would bring the signs and
 * infinities of every duration into a browser bundle.
 */
export const noAnswerWithin = (timeout: Duration.Duration): string => {
  let rest = Duration.toNanosUnsafe(timeout)
  const pieces: Array<string> = []
  for (const [unit, size] of units) {
    if (rest >= size) pieces.push(`${rest / size}${unit}`)
    rest %= size
  }
  return `no answer within ${pieces.join(" ") || "0"}`
}

const parseJson = (text: string): Option.Option<unknown> => {
  try {
    return Option.some(JSON.parse(text) as unknown)
  } catch {
    return Option.none()
  }
}

// The method and path only: a query or a presigned URL's signature stays out of messages.
const describe = (request: HttpClientRequest.HttpClientRequest) =>
  `${request.method} ${URL.canParse(request.url) ? new URL(request.url).pathname : request.url.split(/[?#]/)[0]}`

const clip = (text: string) => (text.length > 2000 ? `${text.slice(0, 2000)}…` : text)

const isOk = (status: number) => status >= 200 && status < 300

/** Sends requests through one client, each within a timeout. */
export interface Sender {
  /** Sends `request`; a 2xx JSON body is decoded, anything else is a `RequestError`. */
  readonly json: <A>(request: HttpClientRequest.HttpClientRequest, decode: Decoder<A>) => Effect.Effect<A, RequestError>
  /** Sends `request` and only checks for a 2xx status; the body is read and dropped. */
  readonly send: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<void, RequestError>
}

/** How a sender sends. */
export interface SenderOptions {
  /** How long a request may take, from sending to the last byte of its answer; none if undefined. */
  readonly timeout: Duration.Duration | undefined
  /** The largest answer body read, in bytes: a larger one is refused. Default 16 MiB. */
  readonly maxResponseBytes?: number | undefined
  /** What a request's context gets besides the sender's own (see `Routing.route`). */
  readonly context?: ((context: Context.Context<never>) => Context.Context<never>) | undefined
}

/**
 * Sends through `client`, giving each request `timeout` (none if undefined)
 * from sending to the last byte of its answer. A request past it is
 * interrupted, which aborts it at the transport. An answer larger than
 * `maxResponseBytes` is refused: a 2xx as `MalformedResponse`, any other as
 * the `ApiError` of its status, without its body.
 */
export const sender = (client: HttpClient.HttpClient, options: SenderOptions): Sender => {
  const { timeout } = options
  const maxBytes = options.maxResponseBytes ?? Defaults.maxResponseBytes
  // Transports that read a body whole (UndiciHttpClient) stop at the bound too.
  // A ByteSize is a branded bigint; its module would add 2 KiB to a browser bundle.
  const maxBodySize = BigInt(maxBytes) as ByteSize.ByteSize
  const noAnswer = timeout === undefined ? "" : noAnswerWithin(timeout)
  // A request's context, but for what it records of its try, is the same for
  // every request sent from the same context: made once, kept for the next.
  let givenContext: Context.Context<never> | undefined
  let sendingContext: Context.Context<never> | undefined
  const contextFor = (context: Context.Context<never>): Context.Context<never> => {
    if (context !== givenContext || sendingContext === undefined) {
      givenContext = context
      sendingContext = Context.add((options.context ?? identity)(context), HttpIncomingMessage.MaxBodySize, maxBodySize)
    }
    return sendingContext
  }

  const timedOut = (what: string, sent: Sent.Written) =>
    new NetworkError({ message: `${what} failed: ${noAnswer}`, requestSent: Sent.mayHaveBeenSent(sent, undefined) })

  const exchange = (request: HttpClientRequest.HttpClientRequest): Effect.Effect<Answers.Answer, NetworkError> =>
    Effect.suspend(() => {
      // What the transport records of this try, if it can tell.
      const sent: Sent.Written = { written: undefined }
      const answer = client.execute(request).pipe(
        Effect.flatMap((response) => Answers.read(response, maxBytes)),
        Effect.catch((error) => fromClientError(error, describe(request), sent)),
        Effect.updateContext((context: Context.Context<never>) => Context.add(contextFor(context), Sent.CurrentWritten, sent))
      )
      return timeout === undefined ? answer : within(answer, timeout, () => Effect.fail(timedOut(describe(request), sent)))
    })

  const tooLarge = `a body larger than ${maxBytes} bytes`

  const failure = (answer: Answers.Answer): Effect.Effect<never, ApiError> =>
    Effect.clockWith((clock) => {
      const json = answer.text === undefined ? Option.none() : parseJson(answer.text)
      const body = Option.getOrElse(json, () => (answer.text === undefined || answer.text === "" ? undefined : clip(answer.text)))
      const retryAfter = Retry.parseRetryAfter(answer.headers["retry-after"], clock.currentTimeMillisUnsafe())
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

  const json = <A>(request: HttpClientRequest.HttpClientRequest, decode: Decoder<A>): Effect.Effect<A, RequestError> =>
    Effect.flatMap(exchange(request), (answer): Effect.Effect<A, RequestError> => {
      if (!isOk(answer.status)) return failure(answer)
      if (answer.text === undefined) {
        return Effect.fail(
          new MalformedResponse({
            message: `${describe(request)} answered ${answer.status} with ${tooLarge}`,
            status: answer.status,
            body: undefined
          })
        )
      }
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
      const decoded = decode(parsed.value)
      return decoded._tag === "Success" ? Effect.succeed(decoded.success) : Effect.fail(
        new MalformedResponse({
          message: `${describe(request)} answered an unexpected body: ${Wire.describeSchemaError(decoded.failure)}`,
          status: answer.status,
          body: parsed.value
        })
      )
    })

  const send = (request: HttpClientRequest.HttpClientRequest): Effect.Effect<void, RequestError> =>
    Effect.flatMap(exchange(request), (answer) => (isOk(answer.status) ? Effect.void : failure(answer)))

  return { json, send }
}

/**
 * An API as its endpoints use it: a GET is idempotent, so it is retried on a
 * transient failure; a POST is sent once unless its endpoint says otherwise.
 */
export interface Api {
  readonly get: <A>(
    path: string,
    decode: Decoder<A>,
    urlParams?: Readonly<Record<string, string>>
  ) => Effect.Effect<A, RequestError>
  /** Sends `body`, JSON text. */
  readonly post: <A>(path: string, body: string, decode: Decoder<A>) => Effect.Effect<A, RequestError>
  /** Tries a request again on a transient failure (a GET, a pause, an upload's `init`). */
  readonly idempotent: <A, E extends RequestError, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Tries a task creation again only when the service provably did not take it. */
  readonly untilTaken: <A, E extends RequestError, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

/**
 * `Retry.retrying`, set up only once a first try failed: most tries succeed,
 * and a retry's schedule costs as much as a request. The first failure is
 * replayed to it, so it decides as if it had run from the start.
 */
const retryingOnFailure = (policy: Retry.RetryPolicy, shouldRetry: (error: RequestError) => boolean) => {
  const retrying = Retry.retrying(policy, shouldRetry)
  return <A, E extends RequestError, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.catch(effect, (first) => {
      let replay = true
      // (Effect.catch rather than Effect.tapError, which no other browser code needs:
      // the retry fails with the error itself, not its cause, either way.)
      const reported = Effect.catch(effect, (error) => Effect.andThen(Attempts.report(error), Effect.fail(error)))
      return Effect.andThen(
        Attempts.report(first),
        retrying(Effect.suspend(() => {
          if (!replay) return reported
          replay = false
          return Effect.fail(first)
        }))
      )
    })
}

/** The endpoints' view of `sender`, retried on `policy`. */
export const api = (sender: Sender, policy: Retry.RetryPolicy): Api => {
  const idempotent = retryingOnFailure(policy, Retry.isTransient)
  return {
    get: (path, decode, urlParams) =>
      idempotent(sender.json(HttpClientRequest.get(path, urlParams === undefined ? undefined : { urlParams }), decode)),
    post: (path, body, decode) =>
      sender.json(HttpClientRequest.post(path, { body: HttpBody.text(body, "application/json") }), decode),
    idempotent,
    untilTaken: retryingOnFailure(policy, (error) => Retry.isNotTaken(error) && Retry.isTransient(error))
  }
}

/**
 * Runs `effect` in a span named `CloudTaskClient.<name>`, only when a tracer
 * other than Effect's built-in one listens: a span costs as much as the rest
 * of a request.
 */
export const traced = (name: string, taskID?: string) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withFiber((fiber) =>
    fiber.getRef(Tracer.Tracer) === Tracer.nativeTracer
      ? effect
      : inSpan(`CloudTaskClient.${name}`, {
        kind: "client",
        captureStackTrace: false,
        ...(taskID === undefined ? {} : { attributes: { "oomol.task.id": taskID } })
      }, () => effect))

/**
 * What `f` makes of the span named `name`, run in it, as `Effect.withSpan`
 * runs an effect, from the two steps it takes (`useSpan`, `withParentSpan`),
 * which the HTTP client uses already: `withSpan` itself would follow it into
 * every browser bundle.
 */
export const inSpan = <A, E, R>(
  name: string,
  options: Tracer.SpanOptions,
  f: (span: Tracer.Span) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => Effect.useSpan(name, options, (span) => Effect.withParentSpan(f(span), span, options))
