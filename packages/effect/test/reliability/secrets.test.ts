/**
 * The API key (and the default headers, which may carry credentials too) stay
 * secret: no error of any kind, however it is printed, no log line at Debug
 * level, no span and no inspection of the client holds them, and they reach
 * no host but the task API and the upload API.
 */
import { CloudTaskClient, Errors, Polling, Retry } from "@oomol-cloud-task/effect"
import { Fault, startEmulator } from "@oomol-cloud-task/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Context, Effect, Layer, Logger, References, Schedule, Stream } from "effect"
import { FetchHttpClient, HttpClient } from "effect/http"
import { inspect } from "node:util"
import { recordingTracer } from "../tracer.js"
import {
  clientOn,
  closedPort,
  type Column,
  columns,
  HANG_TIMEOUT,
  otherHost,
  type Received,
  SECRET,
  sweep,
  transports
} from "./support.js"

const TEAM_TOKEN = "team-SECRET-8d21"
const defaultHeaders = { "x-team-token": TEAM_TOKEN }
const secrets = [SECRET, TEAM_TOKEN]

const json = (value: unknown) => {
  try {
    return JSON.stringify(value) ?? ""
  } catch (error) {
    return String(error)
  }
}

/** Every way a value is commonly printed. */
const renderings = (value: unknown): ReadonlyArray<string> => [
  String(value),
  value instanceof Error ? `${value.message}\n${value.stack}` : "",
  json(value),
  inspect(value, { depth: Infinity }),
  inspect(value, { depth: Infinity, showHidden: true }),
  Cause.pretty(Cause.fail(value))
]

/** The renderings of `values` that hold a secret. */
const leaks = (values: ReadonlyArray<unknown>): ReadonlyArray<string> =>
  values.flatMap((value) => renderings(value).filter((text) => secrets.some((secret) => text.includes(secret))))

/** Log lines as the logfmt, JSON and structured loggers write them, every level. */
const captureLogs = () => {
  const lines: Array<string> = []
  const logger = Logger.make((options) =>
    void lines.push(
      Logger.formatLogFmt.log(options),
      Logger.formatJson.log(options),
      inspect(Logger.formatStructured.log(options), { depth: Infinity })
    )
  )
  // In place of the default logger, and at every level.
  const layer = Layer.merge(Logger.layer([logger]), Layer.succeed(References.MinimumLogLevel, "All"))
  return { lines, layer }
}

/** Errors, log lines and spans of everything run through `observe`. */
const observed = () => {
  const errors: Array<unknown> = []
  const logs = captureLogs()
  const { spans, tracer } = recordingTracer()
  const observe = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    effect.pipe(
      Effect.tapCause((cause) =>
        Effect.andThen(
          Effect.sync(() =>
            errors.push(
              ...cause.reasons.filter(Cause.isFailReason).map((reason) => reason.error),
              ...cause.reasons.filter(Cause.isDieReason).map((reason) => reason.defect)
            )
          ),
          Effect.logDebug("the call failed", cause)
        )
      ),
      Effect.withTracer(tracer),
      Effect.provide(logs.layer)
    )
  const spanTexts = () =>
    spans.map((span) => inspect({ name: span.name, attributes: span.attributes, events: span.events, exit: span.exit }, { depth: Infinity }))
  return { errors, logs: logs.lines, spanTexts, observe }
}

// Each fault for good, so that every cell ends in an error (the one-shot and sticky columns become one).
const every = columns.filter((column) => !columns.some((c) => c.name === `${column.name} sticky`))
  .map((column) => ({ ...column, fault: Fault.sticky(column.fault) }))
const connectionColumns = every.filter((c) => ["Drop", "DropMidBody", "Hang"].includes(c.fault._tag))
const sweepOptions = (column: Column): CloudTaskClient.Options => ({
  defaultHeaders,
  retry: Retry.never,
  ...(column.fault._tag === "Hang" ? { requestTimeout: HANG_TIMEOUT } : {})
})

