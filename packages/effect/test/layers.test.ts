import { CloudTaskClient, Retry } from "@oomol-cloud-task/effect"
import { describe, expect, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Layer, Redacted } from "effect"
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

  it.effect("layer({}) has no API key and sends no Authorization header: a browser's session cookie", () => {
    const m = mock(() => ({ json: dashboard }))
    return Effect.gen(function*() {
      yield* (yield* Client).getDashboard()
      expect(m.requests[0]!.headers).not.toHaveProperty("authorization")
    }).pipe(Effect.provide(CloudTaskClient.layer({}).pipe(Layer.provide(m.layer), Layer.orDie)))
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

/** A config provider reading `env` as the environment. A variable set to "" is kept as set, as a shell's `VAR=` is. */
const environment = (env: Record<string, string>) =>
  ConfigProvider.layer(ConfigProvider.fromEnvRecord(env, { preserveEmptyStrings: true }))

/** `layerConfig(configs)` over the mock, reading `env` as its environment. */
const fromEnv = (m: ReturnType<typeof mock>, env: Record<string, string>, configs: CloudTaskClient.ConfigOptions = {}) =>
  CloudTaskClient.layerConfig(configs).pipe(Layer.provide(m.layer), Layer.provide(environment(env)))

/** The error building `layer` fails with. */
const buildError = <E>(layer: Layer.Layer<CloudTaskClient.CloudTaskClient, E>) =>
  Effect.flip(Effect.scoped(Layer.build(layer)))

describe("layerConfig", () => {
  it.effect("reads OOMOL_API_KEY and OOMOL_BASE_URL; the other options as given", () => {
    const m = mock(() => ({ json: dashboard }))
    return Effect.gen(function*() {
      yield* (yield* Client).getDashboard()
      expect(m.requests[0]!.url.href).toBe("http://127.0.0.1:9/v3/users/me/dashboard")
      expect(m.requests[0]!.headers.authorization).toBe("Bearer env-key")
      expect(m.requests[0]!.headers["x-app"]).toBe("a")
    }).pipe(Effect.provide(fromEnv(
      m,
      { OOMOL_API_KEY: "env-key", OOMOL_BASE_URL: "http://127.0.0.1:9/v3" },
      { defaultHeaders: Config.succeed({ "x-app": "a" }) }
    ).pipe(Layer.orDie)))
  })

  it.effect("a missing OOMOL_API_KEY fails the layer with a ConfigError naming it, and nothing is sent", () => {
    const m = mock(() => ({ json: dashboard }))
    return Effect.gen(function*() {
      const error = yield* buildError(fromEnv(m, {}))
      expect(error._tag).toBe("ConfigError")
      expect(error.message).toContain("OOMOL_API_KEY")
      expect(m.requests).toHaveLength(0)
    })
  })

  it.effect("a key set to blank text counts as missing: a ConfigError, not an empty Bearer", () => {
    const m = mock(() => ({ json: dashboard }))
    return Effect.gen(function*() {
      const error = yield* buildError(fromEnv(m, { OOMOL_API_KEY: " " }))
      expect(error._tag).toBe("ConfigError")
      expect(error.message).toContain("OOMOL_API_KEY")
      expect(m.requests).toHaveLength(0)
    })
  })

  it.effect("takes a base URL set to blank text as unset: the official host", () => {
    const m = mock(() => ({ json: dashboard }))
    return Effect.gen(function*() {
      yield* (yield* Client).getDashboard()
      expect(m.requests[0]!.url.origin).toBe("https://cloud-task.oomol.com")
      expect(m.requests[0]!.headers.authorization).toBe("Bearer k")
    }).pipe(Effect.provide(
      fromEnv(m, { OOMOL_API_KEY: "k", OOMOL_BASE_URL: " ", OOMOL_UPLOAD_BASE_URL: "" }).pipe(Layer.orDie)
    ))
  })

  it.effect("takes a Config per option, in place of the default variables", () => {
    const m = mock(() => ({ status: 503, json: { message: "busy" } }))
    return Effect.gen(function*() {
      const client = yield* Client
      const error = yield* Effect.flip(client.getDashboard())
      // Retry.never: one request; the key, base URL and header from the app's own variables.
      expect(error.message).toBe("busy")
      expect(m.requests).toHaveLength(1)
      expect(m.requests[0]!.url.href).toBe("https://mine.test/v3/users/me/dashboard")
      expect(m.requests[0]!.headers.authorization).toBe("Bearer mine")
      expect(m.requests[0]!.headers["x-app"]).toBe("b")
      // maxInputBytes from MY_MAX_INPUT: a body over it is refused before sending.
      const refused = yield* Effect.flip(client.createTask({ packageName: "p", packageVersion: "1", blockName: "b", inputValues: { text: "x".repeat(200) } }))
      expect(refused._tag).toBe("InvalidInput")
      expect(refused.message).toMatch(/the limit is 100$/)
      expect(m.requests).toHaveLength(1)
    }).pipe(Effect.provide(fromEnv(
      m,
      { OOMOL_API_KEY: "not this one", MY_KEY: "mine", MY_URL: "https://mine.test", MY_MAX_INPUT: "100" },
      {
        apiKey: Config.Redacted("MY_KEY"),
        baseUrl: Config.String("MY_URL"),
        maxInputBytes: Config.Int("MY_MAX_INPUT"),
        defaultHeaders: Config.succeed({ "x-app": "b" }),
        retry: Config.succeed(Retry.never),
        requestTimeout: Config.Duration("MY_TIMEOUT").pipe(Config.withDefault("5 seconds"))
      }
    ).pipe(Layer.orDie)))
  })

  it.effect("without a key when the app says so: apiKey as Config.succeed(undefined)", () => {
    const m = mock(() => ({ json: dashboard }))
    return Effect.gen(function*() {
      yield* (yield* Client).getDashboard()
      expect(m.requests[0]!.headers).not.toHaveProperty("authorization")
    }).pipe(Effect.provide(fromEnv(m, {}, { apiKey: Config.succeed(undefined) }).pipe(Layer.orDie)))
  })

  it.effect("a Config that fails names its own variable", () => {
    const m = mock(() => ({ json: dashboard }))
    return Effect.gen(function*() {
      const error = yield* buildError(fromEnv(m, { OOMOL_API_KEY: "k", MY_TIMEOUT: "soon" }, { requestTimeout: Config.Duration("MY_TIMEOUT") }))
      expect(error._tag).toBe("ConfigError")
      expect(error.message).toContain("MY_TIMEOUT")
    })
  })
})
