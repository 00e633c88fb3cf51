/**
 * An `HttpClient` on undici's dispatcher, for Node: one `dispatch` per
 * request, its answer read whole before the request succeeds, and nothing
 * else per request — no `AbortController`, body stream or finalizer — so it
 * takes about half the CPU of `NodeHttpClient.layerUndici` from
 * `@effect/platform-node`, and less than Node's `fetch` (`pnpm bench`).
 *
 * What it keeps to:
 * - An answer is read whole into memory before the request succeeds: right for
 *   the API's small JSON answers, not meant for large downloads.
 * - A request body is sent as given (bytes, text, `FormData`); a `Stream` body
 *   is refused with a `RequestError` (reason `Encode`).
 * - `timeout` is a timer per request, from sending to the last byte of the
 *   answer: when it passes, the request is aborted (its connection closed) and
 *   fails with a `RequestError` (reason `Transport`) that says `no answer
 *   within …`. `CloudTaskClient` hands its own `requestTimeout` to this timer
 *   (the shorter of the two applies), so it keeps no timer of its own per
 *   request, and reports the same `NetworkError` either way.
 * - Interrupting a request aborts it, and so does closing its scope
 *   (`HttpClient.withScope`).
 * - No redirect is followed (compose the dispatcher with undici's redirect
 *   interceptor for that), and it makes no span of its own.
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
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { globalValue } from "effect/GlobalValue"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as Undici from "undici"
import * as RequestTimeout from "./internal/requestTimeout.js"

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
   * a timer per request, past which the request is aborted and fails with a
   * `RequestError` saying `no answer within …`. `CloudTaskClient` hands its
   * `requestTimeout` to this timer; the shorter of the two applies. Default:
   * no limit.
   */
  readonly timeout?: Duration.DurationInput | undefined
}

/** An answer read whole: every way of reading its body reads those bytes. */
class Answer extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly headers: Headers.Headers

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly status: number,
    private readonly rawHeaders: Record<string, string | Array<string> | undefined>,
    private readonly chunks: ReadonlyArray<Buffer>
  ) {
    super()
    this.headers = Headers.fromInput(rawHeaders)
  }

  private get bytes(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks)
  }

  private decodeError(cause: unknown) {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    // As fetch and undici's body.text() decode it: UTF-8, a byte order mark dropped.
    const text = this.bytes.toString("utf8")
    return Effect.succeed(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({ try: () => (text === "" ? null : JSON.parse(text)), catch: (cause) => this.decodeError(cause) }))
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    const bytes = this.bytes
    return Effect.succeed(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return Stream.fromIterable(this.chunks)
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => UrlParams.fromInput(new URLSearchParams(text)),
        catch: (cause) => this.decodeError(cause)
      }))
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.tryPromise({
      try: () => new Response(new Uint8Array(this.bytes), { headers: this.headers }).formData(),
      catch: (cause) => this.decodeError(cause)
    })
  }

  get cookies(): Cookies.Cookies {
    const header = this.rawHeaders["set-cookie"]
    return header === undefined ? Cookies.empty : Cookies.fromSetCookie(header)
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  toJSON(): unknown {
    return HttpIncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }
}

const bodyOf = (body: HttpClientRequest.HttpClientRequest["body"]): Dispatcher.DispatchOptions["body"] | undefined => {
  switch (body._tag) {
    case "Empty":
      return null
    case "Uint8Array":
      return body.body
    case "Raw":
      return body.body as Dispatcher.DispatchOptions["body"]
    case "FormData":
      return body.formData as unknown as Dispatcher.DispatchOptions["body"]
    case "Stream":
      return undefined
  }
}

// @effect/platform's own registry of requests tied to a scope by
// `HttpClient.withScope`: closing the scope aborts the controller registered
// for the request (its `HttpClient.make` reads the same map).
const scopedRequests = globalValue(
  "@effect/platform/HttpClient/scopedRequests",
  () => new WeakMap<HttpClientRequest.HttpClientRequest, AbortController>()
)

const aborted = () => new Error("The request was aborted")

