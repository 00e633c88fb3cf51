/**
 * An `HttpClient` on undici's dispatcher, for Node: one `dispatch` per
 * request, its answer read whole before the request succeeds into a response
 * of this module's own (no WHATWG `Response`, no body stream per answer), so
 * it takes less CPU than `NodeHttpClient.layerUndici` from
 * `@effect/platform-node` or Node's `fetch` (`pnpm bench`).
 *
 * What it keeps to:
 * - An answer is read whole into memory before the request succeeds: right for
 *   the API's small JSON answers, not meant for large downloads. Its size is
 *   bounded by Effect's `HttpIncomingMessage.MaxBodySize` reference when it is
 *   set: a larger answer is not read further (its connection is closed) and
 *   fails with a `DecodeError` whose cause has undici's code for it,
 *   `UND_ERR_RES_EXCEEDED_MAX_SIZE`.
 * - A request body is sent as given (bytes, text, `FormData`); a `Stream` body
 *   is refused with an `HttpClientError` whose reason is an `EncodeError`.
 * - `timeout` is a timer per request, from sending to the last byte of the
 *   answer. When it passes, the request fails with a `TransportError` that
 *   says `no answer within …`: a request already written is aborted (its
 *   connection closed); one still waiting for its connection is dropped, and
 *   its cause carries undici's connect-timeout code (`UND_ERR_CONNECT_TIMEOUT`),
 *   as the service never saw it.
 * - Interrupting a request aborts it, and so does closing its scope
 *   (`HttpClient.withScope`).
 * - A failure keeps undici's error as its `cause`: a `TransportError` before
 *   the answer's status came, a `DecodeError` (the response and its status
 *   kept) once it had.
 * - No redirect is followed (compose the dispatcher with undici's redirect
 *   interceptor for that), and no HTTP upgrade is made.
 *
 * `undici` is an optional peer dependency: install it to use this module.
 * It is loaded when a layer needs an `Agent` or `make` the global dispatcher,
 * so importing the package never loads it.
 *
 * @example
 * ```ts
 * import { CloudTaskClient, UndiciHttpClient } from "@oomol-cloud-task/effect"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const ClientLive = CloudTaskClient.layer({ apiKey: Redacted.make("key") }).pipe(
 *   Layer.provide(UndiciHttpClient.layer())
 * )
 *
 * Effect.flatMap(CloudTaskClient.CloudTaskClient, (client) => client.getDashboard()).pipe(
 *   Effect.provide(ClientLive),
 *   Effect.runPromise
 * )
 * ```
 *
 * @since 0.2.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Headers from "effect/http/Headers"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import * as Layer from "effect/Layer"
import type * as Undici from "undici"
import { CurrentWritten } from "./internal/requestSent.js"
import { Exchange, transportError } from "./internal/undiciExchange.js"

/**
 * What the client needs of an undici dispatcher: an `Agent`, `Pool` or
 * `Client` of the `undici` package, or one composed with interceptors. Typed
 * by its shape, so these types need no undici installed.
 *
 * @since 0.2.0
 * @category models
 */
export interface Dispatcher {
  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean
}

/**
 * @since 0.2.0
 * @category models
 */
export declare namespace Dispatcher {
  /** A request as the client dispatches it. */
  export interface DispatchOptions {
    readonly origin: string
    readonly path: string
    readonly method: string
    readonly headers: Readonly<Record<string, string>>
    readonly body: string | Uint8Array | null
    readonly headersTimeout: number
    readonly bodyTimeout: number
  }
  /** How undici reports on a dispatched request. */
  export interface DispatchHandler {
    onRequestStart?(controller: DispatchController, context: unknown): void
    onResponseStart?(
      controller: DispatchController,
      statusCode: number,
      headers: Record<string, string | Array<string> | undefined>,
      statusMessage?: string
    ): void
    onResponseData?(controller: DispatchController, chunk: Uint8Array): void
    onResponseEnd?(controller: DispatchController, trailers: unknown): void
    onResponseError?(controller: DispatchController, error: Error): void
  }
  /** Control over a dispatched request. */
  export interface DispatchController {
    abort(reason: Error): void
  }
}

/**
 * @since 0.2.0
 * @category options
 */
export interface Options {
  /** The dispatcher to send with. Default: undici's global dispatcher (`make`), or an `Agent` of the layer's own (`layer`). */
  readonly dispatcher?: Dispatcher | undefined
  /**
   * How long a request may take, from sending to the last byte of its answer:
   * a timer per request, past which the request fails with a `TransportError`
   * saying `no answer within …`. Zero or infinity: no limit; a timer waits at
   * most about 24.8 days. Default: no limit.
   */
  readonly timeout?: Duration.Input | undefined
}

const encodeError = (request: HttpClientRequest.HttpClientRequest, description: string | undefined, cause?: unknown) =>
  new HttpClientError.HttpClientError({
    reason: new HttpClientError.EncodeError(
      description === undefined ? { request, cause } : { request, description }
    )
  })

/**
 * A `FormData` body as multipart bytes and its content type. undici 8 sends
 * only a FormData of its own package instance, so the platform's encoder
 * writes it, whichever undici the dispatcher comes from.
 */
const multipart = (request: HttpClientRequest.HttpClientRequest, formData: FormData) =>
  Effect.tryPromise({
    try: async () => {
      const encoded = new Response(formData)
      const contentType = encoded.headers.get("content-type") ?? "multipart/form-data"
      return {
        headers: Headers.set(request.headers, "content-type", contentType),
        body: new Uint8Array(await encoded.arrayBuffer())
      }
    },
    catch: (cause) => encodeError(request, undefined, cause)
  })

