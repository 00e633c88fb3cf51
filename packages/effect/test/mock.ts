/**
 * A scripted HttpClient: records every request and answers from a handler.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { CloudTaskClient } from "@oomol-cloud-task/effect"
import * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"

export interface Recorded {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
}

export type Answer =
  | { readonly status?: number; readonly json?: unknown; readonly text?: string; readonly headers?: Record<string, string> }
  | { readonly drop: "connect" | "reset" }
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

export const mock = (handler: Handler): Mock => {
  const requests: Array<Recorded> = []
  const client = HttpClient.make((request, url, signal) =>
    Effect.gen(function*() {
      const recorded: Recorded = { method: request.method, url, headers: request.headers, body: bodyText(request.body) }
      requests.push(recorded)
      // A real transport gives up when its request is aborted, however long the answer takes.
      const aborted = Effect.async<never, HttpClientError.RequestError>((resume) => {
        const abort = () =>
          resume(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: signal.reason })))
        if (signal.aborted) abort()
        else signal.addEventListener("abort", abort, { once: true })
        return Effect.sync(() => signal.removeEventListener("abort", abort))
      })
      const result = handler(recorded, requests.length - 1)
      const answer = Effect.isEffect(result) ? yield* Effect.raceFirst(result, aborted) : result
      if ("drop" in answer) {
        const cause = answer.drop === "connect"
          ? Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" })
          : Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })
        return yield* Effect.fail(
          new HttpClientError.RequestError({ request, reason: "Transport", cause: new TypeError("fetch failed", { cause }) })
        )
      }
      if ("hang" in answer) return yield* aborted
      const text = answer.text ?? (answer.json === undefined ? "" : JSON.stringify(answer.json))
      return HttpClientResponse.fromWeb(
        request,
        new Response(text, {
          status: answer.status ?? 200,
          headers: { "content-type": "application/json", ...answer.headers }
        })
      )
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
export const settle = <A, E, R>(effect: Effect.Effect<A, E, R>, by: Duration.DurationInput = "1 hour") =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust(by)
    return yield* Fiber.join(fiber)
  })

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