/** Sends `request` to `url` and reads its answer whole, within `timeout` if given. */
const send = (
  dispatcher: Dispatcher,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  timeout: Duration.Duration | undefined
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
  Effect.async((resume) => {
    const body = bodyOf(request.body)
    if (body === undefined) {
      return resume(Effect.fail(
        new HttpClientError.RequestError({
          request,
          reason: "Encode",
          description: "UndiciHttpClient does not send a Stream body: send its bytes (HttpBody.uint8Array)"
        })
      ))
    }
    const signal = scopedRequests.get(request)?.signal
    let controller: Dispatcher.DispatchController | undefined
    let abortedEarly = false
    let timedOut = false
    let answer: { readonly status: number; readonly headers: Record<string, string | Array<string> | undefined> } | undefined
    const chunks: Array<Buffer> = []
    const abort = () => {
      if (controller === undefined) abortedEarly = true
      else controller.abort(aborted())
    }
    // A timer per request, not undici's headersTimeout: those tick in whole seconds.
    const timer = timeout === undefined ? undefined : setTimeout(() => {
      timedOut = true
      if (controller !== undefined) return abort()
      // Still queued or connecting: give up now. Nothing was written, so the
      // service never saw it; when a connection comes, the request is dropped.
      abortedEarly = true
      const description = RequestTimeout.noAnswerWithin(timeout)
      settle(Effect.fail(new HttpClientError.RequestError({
        request,
        reason: "Transport",
        description,
        cause: Object.assign(new Error(description), { code: RequestTimeout.NOT_SENT })
      })))
    }, Duration.toMillis(timeout))
    timer?.unref()
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener("abort", abort)
    }
    let settled = false
    const settle = (effect: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>) => {
      if (settled) return
      settled = true
      done()
      resume(effect)
    }
    const failed = (error: unknown) => {
      if (timedOut) {
        const description = RequestTimeout.noAnswerWithin(timeout!)
        return settle(Effect.fail(
          new HttpClientError.RequestError({ request, reason: "Transport", description, cause: new Error(description) })
        ))
      }
      settle(Effect.fail(
        answer === undefined
          ? new HttpClientError.RequestError({ request, reason: "Transport", cause: error })
          : new HttpClientError.ResponseError({
            request,
            response: new Answer(request, answer.status, answer.headers, chunks),
            reason: "Decode",
            cause: error
          })
      ))
    }
    if (signal?.aborted) return failed(aborted())
    signal?.addEventListener("abort", abort, { once: true })
    try {
      dispatcher.dispatch({
        origin: url.origin,
        path: url.pathname + url.search,
        method: request.method,
        headers: request.headers,
        body,
        // The timer above keeps time, or nothing does.
        headersTimeout: 0,
        bodyTimeout: 0
      }, {
        onRequestStart(started) {
          controller = started
          if (abortedEarly) abort()
        },
        onResponseStart(_, status, headers) {
          answer = { status, headers }
        },
        onResponseData(_, chunk) {
          chunks.push(chunk as Buffer)
        },
        onResponseEnd() {
          settle(Effect.succeed(new Answer(request, answer?.status ?? 0, answer?.headers ?? {}, chunks)))
        },
        onResponseError(_, error) {
          failed(error)
        }
      })
    } catch (error) {
      // A dispatcher refuses some requests at once (an invalid header, say).
      failed(error)
    }
    // Interrupted: nothing waits for the answer any more.
    return Effect.sync(() => {
      done()
      abort()
    })
  })

const shorter = (a: Duration.Duration | undefined, b: Duration.Duration | undefined) =>
  a === undefined ? b : b === undefined ? a : Duration.min(a, b)

const clientOn = (
  dispatcher: Dispatcher,
  timeout: Duration.Duration | undefined
): HttpClient.HttpClient & RequestTimeout.KeepsTime => {
  const client = HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
    Effect.flatMap((request) => {
      const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
      return url._tag === "Left"
        ? Effect.fail(new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: url.left }))
        : send(dispatcher, request, url.right, timeout)
    }),
    Effect.succeed
  )
  return Object.assign(client, {
    [RequestTimeout.TypeId]: (other: Duration.Duration) => clientOn(dispatcher, shorter(timeout, RequestTimeout.asTimer(other)))
  })
}

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
 * `Stream` request body is refused with a `RequestError`; no redirect is
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
  const timeout = options.timeout === undefined ? undefined : RequestTimeout.asTimer(Duration.decode(options.timeout))
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
 * // The client's request timeout (30 s by default) is kept by the transport's timer.
 * export const ClientLive = CloudTaskClient.layerConfig().pipe(Layer.provide(UndiciHttpClient.layer()))
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<HttpClient.HttpClient> =>
  Layer.scoped(
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