const built = (layer: Layer.Layer<CloudTaskClient.CloudTaskClient>) =>
  Effect.map(Layer.build(layer), Context.get(CloudTaskClient.CloudTaskClient))

const scopedEmulator = (options: Parameters<typeof startEmulator>[0] = {}) =>
  Effect.acquireRelease(Effect.promise(() => startEmulator(options)), (emulator) => Effect.promise(emulator.close))

/** The errors no fault of the matrix makes: each remaining class, and each upload code the client can produce. */
const otherErrors = (observe: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const emulator = yield* scopedEmulator({
      partSize: 1024,
      blocks: [{ packageName: "@test/fails", fail: "Insufficient balance", durations: { queued: 0, running: 0 } }]
    })
    const client = yield* built(clientOn(emulator, transports.fetch!, { defaultHeaders, retry: Retry.never }))
    const attempt = <A, E>(effect: Effect.Effect<A, E>) => Effect.ignore(observe(effect))
    const create = (packageName: string) =>
      Effect.map(client.createTask({ packageName, packageVersion: "1.0.0", blockName: "main" }), (t) => t.taskID)

    // InvalidInput, before anything is sent.
    yield* attempt(client.listTasks({ size: 0 }))
    yield* attempt(client.createTask({ packageName: "p", packageVersion: "1", blockName: "b", inputValues: { f: () => 1 } }))
    yield* attempt(client.upload(new Uint8Array(1), { uploadBaseUrl: "ftp://elsewhere" }))
    // TaskFailed, and PollTimeout carrying the last polling error.
    yield* attempt(Effect.flatMap(create("@test/fails"), (id) => client.awaitResult(id, { schedule: Polling.fixed("5 millis") })))
    const running = yield* Effect.orDie(create("@test/slow"))
    emulator.fault("getTaskResult", Fault.sticky(Fault.status(503)))
    yield* attempt(client.awaitResult(running, { schedule: Polling.fixed("5 millis"), timeout: "50 millis" }))
    yield* attempt(Stream.runDrain(client.watch(running, { schedule: Schedule.recurs(1) })))
    yield* attempt(Stream.runDrain(client.logs(running, { follow: Polling.fixed("5 millis") })))
    emulator.clearFaults()
    // Upload codes: a presigned URL missing, a part refused, a part that keeps failing.
    emulator.fault("uploadInit", Fault.schemaBreak({ field: "data.presigned_urls.1" }))
    yield* attempt(client.upload(new Uint8Array(10)))
    emulator.fault("uploadPart", Fault.status(403))
    yield* attempt(client.upload(new Uint8Array(10)))
    emulator.fault("uploadPart", Fault.sticky(Fault.drop()))
    yield* attempt(client.upload(new Uint8Array(10), { retry: Schedule.recurs(1) }))
    emulator.clearFaults()

    // A 401 from a service that wants another key.
    const strict = yield* scopedEmulator({ apiKey: "someone-else" })
    const refused = yield* built(clientOn(strict, transports.fetch!, { defaultHeaders }))
    yield* attempt(refused.getDashboard())
  })

