/**
 * A scripted HttpClient: records every request and answers from a handler.
 */
import { CloudTaskClient } from "@oomol-cloud-task/effect"
import { Clock, Effect, Fiber, Layer } from "effect"
import type { Duration } from "effect"
import { HttpClient, HttpClientError, type HttpClientRequest, HttpClientResponse } from "effect/http"
import { TestClock } from "effect/testing"

export interface Recorded {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
}

export type Answer =
  | { readonly status?: number; readonly json?: unknown; readonly text?: string; readonly headers?: Record<string, string> }
  | { readonly drop: "connect" | "reset" | "tls" | "bad port" }
  | { readonly hang: true }

export type Handler = (request: Recorded, index: number) => Answer | Effect.Effect<Answer>

export interface Mock {
  readonly requests: Array<Recorded>
  readonly layer: Layer.Layer<HttpClient.HttpClient>
}

const bodyText = (body: unknown): string | undefined => {
  if (typeof body !== "object" || body === null) return undefined
  const b = body as { _tag: string; body?: unknown }
  if (b._tag === "Uint8Array") return new TextDecoder().decode(b.body as Uint8Array)
  return undefined
}

const transportError = (request: HttpClientRequest.HttpClientRequest, cause: unknown) =>
  new HttpClientError.HttpClientError({ reason: new HttpClientError.TransportError({ request, cause }) })

export const mock = (handler: Handler): Mock => {
  const requests: Array<Recorded> = []
  const client = HttpClient.make((request, url, signal) =>
    Effect.gen(function*() {
      // The headers as a plain record, as they were sent.
      const recorded: Recorded = {
        method: request.method,
        url,
        headers: Object.fromEntries(Object.entries(request.headers)),
        body: bodyText(request.body)
      }
      requests.push(recorded)
      // A real transport gives up when its request is aborted, however long the answer takes.
      const aborted = Effect.callback<never, HttpClientError.HttpClientError>((resume) => {
        const abort = () => resume(Effect.fail(transportError(request, signal.reason)))
        if (signal.aborted) abort()
        else signal.addEventListener("abort", abort, { once: true })
        return Effect.sync(() => signal.removeEventListener("abort", abort))
      })
      const result = handler(recorded, requests.length - 1)
      const answer = Effect.isEffect(result) ? yield* Effect.raceFirst(result, aborted) : result
      if ("drop" in answer) {
        const cause = {
          connect: () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
          reset: () => Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
          tls: () => Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }),
          "bad port": () => new Error("bad port")
        }[answer.drop]()
        return yield* Effect.fail(transportError(request, new TypeError("fetch failed", { cause })))
      }
      if ("hang" in answer) return yield* aborted
      const text = answer.text ?? (answer.json === undefined ? "" : JSON.stringify(answer.json))
      const bytes = new TextEncoder().encode(text)
      const response = HttpClientResponse.fromWeb(
        request,
        new Response(text, {
          status: answer.status ?? 200,
          // Its length, as a server says it: the client reads a body of known length whole.
          headers: { "content-type": "application/json", "content-length": String(bytes.length), ...answer.headers }
        })
      )
      // The body is at hand: reading it takes no turn of the event loop, so a
      // test that moves the TestClock finds the client asleep again, not
      // waiting on a promise the clock cannot see.
      return Object.create(response, {
        arrayBuffer: { get: () => Effect.succeed(bytes.buffer as ArrayBuffer) }
      }) as HttpClientResponse.HttpClientResponse
    })
  )
  return { requests, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

/**
 * A mock that answers the i-th request with `script[i]` (the last one after)
 * and keeps the clock's time of each request.
 */
export const scripted = (script: ReadonlyArray<Answer>) => {
  const times: Array<number> = []
  const m = mock((_request, index) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      times.push(now)
      return script[Math.min(index, script.length - 1)]!
    })
  )
  return { m, times }
}

/** Runs `effect` in a fiber while moving the test clock far enough for it to end. */
export const settle = <A, E, R>(effect: Effect.Effect<A, E, R>, by: Duration.Input = "1 hour") =>
  Effect.gen(function*() {
    const fiber = yield* Effect.forkChild(effect)
    yield* TestClock.adjust(by)
    return yield* Fiber.join(fiber)
  })

/**
 * Forks `effect` to start a millisecond later on the TestClock: moving the
 * clock past that instant runs it, and every fiber it starts, until each is
 * suspended, however many turns of the scheduler that takes (v3's
 * `TestClock.adjust` waited for every fiber of the test; v4's waits for the
 * fibers it wakes).
 */
export const forkOnTick = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.forkChild(Effect.andThen(Effect.sleep("1 millis"), effect))

/** The client over a mock, with the options given. */
export const clientLayer = (m: Mock, options: CloudTaskClient.Options = {}) =>
  CloudTaskClient.layer({ baseUrl: "https://api.test", ...options }).pipe(Layer.provide(m.layer), Layer.orDie)

export const listItem = (taskID: string, overrides: Record<string, unknown> = {}) => ({
  taskID,
  taskType: "user",
  ownerID: "owner",
  subscriptionID: null,
  packageID: null,
  status: "success",
  progress: 100,
  workload: "serverless",
  workloadID: "w",
  resultURL: null,
  failedMessage: null,
  createdAt: 1,
  updatedAt: 2,
  startTime: 1,
  endTime: 2,
  schedulerPayload: {},
  ...overrides
})
