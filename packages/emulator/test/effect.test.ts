import { Api, Task } from "@oomol-cloud-task/contract"
import { Emulator, Fault } from "@oomol-cloud-task/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Result, Schema, Tracer } from "effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import { TestClock } from "effect/testing"
import { createBody } from "./support.js"

/** The in-process client, based at the emulator's URL, with a bearer key. */
const client = Effect.gen(function*() {
  const emulator = yield* Emulator.Emulator
  return (yield* HttpClient.HttpClient).pipe(
    HttpClient.mapRequest(HttpClientRequest.prependUrl(emulator.url)),
    HttpClient.mapRequest(HttpClientRequest.bearerToken("test-key"))
  )
})

const createTask = Effect.gen(function*() {
  const http = yield* client
  const request = yield* HttpClientRequest.bodyJson(HttpClientRequest.post(Api.paths.tasks), createBody())
  const { taskID } = yield* http.execute(request).pipe(
    Effect.flatMap(HttpClientResponse.schemaBodyJson(Task.CreateTaskResponse))
  )
  return taskID
})

const result = (taskID: string) =>
  Effect.flatMap(client, (http) =>
    http.get(Api.paths.taskResult(taskID)).pipe(Effect.flatMap(HttpClientResponse.schemaBodyJson(Task.DefaultTaskResult))))

/** Waits (a turn of the event loop at a time) until the emulator has received `n` requests of the dashboard. */
const arrived = (n: number) =>
  Effect.gen(function*() {
    const emulator = yield* Emulator.Emulator
    while ((yield* emulator.requests("dashboard")) < n) {
      yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
    }
  })

const dashboard = Effect.flatMap(client, (http) => Effect.flatMap(http.get(Api.paths.dashboard), (response) => response.text))