describe("the API key and default headers stay secret", () => {
  it.live("in every error, log line and span, over every transport and fault", () =>
    Effect.gen(function*() {
      const { errors, logs, observe, spanTexts } = observed()
      yield* Effect.forEach(Object.entries(transports), ([name, transport]) =>
        Effect.gen(function*() {
          yield* sweep(transport, name === "fetch" ? every : connectionColumns, sweepOptions, observe)
          // A connection never made.
          const url = `http://127.0.0.1:${yield* closedPort}`
          const unreachable = yield* built(clientOn({ url, uploadBaseUrl: url }, transport, { defaultHeaders, retry: Retry.never }))
          yield* Effect.ignore(observe(unreachable.getDashboard()))
        }), { concurrency: "unbounded" })
      yield* otherErrors(observe)

      const failures = errors.filter(Errors.isCloudTaskError)
      expect(failures).toHaveLength(errors.length)
      const kinds = new Set(failures.map((e) => (e._tag === "UploadError" ? `UploadError ${e.code}` : e._tag)))
      expect([...kinds].sort()).toEqual([
        "ApiError",
        "InvalidInput",
        "MalformedResponse",
        "NetworkError",
        "PollTimeout",
        "TaskFailed",
        "TaskMayExist",
        "UploadError GET_UPLOAD_URL_FAILED",
        "UploadError INIT_UPLOAD_FAILED",
        "UploadError MISSING_PRESIGNED_URL",
        "UploadError RETRY_EXHAUSTED",
        "UploadError UPLOAD_FAILED"
      ])
      // A transport failure keeps what the transport said.
      expect(failures.some((e) => e._tag === "NetworkError" && e.cause !== undefined && !e.requestSent)).toBe(true)
      expect(failures.some((e) => e._tag === "UploadError" && e.cause !== undefined)).toBe(true)

      expect(leaks(failures)).toEqual([])
      expect(logs.length).toBeGreaterThan(failures.length)
      expect(logs.filter((line) => secrets.some((secret) => line.includes(secret)))).toEqual([])
      expect(spanTexts().length).toBeGreaterThan(0)
      expect(spanTexts().filter((text) => secrets.some((secret) => text.includes(secret)))).toEqual([])
    }), 60_000)

  it.live("in an inspection of the client", () =>
    Effect.gen(function*() {
      const emulator = yield* scopedEmulator()
      const context = yield* Layer.build(clientOn(emulator, transports.fetch!, { defaultHeaders }))
      const client = Context.get(context, CloudTaskClient.CloudTaskClient)
      // The key is in use: requests carry it.
      yield* client.getDashboard()
      expect(emulator.requestLog("dashboard").at(-1)?.headers).toMatchObject({ authorization: `Bearer ${SECRET}` })
      expect(leaks([client, context])).toEqual([])
    }))
})

// v3 built a client from a `settings` value that held the headers as sent; in
// v4 the client configures its `HttpClient` once and the headers are put on
// each request, so what it is built with shows in the requests it hands to
// the transport.
describe("the requests a client builds", () => {
  it.live("keep the key out of an inspection, JSON and a log line, and still send it", () =>
    Effect.gen(function*() {
      const emulator = yield* scopedEmulator()
      const logs = captureLogs()
      // The transport prints each request as it gets it, on the request's own fiber.
      const seen: Array<{ readonly headers: ReadonlyArray<string>; readonly renderings: ReadonlyArray<string> }> = []
      const printing = Layer.effect(
        HttpClient.HttpClient,
        Effect.map(HttpClient.HttpClient, (fetch) =>
          HttpClient.make((request) =>
            Effect.gen(function*() {
              seen.push({
                headers: Object.keys(request.headers),
                renderings: [...renderings(request), ...renderings(request.headers)]
              })
              yield* Effect.logDebug("request", request, request.headers).pipe(Effect.provide(logs.layer))
              return yield* fetch.execute(request)
            })
          ))
      ).pipe(Layer.provide(transports.fetch!))
      const client = yield* built(clientOn(emulator, printing, { defaultHeaders, retry: Retry.defaultPolicy }))
      yield* client.getDashboard()

      expect(seen).toHaveLength(1)
      expect(seen[0]!.renderings.filter((text) => secrets.some((secret) => text.includes(secret)))).toEqual([])
      expect(logs.lines.length).toBeGreaterThan(0)
      expect(logs.lines.filter((line) => secrets.some((secret) => line.includes(secret)))).toEqual([])
      expect([...seen[0]!.headers].sort()).toEqual(["accept", "authorization", "x-team-token"])
      expect(emulator.requestLog("dashboard").at(-1)?.headers).toMatchObject({
        authorization: `Bearer ${SECRET}`,
        "x-team-token": TEAM_TOKEN
      })
    }))

  it.live("keep the key and default header values out of a request printed after the call, outside any fiber", () =>
    Effect.gen(function*() {
      const emulator = yield* scopedEmulator()
      // A transport that keeps each request; it is printed once the call is over.
      const kept: Array<unknown> = []
      const keeping = Layer.effect(
        HttpClient.HttpClient,
        Effect.map(HttpClient.HttpClient, (fetch) =>
          HttpClient.make((request) => {
            kept.push(request)
            return fetch.execute(request)
          }))
      ).pipe(Layer.provide(transports.fetch!))
      const client = yield* built(clientOn(emulator, keeping, { defaultHeaders, retry: Retry.defaultPolicy }))
      yield* client.getDashboard()

      const printed = yield* Effect.promise(() =>
        new Promise<ReadonlyArray<string>>((resolve) => setTimeout(() => resolve(kept.flatMap((r) => renderings(r))), 0))
      )
      expect(kept).toHaveLength(1)
      expect(printed.join("\n")).toContain("x-team-token")
      expect(printed.filter((text) => secrets.some((secret) => text.includes(secret)))).toEqual([])
      expect(emulator.requestLog("dashboard").at(-1)?.headers).toMatchObject({ "x-team-token": TEAM_TOKEN })
    }))
})