/** Sends `request` to `url` and reads its answer whole, within `timeout` if given. */
const send = (
  dispatcher: Dispatcher,
  timeout: Duration.Duration | undefined,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  signal: AbortSignal,
  fiber: Fiber.Fiber<unknown, unknown>
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
  if (request.headers.upgrade !== undefined) {
    return Effect.fail(transportError(request, undefined, "UndiciHttpClient does not send an HTTP upgrade request"))
  }
  const maxBodySize = fiber.getRef(HttpIncomingMessage.MaxBodySize)
  const written = fiber.getRef(CurrentWritten)
  const limits = { timeout, maxBytes: maxBodySize === undefined ? undefined : Number(maxBodySize) }
  const exchange = (headers: Headers.Headers, body: Dispatcher.DispatchOptions["body"]) =>
    Effect.callback<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((resume) => {
      const inFlight = new Exchange(request, url, signal, limits, written, resume)
      inFlight.start((handler) =>
        dispatcher.dispatch({
          origin: url.origin,
          path: url.pathname + url.search,
          method: request.method,
          headers,
          body,
          // The exchange's timer keeps time, or nothing does.
          headersTimeout: 0,
          bodyTimeout: 0
        }, handler)
      )
      return Effect.sync(() => inFlight.interrupt())
    })
  const { body } = request
  switch (body._tag) {
    case "Empty":
      return exchange(request.headers, null)
    case "Uint8Array":
      // Text kept as text: undici encodes it, with no TextEncoder on the way.
      return exchange(request.headers, body.text ?? body.body)
    case "Raw":
      return exchange(request.headers, body.body as Dispatcher.DispatchOptions["body"])
    case "FormData":
      return Effect.flatMap(multipart(request, body.formData), (encoded) => exchange(encoded.headers, encoded.body))
    case "Stream":
      return Effect.fail(
        encodeError(request, "UndiciHttpClient does not send a Stream body: send its bytes (HttpBody.uint8Array)")
      )
  }
}

/**
 * A timeout as a timer can keep it: none when it is zero or infinite, and at
 * most setTimeout's range (about 24.8 days), beyond which a timer fires at once.
 */
const asTimer = (timeout: Duration.Duration): Duration.Duration | undefined =>
  Duration.isFinite(timeout) && Duration.isGreaterThan(timeout, Duration.zero)
    ? Duration.min(timeout, Duration.millis(2 ** 31 - 1))
    : undefined

const clientOn = (dispatcher: Dispatcher, timeout: Duration.Duration | undefined): HttpClient.HttpClient =>
  HttpClient.make((request, url, signal, fiber) => send(dispatcher, timeout, request, url, signal, fiber))

// undici is an optional peer dependency, loaded when first needed, by a
// specifier bundlers leave alone: a browser build, or one without undici, must
// not try to resolve it (it is reachable from the package's main entry).
const undiciPackage = "undici"

const loadUndici: Effect.Effect<typeof Undici> = Effect.orDie(Effect.tryPromise({
  try: () =>
    // undici is CommonJS: its exports are the module's default (Node also names them).
    (import(/* webpackIgnore: true */ /* @vite-ignore */ undiciPackage) as Promise<
      typeof Undici & { readonly default?: typeof Undici }
    >).then((module) => module.default ?? module),
  catch: (cause) => new Error("UndiciHttpClient needs the undici package: npm install undici", { cause })
}))

/**
 * An `HttpClient` that sends with `options.dispatcher`, else with undici's
 * global dispatcher. Each answer is read whole before the request succeeds
 * (right for small answers such as the API's, not for large downloads); a
 * `Stream` request body is refused with an `EncodeError`; no redirect is
 * followed.
 *
 * @example
 * ```ts
 * import { UndiciHttpClient } from "@oomol-cloud-task/effect"
 * import { Effect } from "effect"
 * import { Agent } from "undici"
 *
 * const agent = new Agent({ connections: 16 })
 *
 * export const status = Effect.gen(function*() {
 *   const http = yield* UndiciHttpClient.make({ dispatcher: agent, timeout: "10 seconds" })
 *   const response = yield* http.get("https://cloud-task.oomol.com/v3/users/me/tasks")
 *   return response.status
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<HttpClient.HttpClient> => {
  const timeout = options.timeout === undefined ? undefined : asTimer(Duration.fromInputUnsafe(options.timeout))
  return options.dispatcher === undefined
    ? Effect.map(loadUndici, (undici) => clientOn(undici.getGlobalDispatcher(), timeout))
    : Effect.succeed(clientOn(options.dispatcher, timeout))
}

/**
 * The client as a layer. Without `options.dispatcher` it sends with an undici
 * `Agent` of its own, destroyed when the layer is released (a request still
 * running is aborted); a given dispatcher is left open.
 *
 * @example
 * ```ts
 * import { CloudTaskClient, UndiciHttpClient } from "@oomol-cloud-task/effect"
 * import { Layer } from "effect"
 *
 * export const ClientLive = CloudTaskClient.layerConfig().pipe(
 *   Layer.provide(UndiciHttpClient.layer({ timeout: "30 seconds" }))
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<HttpClient.HttpClient> =>
  Layer.effect(
    HttpClient.HttpClient,
    options.dispatcher === undefined
      ? Effect.flatMap(
        Effect.acquireRelease(
          Effect.map(loadUndici, (undici) => new undici.Agent()),
          (agent) => Effect.promise(() => agent.destroy())
        ),
        (agent) => make({ ...options, dispatcher: agent })
      )
      : make(options)
  )
