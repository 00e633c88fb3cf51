/**
 * An `HttpClient` on undici's dispatcher, for Node: one `dispatch` per
 * request, its answer read whole before the request succeeds into a response
 * of this module's own (no WHATWG `Response`, no body stream per answer), so
 * it takes less CPU than `NodeHttpClient.layerUndici` from
 * `@effect/platform-node` or Node's `fetch` (`pnpm bench`).
 *
 * What it keeps to:
 * - An answer is read whole into memory before the request succeeds: right for
 *   the API's small JSON answers, not meant for large downloads.
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
import * as Cookies from "effect/http/Cookies"
import * as Headers from "effect/http/Headers"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import * as UrlParams from "effect/http/UrlParams"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import type * as Schema from "effect/Schema"
import type * as Socket from "effect/socket/Socket"
import * as Stream from "effect/Stream"
import type * as Undici from "undici"

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

type RawHeaders = Record<string, string | Array<string> | undefined>

/** An answer read whole: every way of reading its body reads those bytes. */
class Answer extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpIncomingMessage.TypeId]: typeof HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: typeof HttpClientResponse.TypeId = HttpClientResponse.TypeId
  private cachedHeaders: Headers.Headers | undefined
  private cachedCookies: Cookies.Cookies | undefined
  private cachedText: string | undefined
  private whole: Buffer | undefined

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    private readonly sentTo: URL,
    readonly status: number,
    private readonly rawHeaders: RawHeaders,
    private readonly chunks: ReadonlyArray<Uint8Array>
  ) {
    super()
  }

  private get bytes(): Buffer {
    if (this.whole === undefined) {
      const only = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks)
      this.whole = Buffer.isBuffer(only) ? only : Buffer.from(only.buffer, only.byteOffset, only.byteLength)
    }
    return this.whole
  }

  private decodeError(cause: unknown): HttpClientError.HttpClientError {
    return new HttpClientError.HttpClientError({
      reason: new HttpClientError.DecodeError({ request: this.request, response: this, cause })
    })
  }

  get url(): string {
    const { href } = this.sentTo
    const hash = href.indexOf("#")
    return hash === -1 ? href : href.slice(0, hash)
  }

  get headers(): Headers.Headers {
    return this.cachedHeaders ??= Headers.fromInput(this.rawHeaders)
  }

  get cookies(): Cookies.Cookies {
    if (this.cachedCookies === undefined) {
      const header = this.rawHeaders["set-cookie"]
      this.cachedCookies = header === undefined ? Cookies.empty : Cookies.fromSetCookie(header)
    }
    return this.cachedCookies
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  get text(): Effect.Effect<string, HttpClientError.HttpClientError> {
    if (this.cachedText === undefined) {
      // As fetch and TextDecoder decode it: UTF-8, a byte order mark dropped.
      const text = this.bytes.toString("utf8")
      this.cachedText = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
    }
    return Effect.succeed(this.cachedText)
  }

  get json(): Effect.Effect<Schema.Json, HttpClientError.HttpClientError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => (text === "" ? null : JSON.parse(text) as Schema.Json),
        catch: (cause) => this.decodeError(cause)
      }))
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.HttpClientError> {
    // A copy: the bytes may share a larger buffer with others.
    const bytes = this.bytes
    return Effect.succeed(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.HttpClientError> {
    return Stream.fromIterable(this.chunks)
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.HttpClientError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        // A leading "?" is form data; URLSearchParams would drop it as a query prefix.
        try: () => UrlParams.fromInput(new URLSearchParams(text.replace(/^\?/, "%3F"))),
        catch: (cause) => this.decodeError(cause)
      }))
  }

  get formData(): Effect.Effect<FormData, HttpClientError.HttpClientError> {
    // Rare enough to borrow fetch's multipart parser.
    return Effect.tryPromise({
      try: () => new Response(new Uint8Array(this.bytes), { headers: this.headers }).formData(),
      catch: (cause) => this.decodeError(cause)
    })
  }

  get upgrade(): Effect.Effect<Socket.Socket, HttpClientError.HttpClientError> {
    return Effect.fail(
      new HttpClientError.HttpClientError({
        reason: new HttpClientError.StatusCodeError({
          request: this.request,
          response: this,
          description: "UndiciHttpClient does not hand over the connection of an HTTP upgrade"
        })
      })
    )
  }

  toJSON(): unknown {
    return HttpIncomingMessage.inspect(this, {
      _id: "HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }

  pipe() {
    return pipeArguments(this, arguments)
  }
}

const transportError = (
  request: HttpClientRequest.HttpClientRequest,
  cause: unknown,
  description?: string
): HttpClientError.HttpClientError =>
  new HttpClientError.HttpClientError({
    reason: new HttpClientError.TransportError(
      description === undefined ? { request, cause } : { request, cause, description }
    )
  })

const aborted = () => new Error("The request was aborted")

/**
 * One request in flight: undici's handler for it, the listener of its abort
 * signal and its timer's target, so that a request allocates little more than
 * itself.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined
  /** Why the request was given up before it got a connection: it is aborted when it gets one. */
  private dropped: Error | undefined
  private answer: { readonly status: number; readonly headers: RawHeaders } | undefined
  private readonly chunks: Array<Uint8Array> = []
  private timer: ReturnType<typeof setTimeout> | undefined
  private timedOut = false
  private settled = false

  constructor(
    private readonly request: HttpClientRequest.HttpClientRequest,
    private readonly url: URL,
    private readonly signal: AbortSignal,
    private readonly timeout: Duration.Duration | undefined,
    private readonly resume: (
      effect: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>
    ) => void
  ) {}

  start(dispatcher: Dispatcher, headers: Headers.Headers, body: Dispatcher.DispatchOptions["body"]): void {
    if (this.signal.aborted) return this.settle(Effect.fail(transportError(this.request, aborted())))
    this.signal.addEventListener("abort", this, { once: true })
    if (this.timeout !== undefined) {
      // A timer per request, not undici's headersTimeout: those tick in whole seconds.
      this.timer = setTimeout(Exchange.expire, Duration.toMillis(this.timeout), this)
      this.timer.unref()
    }
    try {
      dispatcher.dispatch({
        origin: this.url.origin,
        path: this.url.pathname + this.url.search,
        method: this.request.method,
        headers,
        body,
        // The timer above keeps time, or nothing does.
        headersTimeout: 0,
        bodyTimeout: 0
      }, this)
    } catch (error) {
      // A dispatcher refuses some requests at once (an invalid header, say).
      this.failed(error)
    }
  }

  /** The abort signal fired: the request is interrupted, or its scope closed. */
  handleEvent(): void {
    this.abort(aborted())
  }

  /** Interrupted: nothing waits for the answer any more. */
  interrupt(): void {
    if (this.settled) return
    this.settled = true
    this.done()
    if (this.controller !== undefined) this.controller.abort(aborted())
    else this.dropped = aborted()
  }

  private static expire(self: Exchange): void {
    self.timedOut = true
    if (self.controller !== undefined) return self.abort(new Error(self.noAnswer()))
    // Still queued or connecting: give up now. Nothing was written, so the
    // service never saw it; when a connection comes, the request is dropped.
    const description = self.noAnswer()
    self.dropped = Object.assign(new Error(description), { name: "ConnectTimeoutError", code: "UND_ERR_CONNECT_TIMEOUT" })
    self.settle(Effect.fail(transportError(self.request, self.dropped, description)))
  }

  private noAnswer(): string {
    return `no answer within ${Duration.format(this.timeout!)}`
  }

  private abort(reason: Error): void {
    if (this.settled) return
    if (this.controller !== undefined) return this.controller.abort(reason)
    this.dropped = reason
    this.settle(Effect.fail(transportError(this.request, reason)))
  }

  private done(): void {
    clearTimeout(this.timer)
    this.signal.removeEventListener("abort", this)
  }

  private settle(effect: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>): void {
    if (this.settled) return
    this.settled = true
    this.done()
    this.resume(effect)
  }

  private respond(): Answer {
    const { answer } = this
    return new Answer(this.request, this.url, answer?.status ?? 0, answer?.headers ?? {}, this.chunks)
  }

  private failed(error: unknown): void {
    if (this.timedOut) {
      const description = this.noAnswer()
      return this.settle(Effect.fail(transportError(this.request, new Error(description), description)))
    }
    this.settle(Effect.fail(
      this.answer === undefined
        ? transportError(this.request, error)
        : new HttpClientError.HttpClientError({
          reason: new HttpClientError.DecodeError({ request: this.request, response: this.respond(), cause: error })
        })
    ))
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller
    if (this.dropped !== undefined) controller.abort(this.dropped)
  }

  onResponseStart(_: Dispatcher.DispatchController, status: number, headers: RawHeaders): void {
    // An informational answer (103) comes before the real one.
    if (status >= 200) this.answer = { status, headers }
  }

  onResponseData(_: Dispatcher.DispatchController, chunk: Uint8Array): void {
    this.chunks.push(chunk)
  }

  onResponseEnd(): void {
    this.settle(Effect.succeed(this.respond()))
  }

  onResponseError(_: Dispatcher.DispatchController, error: Error): void {
    this.failed(error)
  }
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
  signal: AbortSignal
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
  if (request.headers.upgrade !== undefined) {
    return Effect.fail(transportError(request, undefined, "UndiciHttpClient does not send an HTTP upgrade request"))
  }
  const exchange = (headers: Headers.Headers, body: Dispatcher.DispatchOptions["body"]) =>
    Effect.callback<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((resume) => {
      const inFlight = new Exchange(request, url, signal, timeout, resume)
      inFlight.start(dispatcher, headers, body)
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
  HttpClient.make((request, url, signal) => send(dispatcher, timeout, request, url, signal))

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