describe("credentials reach only the two APIs", () => {
  for (const [name, transport] of Object.entries(transports)) {
    it.live(`presigned part PUTs are bare, on the emulator's store and on another host, over ${name}`, () =>
      Effect.gen(function*() {
        const emulator = yield* scopedEmulator({ partSize: 1024 })
        // A fetch user's own RequestInit headers are meant for the APIs too.
        const client = yield* built(clientOn(emulator, transport, { defaultHeaders })).pipe(
          Effect.provideService(FetchHttpClient.RequestInit, { headers: { "x-init-token": TEAM_TOKEN } })
        )
        const upload = (bytes: number) =>
          client.upload(new Uint8Array(bytes), { name: "f.bin" }).pipe(
            Effect.provideService(FetchHttpClient.RequestInit, { headers: { "x-init-token": TEAM_TOKEN } })
          )

        yield* upload(3 * 1024)
        const parts = emulator.partUploads()
        expect(parts).toHaveLength(3)
        for (const part of parts) {
          expect(part).toMatchObject({ status: 200, authorization: false, cookie: false, nonStandardHeaders: [] })
        }
        for (const route of ["uploadInit", "uploadUrl"] as const) {
          expect(emulator.requestLog(route).at(-1)?.headers).toMatchObject({
            authorization: `Bearer ${SECRET}`,
            "x-team-token": TEAM_TOKEN
          })
        }

        // An object store on another host.
        const store = yield* otherHost(() => ({ status: 200, body: "" }))
        emulator.fault("uploadInit", Fault.status(200, {
          body: {
            data: {
              upload_id: "elsewhere",
              part_size: 1024,
              total_parts: 2,
              presigned_urls: { "1": `${store.url}/bucket/1?X-Signature=s1`, "2": `${store.url}/bucket/2?X-Signature=s2` }
            }
          }
        }))
        emulator.fault("uploadUrl", Fault.status(200, {
          body: {
            data: { url: `${store.url}/files/f.bin`, expires_at: "never", file_name: "f.bin", file_size: 2048, mime_type: "x" }
          }
        }))
        expect((yield* upload(2048)).url).toBe(`${store.url}/files/f.bin`)
        expect(store.received.map((r) => `${r.method} ${r.url}`).sort()).toEqual([
          "PUT /bucket/1?X-Signature=s1",
          "PUT /bucket/2?X-Signature=s2"
        ])
        const foreign = (received: Received) =>
          Object.keys(received.headers).filter((header) =>
            !["host", "connection", "content-type", "content-length", "user-agent", "accept", "accept-encoding", "accept-language", "sec-fetch-mode"]
              .includes(header)
          )
        expect(store.received.flatMap(foreign)).toEqual([])
        expect(store.received.flatMap((r) => renderings(r.headers)).filter((t) => secrets.some((s) => t.includes(s))))
          .toEqual([])
      }))
  }
})