describe("Emulator.layerClient", () => {
  it.effect("serves an HttpClient in process, on the test's clock", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      expect(emulator.url).toBe(Emulator.IN_PROCESS_URL)
      const taskID = yield* createTask
      expect(yield* result(taskID)).toEqual({ status: "queued", progress: 0 })
      yield* TestClock.adjust("1 second")
      expect(yield* result(taskID)).toEqual({ status: "success", resultURL: null, resultData: [{}] })
      expect(yield* emulator.requests("getTaskResult")).toBe(2)
      expect(yield* emulator.createdTasks()).toBe(1)
    }).pipe(Effect.provide(Emulator.layerClient())))

  it.effect("delays an answer until the test's clock gets there", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.fault("dashboard", Fault.latency(10_000))
      const answer = yield* Effect.forkChild(dashboard)
      yield* arrived(1)
      yield* TestClock.adjust("9 seconds")
      expect(answer.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(answer)).toContain("limits")
    }).pipe(Effect.provide(Emulator.layerClient())))

  it.effect("shows connection faults as a socket client sees them", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.fault("dashboard", Fault.drop())
      yield* emulator.fault("dashboard", Fault.dropMidBody())
      yield* emulator.fault("dashboard", Fault.truncated({ contentLength: "full" }))
      yield* emulator.fault("dashboard", Fault.hang())
      const dropped = yield* Effect.result(dashboard)
      expect(Result.isFailure(dropped) && dropped.failure._tag === "HttpClientError" && dropped.failure.reason._tag)
        .toBe("TransportError")
      for (let i = 0; i < 2; i++) {
        const cut = yield* Effect.result(dashboard)
        expect(Result.isFailure(cut) && cut.failure._tag === "HttpClientError" && cut.failure.reason._tag).toBe("DecodeError")
      }
      const hung = yield* Effect.forkChild(Effect.timeout(dashboard, "30 seconds"))
      yield* arrived(4)
      yield* TestClock.adjust("30 seconds")
      expect(Result.isFailure(yield* Effect.result(Fiber.join(hung)))).toBe(true)
    }).pipe(Effect.provide(Emulator.layerClient())))

  it.effect("breaks answers for the client's decoder in process too", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.fault("getTaskResult", Fault.schemaBreak())
      yield* emulator.fault("getTaskResult", Fault.malformedJson())
      const taskID = yield* createTask
      for (let i = 0; i < 2; i++) {
        const broken = yield* Effect.result(result(taskID))
        expect(Result.isFailure(broken)).toBe(true)
      }
      expect((yield* result(taskID)).status).toBe("queued")
    }).pipe(Effect.provide(Emulator.layerClient())))

  it.effect("refuses a request to any other origin, a sign of a misconfigured client", () =>
    Effect.gen(function*() {
      const http = yield* HttpClient.HttpClient
      const answer = yield* Effect.result(http.get(`${Api.DEFAULT_BASE_URL}${Api.paths.dashboard}`))
      expect(Result.isFailure(answer) && String(answer.failure.cause)).toContain("not served by the in-process emulator")
    }).pipe(Effect.provide(Emulator.layerClient())))

  it.effect("provides its fetch, for a client that wraps the Fetch of its context", () =>
    Effect.gen(function*() {
      const inner = yield* FetchHttpClient.Fetch
      let calls = 0
      const wrapped: typeof fetch = (input, init) => (calls++, inner(input, init))
      const answer = yield* Effect.provideService(dashboard, FetchHttpClient.Fetch, wrapped)
      expect(answer).toContain("limits")
      expect(calls).toBe(1)
    }).pipe(Effect.provide(Emulator.layerClient())))

  it.effect("makes no spans of its own among the client's", () =>
    Effect.gen(function*() {
      const base = yield* Effect.tracer
      const names: Array<string> = []
      const tracer = Tracer.make({ ...base, span: (options) => (names.push(options.name), base.span(options)) })
      // v4 names a client span and a server span alike (the bare method): name the client's as v3 did, so a
      // span of the emulator's own could not pass for it.
      const clientSpanName = (request: HttpClientRequest.HttpClientRequest) => `http.client ${request.method}`
      yield* Effect.provide(dashboard, Emulator.layerClient()).pipe(
        Effect.withTracer(tracer),
        Effect.provideService(HttpClient.SpanNameGenerator, clientSpanName)
      )
      expect(names).toEqual(["http.client GET"])
    }))

  it.effect("uploads and downloads a file in process", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const http = (yield* HttpClient.HttpClient).pipe(HttpClient.filterStatusOk)
      const bytes = Uint8Array.from({ length: 2_500 }, (_, i) => i % 256)
      const init = yield* HttpClientRequest.post(`${emulator.uploadBaseUrl}${Api.paths.uploadInit}`).pipe(
        HttpClientRequest.bearerToken("k"),
        HttpClientRequest.bodyJson({ file_extension: ".bin", size: bytes.length }),
        Effect.flatMap(http.execute),
        Effect.flatMap(HttpClientResponse.schemaBodyJson(Schema.Struct({
          data: Schema.Struct({ upload_id: Schema.String, presigned_urls: Schema.Record(Schema.String, Schema.String) })
        })))
      )
      for (const [n, url] of Object.entries(init.data.presigned_urls)) {
        const part = bytes.subarray((Number(n) - 1) * 1024, Number(n) * 1024)
        yield* http.execute(HttpClientRequest.put(url).pipe(HttpClientRequest.bodyUint8Array(part)))
      }
      const final = yield* http.execute(
        HttpClientRequest.get(`${emulator.uploadBaseUrl}${Api.paths.uploadUrl(init.data.upload_id)}`).pipe(
          HttpClientRequest.bearerToken("k")
        )
      ).pipe(Effect.flatMap(HttpClientResponse.schemaBodyJson(Schema.Struct({ data: Schema.Struct({ url: Schema.String }) }))))
      const downloaded = yield* Effect.flatMap(http.get(final.data.url), (response) => response.arrayBuffer)
      expect(new Uint8Array(downloaded)).toEqual(bytes)
      expect((yield* emulator.partUploads()).map((part) => part.authorization)).toEqual([false, false, false])
    }).pipe(Effect.provide(Emulator.layerClient({ partSize: 1024 }))))
})

describe("the Emulator service", () => {
  it.effect("runs on a virtual clock of its own when asked, whatever the test's clock does", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const start = yield* emulator.now()
      yield* TestClock.adjust("1 hour")
      expect(yield* emulator.now()).toBe(start)
      yield* emulator.advance("2 seconds")
      expect(yield* emulator.now()).toBe(start + 2_000)
    }).pipe(Effect.provide(Emulator.layer({ clock: "virtual", startTime: 1_000 }))))

  it.effect("adds what advance says to the ambient clock", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* TestClock.adjust("5 seconds")
      yield* emulator.advance("1 minute")
      expect(yield* emulator.now()).toBe(65_000)
      const dashboard = yield* emulator.configureQueue({ maxConcurrency: 1, maxQueueSize: 5 })
      expect(dashboard.limits).toEqual({ maxConcurrency: 1, maxQueueSize: 5 })
    }).pipe(Effect.provide(Emulator.layer())))
})
