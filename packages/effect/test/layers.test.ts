import { CloudTaskClient } from "@oomol-cloud-task/effect"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted } from "effect"
import { FetchHttpClient } from "effect/http"
import { inspect } from "node:util"
import { clientLayer, mock } from "./mock.js"

const Client = CloudTaskClient.CloudTaskClient
const dashboard = {
  limits: { maxConcurrency: 1, maxQueueSize: 1 },
  count: { queued: 0, scheduling: 0, scheduled: 0, running: 0 },
  pause: { paused: false, type: null, canResume: false }
}

/** FetchHttpClient over a custom fetch that records what it is called with. */
const recordingFetch = () => {
  const calls: Array<{ url: string; init: RequestInit }> = []
  const fetch: typeof globalThis.fetch = async (input, init) => {
    calls.push({ url: String(input), init: init ?? {} })
    return new Response(JSON.stringify(dashboard), { headers: { "content-type": "application/json" } })
  }
  const layer = FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, fetch)))
  return { calls, layer }
}

describe("layer(options)", () => {
  for (const baseUrl of ["https://h.test", "https://h.test/", "https://h.test/v1", "https://h.test/v3/"]) {
    it.effect(`reads the base URL ${baseUrl} as https://h.test`, () => {
      const m = mock(() => ({ json: dashboard }))
      return Effect.gen(function*() {
        yield* (yield* Client).getDashboard()
        expect(m.requests[0]!.url.href).toBe("https://h.test/v3/users/me/dashboard")
      }).pipe(Effect.provide(clientLayer(m, { baseUrl })))
    })
  }

  it.effect("defaults to the official host", () => {
    const m = mock(() => ({ json: dashboard }))
    return Effect.gen(function*() {
      yield* (yield* Client).getDashboard()
      expect(m.requests[0]!.url.origin).toBe("https://cloud-task.oomol.com")
    }).pipe(Effect.provide(CloudTaskClient.layer().pipe(Layer.provide(m.layer), Layer.orDie)))
  })

  it.effect("without an API key sends no Authorization header", () => {
    const m = mock(() => ({ json: dashboard }))
    return Effect.gen(function*() {
      yield* (yield* Client).getDashboard()
      expect(m.requests[0]!.headers).not.toHaveProperty("authorization")
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("an API key replaces an Authorization default header", () => {
    const m = mock(() => ({ json: dashboard }))
    return Effect.gen(function*() {
      yield* (yield* Client).getDashboard()
      expect(m.requests[0]!.headers.authorization).toBe("Bearer k")
    }).pipe(Effect.provide(clientLayer(m, { apiKey: Redacted.make("k"), defaultHeaders: { Authorization: "Basic x" } })))
  })

  it.effect("runs on FetchHttpClient with a custom fetch, credentials \"include\" by default", () => {
    const { calls, layer } = recordingFetch()
    return Effect.gen(function*() {
      yield* (yield* Client).getDashboard()
      expect(calls[0]?.url).toBe("https://h.test/v3/users/me/dashboard")
      expect(calls[0]?.init.credentials).toBe("include")
      expect(new Headers(calls[0]?.init.headers).get("x-app")).toBe("a")
    }).pipe(
      Effect.provide(
        CloudTaskClient.layer({ baseUrl: "https://h.test", defaultHeaders: { "x-app": "a" } }).pipe(
          Layer.provide(layer),
          Layer.orDie
        )
      )
    )
  })

  it.effect("passes another credentials mode through, keeping the caller's RequestInit", () => {
    const { calls, layer } = recordingFetch()
    return Effect.gen(function*() {
      yield* (yield* Client).getDashboard().pipe(
        Effect.provideService(FetchHttpClient.RequestInit, { cache: "no-store" })
      )
      expect(calls[0]?.init).toMatchObject({ credentials: "omit", cache: "no-store" })
    }).pipe(
      Effect.provide(
        CloudTaskClient.layer({ baseUrl: "https://h.test", credentials: "omit" }).pipe(Layer.provide(layer), Layer.orDie)
      )
    )
  })

  it.effect("keeps the API key out of inspect and JSON of the service", () => {
    const m = mock(() => ({ json: dashboard }))
    return Effect.gen(function*() {
      const client = yield* Client
      expect(inspect(client, { depth: 10 })).not.toContain("sekret")
      expect(JSON.stringify(client)).not.toContain("sekret")
    }).pipe(Effect.provide(clientLayer(m, { apiKey: Redacted.make("sekret") })))
  })
})

/**
 * `layerConfig(options)` over the mock, reading `env` as its environment. A
 * variable set to "" is kept as set, as a shell's `VAR=` is: the client, not
 * the provider, decides what blank text means.
 */
const fromEnv = (m: ReturnType<typeof mock>, env: ReadonlyArray<readonly [string, string]>, options = {}) =>
  CloudTaskClient.layerConfig(options).pipe(
    Layer.provide(m.layer),
    Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(Object.fromEntries(env), { preserveEmptyStrings: true }))),
    Layer.orDie
  )

describe("layerConfig", () => {
  it.effect("reads OOMOL_API_KEY and OOMOL_BASE_URL", () => {
    const m = mock(() => ({ json: dashboard }))
    return Effect.gen(function*() {
      yield* (yield* Client).getDashboard()
      expect(m.requests[0]!.url.href).toBe("http://127.0.0.1:9/v3/users/me/dashboard")
      expect(m.requests[0]!.headers.authorization).toBe("Bearer env-key")
    }).pipe(Effect.provide(fromEnv(
      m,
      [["OOMOL_API_KEY", "env-key"], ["OOMOL_BASE_URL", "http://127.0.0.1:9/v3"]],
      { defaultHeaders: { "x-app": "a" } }
    )))
  })

  it.effect("takes a variable set to blank text as unset: no empty Bearer, no refused base URL", () => {
    const m = mock(() => ({ json: dashboard }))
    return Effect.gen(function*() {
      yield* (yield* Client).getDashboard()
      expect(m.requests[0]!.url.origin).toBe("https://cloud-task.oomol.com")
      expect(m.requests[0]!.headers).not.toHaveProperty("authorization")
    }).pipe(Effect.provide(fromEnv(m, [["OOMOL_API_KEY", ""], ["OOMOL_BASE_URL", " "], ["OOMOL_UPLOAD_BASE_URL", ""]])))
  })

  it.effect("works with nothing set: no key, the official host", () => {
    const m = mock(() => ({ json: dashboard }))
    return Effect.gen(function*() {
      yield* (yield* Client).getDashboard()
      expect(m.requests[0]!.url.origin).toBe("https://cloud-task.oomol.com")
      expect(m.requests[0]!.headers).not.toHaveProperty("authorization")
    }).pipe(Effect.provide(fromEnv(m, [])))
  })
})
