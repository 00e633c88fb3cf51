/**
 * An `HttpClient` on undici's dispatcher: what the facade sends with in Node.
 * A request is one `dispatch` whose answer is read whole before it resolves,
 * and nothing else: no `AbortController`, body stream or finalizer per
 * request, so it takes well under half the CPU of `NodeHttpClient` on undici
 * or of `fetch` (`pnpm bench`). Only the facade's own requests go through it,
 * and their answers are small.
 *
 * In a chunk of its own, loaded on a client's first request.
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
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { IncomingHttpHeaders } from "node:http"
import { Agent, type Dispatcher, interceptors } from "undici"

/** An answer read whole: every way of reading its body reads those bytes. */
class Answer extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly headers: Headers.Headers

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly status: number,
    private readonly rawHeaders: IncomingHttpHeaders,
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

type Body = Dispatcher.DispatchOptions["body"]

const bodyOf = (body: HttpClientRequest.HttpClientRequest["body"]): Body | undefined => {
  switch (body._tag) {
    case "Empty":
      return null
    case "Uint8Array":
      return body.body
    case "Raw":
      return body.body as Body
    case "FormData":
      return body.formData as Body
    case "Stream":
      // The client never streams a request body.
      return undefined
  }
}

/**
 * Sends `request` to `url` and reads its answer. Interrupting it, or aborting
 * `signal`, aborts the request; so does `timeout` passing first, which fails
 * it with `no answer within …`, as the Effect client's own timeout does.
 */
const send = (
  dispatcher: Dispatcher,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  timeout: Duration.Duration | undefined,
  signal?: AbortSignal
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
  Effect.async((resume) => {
    const body = bodyOf(request.body)
    if (body === undefined) {
      return resume(Effect.fail(
        new HttpClientError.RequestError({ request, reason: "Encode", description: "a streamed body cannot be sent" })
      ))
    }
    let controller: Dispatcher.DispatchController | undefined
    let aborted = false
    let timedOut = false
    let answer: { readonly status: number; readonly headers: IncomingHttpHeaders } | undefined
    const chunks: Array<Buffer> = []
    const abort = () => {
      aborted = true
      controller?.abort(new Error("The request was aborted"))
    }
    // A timer per request, not undici's headersTimeout: those tick in whole seconds.
    const timer = timeout === undefined ? undefined : setTimeout(() => {
      timedOut = true
      abort()
    }, Duration.toMillis(timeout))
    timer?.unref()
    signal?.addEventListener("abort", abort, { once: true })
    const settle = (effect: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>) => {
      clearTimeout(timer)
      signal?.removeEventListener("abort", abort)
      resume(effect)
    }
    dispatcher.dispatch({
      origin: url.origin,
      path: url.pathname + url.search,
      method: request.method as Dispatcher.HttpMethod,
      headers: request.headers,
      body,
      // The timer above, or the caller's, keeps time.
      headersTimeout: 0,
      bodyTimeout: 0
    }, {
      onRequestStart(started) {
        controller = started
        if (aborted) abort()
      },
      onResponseStart(_, status, headers) {
        answer = { status, headers }
      },
      onResponseData(_, chunk) {
        chunks.push(chunk)
      },
      onResponseEnd() {
        settle(Effect.succeed(new Answer(request, answer?.status ?? 0, answer?.headers ?? {}, chunks)))
      },
      onResponseError(_, error) {
        if (timedOut) {
          const cause = new Error(`no answer within ${Duration.format(timeout!)}`)
          return settle(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause })))
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
    })
    return Effect.sync(abort)
  })

/** What a facade client sends with: one undici `Agent`, destroyed with the scope. */
export interface Clients {
  /** To the task and upload APIs: `timeout` per request, no redirect followed. */
  readonly api: HttpClient.HttpClient
  /**
   * To presigned part URLs: no timeout of its own (the upload gives each part
   * one, and aborts the request through the signal the `HttpClient` passes),
   * redirects followed as fetch would.
   */
  readonly parts: HttpClient.HttpClient
}

/** The two clients of one facade client, on one `Agent` closed with the scope. */
export const clients = (timeout: Duration.Duration | undefined): Effect.Effect<Clients, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(Effect.sync(() => new Agent()), (agent) => Effect.promise(() => agent.destroy())),
    (agent) => {
      const redirecting = agent.compose(interceptors.redirect({ maxRedirections: 20 }))
      return {
        api: HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
          Effect.flatMap((request) => {
            const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
            return url._tag === "Left"
              ? Effect.fail(new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: url.left }))
              : send(agent, request, url.right, timeout)
          }),
          Effect.succeed
        ),
        parts: HttpClient.make((request, url, signal) => send(redirecting, request, url, undefined, signal))
      }
    }
  )
