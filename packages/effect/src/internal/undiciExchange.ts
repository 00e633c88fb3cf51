/**
 * One request of UndiciHttpClient in flight: undici's handler for it, the
 * listener of its abort signal and its timer's target, so that a request
 * allocates little more than itself. It records whether the request was
 * written (for the client, see `requestSent.ts`) and stops reading an answer
 * past its size bound.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import { tooLargeCode } from "./answer.js"
import type { Written } from "./requestSent.js"
import { Answer, type RawHeaders } from "./undiciAnswer.js"

/** Control over a dispatched request, as undici hands it to the handler. */
export interface Controller {
  abort(reason: Error): void
}

/** A failure before any answer came. */
export const transportError = (
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

/** What one exchange is bound by. */
export interface Limits {
  /** From sending to the last byte of the answer; none if undefined. */
  readonly timeout: Duration.Duration | undefined
  /** The largest answer body read, in bytes; none if undefined. */
  readonly maxBytes: number | undefined
}

/** One request in flight, and undici's handler for it. */
export class Exchange {
  private controller: Controller | undefined
  /** Why the request was given up before it got a connection: it is aborted when it gets one. */
  private dropped: Error | undefined
  private answer: { readonly status: number; readonly headers: RawHeaders } | undefined
  private readonly chunks: Array<Uint8Array> = []
  private received = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  private timedOut = false
  private settled = false

  constructor(
    private readonly request: HttpClientRequest.HttpClientRequest,
    private readonly url: URL,
    private readonly signal: AbortSignal,
    private readonly limits: Limits,
    private readonly written: Written | undefined,
    private readonly resume: (
      effect: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>
    ) => void
  ) {}

  /** Starts the exchange; `dispatch` hands this handler to undici. */
  start(dispatch: (handler: this) => void): void {
    if (this.written !== undefined) this.written.written = false
    if (this.signal.aborted) return this.settle(Effect.fail(transportError(this.request, aborted())))
    this.signal.addEventListener("abort", this, { once: true })
    if (this.limits.timeout !== undefined) {
      // A timer per request, not undici's headersTimeout: those tick in whole seconds.
      this.timer = setTimeout(Exchange.expire, Duration.toMillis(this.limits.timeout), this)
      this.timer.unref()
    }
    try {
      dispatch(this)
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
    return `no answer within ${Duration.format(this.limits.timeout!)}`
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
          reason: new HttpClientError.DecodeError({
            request: this.request,
            response: this.respond(),
            cause: error,
            ...(isTooLarge(error) ? { description: error.message } : {})
          })
        })
    ))
  }

  /** The answer is past the size bound: stop reading it (undici closes the connection). */
  private tooLarge(controller: Controller): void {
    this.chunks.length = 0
    controller.abort(
      Object.assign(new Error(`the answer is larger than ${this.limits.maxBytes} bytes`), {
        name: "ResponseExceededMaxSizeError",
        code: tooLargeCode
      })
    )
  }

  onRequestStart(controller: Controller): void {
    this.controller = controller
    if (this.dropped !== undefined) return controller.abort(this.dropped)
    // Handed to a connected socket: from here on the service may see it.
    if (this.written !== undefined) this.written.written = true
  }

  onResponseStart(controller: Controller, status: number, headers: RawHeaders): void {
    // An informational answer (103) comes before the real one.
    if (status < 200) return
    this.answer = { status, headers }
    const length = headers["content-length"]
    if (this.limits.maxBytes !== undefined && typeof length === "string" && Number(length) > this.limits.maxBytes) {
      this.tooLarge(controller)
    }
  }

  onResponseData(controller: Controller, chunk: Uint8Array): void {
    this.received += chunk.byteLength
    if (this.limits.maxBytes !== undefined && this.received > this.limits.maxBytes) return this.tooLarge(controller)
    this.chunks.push(chunk)
  }

  onResponseEnd(): void {
    this.settle(Effect.succeed(this.respond()))
  }

  onResponseError(_: Controller, error: Error): void {
    this.failed(error)
  }
}

const isTooLarge = (error: unknown): error is Error =>
  error instanceof Error && (error as { readonly code?: unknown }).code === tooLargeCode
