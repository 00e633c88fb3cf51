/**
 * UndiciHttpClient over real sockets: against a node:http server for what it
 * sends and how it reads an answer, and against the emulator for connections
 * that drop or hang, for cancellation, and for the client end to end. What
 * it leaves open is counted with `process.getActiveResourcesInfo()`.
 */
import { CloudTaskClient, Polling, Retry, UndiciHttpClient } from "@oomol-cloud-task/effect"
import { Fault, type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import { ByteSize, Duration, Effect, Exit, Fiber, Layer, Redacted, Scope, Stream } from "effect"
import {
  FetchHttpClient,
  HttpBody,
  HttpClient,
  HttpClientError,
  HttpClientRequest,
  type HttpClientResponse,
  HttpIncomingMessage
} from "effect/http"
import { TestClock } from "effect/testing"
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http"
import { Agent } from "undici"
import { listening, settledBeyond, stalledAgent } from "./reliability/support.js"

const BLOCK = { packageName: "@test/undici", packageVersion: "1.0.0", blockName: "main" }

let emulator: RunningEmulator
beforeAll(async () => {
  emulator = await startEmulator({
    apiKey: "k",
    blocks: [{ packageName: BLOCK.packageName, durations: { queued: 0, scheduling: 0, scheduled: 0, running: 20 } }]
  })
})
afterAll(() => emulator.close())
afterEach(() => emulator.clearFaults())

const auth = { authorization: "Bearer k" }
const dashboardUrl = () => `${emulator.url}/v3/users/me/dashboard`

/** Waits (in real time, briefly) until the dashboard route has received one more request than `before`. */
const dashboardReached = (before: number) =>
  Effect.gen(function*() {
    for (let turn = 0; turn < 500 && emulator.requests("dashboard") === before; turn++) yield* Effect.sleep("5 millis")
    expect(emulator.requests("dashboard")).toBe(before + 1)
  })

interface Received {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** A node:http server on 127.0.0.1 answering with `answer`, closed with the scope. */
const server = (answer: (request: Received, response: ServerResponse) => void) =>
  Effect.gen(function*() {
    const received: Array<Received> = []
    const http = createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk)).on("end", () => {
        const seen = {
          method: request.method ?? "",
          url: request.url ?? "",
          headers: request.headers,
          body: Buffer.concat(chunks).toString("utf8")
        }
        received.push(seen)
        answer(seen, response)
      })
    })
    return { url: yield* listening(http), received }
  })

const http = HttpClient.HttpClient

describe("UndiciHttpClient", () => {
  it.live("sends the method, URL, headers and body as given", () =>
    Effect.gen(function*() {
      const { received, url } = yield* server((_, response) => response.writeHead(201).end())
      const response = yield* (yield* http).execute(
        HttpClientRequest.post(`${url}/path`, {
          urlParams: { a: "1 2" },
          headers: { "x-one": "1" },
          body: HttpBody.text("{\"ü\":1}", "application/json")
        })
      )
      expect(response.status).toBe(201)
      expect(received).toHaveLength(1)
      expect(received[0]).toMatchObject({
        method: "POST",
        url: "/path?a=1+2",
        headers: { "x-one": "1", "content-type": "application/json" },
        body: "{\"ü\":1}"
      })
    }).pipe(Effect.scoped, Effect.provide(UndiciHttpClient.layer())))

  it.live("reads an answer whole: as text, JSON, bytes or a stream, each the same bytes", () =>
    Effect.gen(function*() {
      // A byte order mark, then a character whose UTF-8 bytes are split across two writes.
      const bytes = Buffer.from("\uFEFF{\"text\":\"héllo\"}", "utf8")
      const cut = bytes.indexOf(0xa9)
      const { url } = yield* server((_, response) => {
        response.writeHead(200, { "content-type": "application/json", "set-cookie": ["a=1", "b=2"] })
        response.write(bytes.subarray(0, cut))
        setTimeout(() => response.end(bytes.subarray(cut)), 10)
      })
      const client = yield* http
      const read = <A>(f: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<A, unknown>) =>
        Effect.flatMap(client.get(url), f)
      expect(yield* read((r) => r.text)).toBe("{\"text\":\"héllo\"}")
      expect(yield* read((r) => r.json)).toEqual({ text: "héllo" })
      expect(new Uint8Array(yield* read((r) => r.arrayBuffer))).toEqual(new Uint8Array(bytes))
      const streamed = yield* read((r) => Stream.runCollect(r.stream))
      expect(Buffer.concat(streamed)).toEqual(bytes)
      const response = yield* client.get(url)
      expect(response.headers["content-type"]).toBe("application/json")
      expect(Object.keys(response.cookies.cookies).sort()).toEqual(["a", "b"])
    }).pipe(Effect.scoped, Effect.provide(UndiciHttpClient.layer())))

  it.live("sends a FormData body as multipart (undici 8 takes only a FormData of its own)", () =>
    Effect.gen(function*() {
      const { received, url } = yield* server((_, response) => response.end())
      const form = new FormData()
      form.append("name", "ü")
      const response = yield* (yield* http).execute(HttpClientRequest.post(url, { body: HttpBody.formData(form) }))
      expect(response.status).toBe(200)
      expect(received[0]?.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/)
      expect(received[0]?.body).toContain("name=\"name\"\r\n\r\nü\r\n")
    }).pipe(Effect.scoped, Effect.provide(UndiciHttpClient.layer())))

  it.live("answers a status that is not 2xx as a response, its body readable", () =>
    Effect.gen(function*() {
      const { url } = yield* server((_, response) => response.writeHead(503, { "retry-after": "1" }).end("busy"))
      const response = yield* (yield* http).get(url)
      expect(response.status).toBe(503)
      expect(response.headers["retry-after"]).toBe("1")
      expect(yield* response.text).toBe("busy")
    }).pipe(Effect.scoped, Effect.provide(UndiciHttpClient.layer())))

  for (const declared of [true, false]) {
    it.live(`stops reading an answer past HttpIncomingMessage.MaxBodySize (${declared ? "declared" : "chunked"}): a DecodeError with undici's code`, () =>
      Effect.gen(function*() {
        let finished = false
        const { url } = yield* server((_, response) => {
          response.on("finish", () => (finished = true))
          response.writeHead(200, declared ? { "content-length": String(64 * 1024 * 1024) } : {})
          const chunk = Buffer.alloc(64 * 1024)
          let left = 1024
          const more = () => {
            while (left-- > 0) if (!response.write(chunk)) return void response.once("drain", more)
            response.end()
          }
          more()
        })
        const error = yield* Effect.flip((yield* http).get(url).pipe(
          Effect.provideService(HttpIncomingMessage.MaxBodySize, ByteSize.kibibytes(64))
        ))
        expect(error.reason).toBeInstanceOf(HttpClientError.DecodeError)
        expect(error).toMatchObject({
          reason: { response: { status: 200 }, description: "the answer is larger than 65536 bytes" },
          cause: { code: "UND_ERR_RES_EXCEEDED_MAX_SIZE" }
        })
        expect(finished).toBe(false)
      }).pipe(Effect.scoped, Effect.provide(UndiciHttpClient.layer())))
  }

  it.live("refuses a Stream body with an EncodeError, sending nothing", () =>
    Effect.gen(function*() {
      const { received, url } = yield* server((_, response) => response.end())
      const error = yield* Effect.flip((yield* http).execute(
        HttpClientRequest.put(url, { body: HttpBody.stream(Stream.make(new Uint8Array([1]))) })
      ))
      expect(error).toBeInstanceOf(HttpClientError.HttpClientError)
      expect(error.reason).toBeInstanceOf(HttpClientError.EncodeError)
      expect(error.message).toContain("does not send a Stream body")
      expect(received).toEqual([])
    }).pipe(Effect.scoped, Effect.provide(UndiciHttpClient.layer())))

  it.live("fails a connection dropped before the answer with a TransportError", () =>
    Effect.gen(function*() {
      emulator.fault("dashboard", Fault.drop())
      const error = yield* Effect.flip((yield* http).get(dashboardUrl(), { headers: auth }))
      expect(error).toBeInstanceOf(HttpClientError.HttpClientError)
      expect(error.reason).toBeInstanceOf(HttpClientError.TransportError)
    }).pipe(Effect.provide(UndiciHttpClient.layer())))

  it.live("fails a connection dropped in the middle of the body with a DecodeError, the status kept", () =>
    Effect.gen(function*() {
      emulator.fault("dashboard", Fault.dropMidBody())
      const error = yield* Effect.flip((yield* http).get(dashboardUrl(), { headers: auth }))
      expect(error).toBeInstanceOf(HttpClientError.HttpClientError)
      expect(error.reason).toBeInstanceOf(HttpClientError.DecodeError)
      expect(error).toMatchObject({ reason: { response: { status: 200 } } })
    }).pipe(Effect.provide(UndiciHttpClient.layer())))

  it.live("fails a request with no answer within its timeout, and closes its connection", () =>
    Effect.gen(function*() {
      const baseline = process.getActiveResourcesInfo()
      yield* Effect.gen(function*() {
        emulator.fault("dashboard", Fault.hang())
        const error = yield* Effect.flip((yield* http).get(dashboardUrl(), { headers: auth }))
        expect(error).toBeInstanceOf(HttpClientError.HttpClientError)
        expect(error.reason).toBeInstanceOf(HttpClientError.TransportError)
        expect(error).toMatchObject({ reason: { description: "no answer within 200ms" } })
        expect(error.message).toContain("no answer within 200ms")
        // The layer's Agent is still open: only the aborted connection is gone.
        expect(yield* Effect.promise(() => settledBeyond(baseline))).toEqual({})
      }).pipe(Effect.provide(UndiciHttpClient.layer({ timeout: "200 millis" })))
    }))

  it.live("an interrupted request is aborted: no socket or timer left", () =>
    Effect.gen(function*() {
      const baseline = process.getActiveResourcesInfo()
      yield* Effect.gen(function*() {
        emulator.fault("dashboard", Fault.hang())
        const before = emulator.requests("dashboard")
        const fiber = yield* Effect.forkChild((yield* http).get(dashboardUrl(), { headers: auth }))
        yield* dashboardReached(before)
        yield* Fiber.interrupt(fiber)
        expect(yield* Effect.promise(() => settledBeyond(baseline))).toEqual({})
      }).pipe(Effect.provide(UndiciHttpClient.layer({ timeout: "1 minute" })))
    }))

  it.live("closing the request's scope (HttpClient.withScope) aborts it", () =>
    Effect.gen(function*() {
      emulator.fault("dashboard", Fault.hang())
      const before = emulator.requests("dashboard")
      const client = HttpClient.withScope(yield* http)
      const scope = yield* Scope.make()
      const fiber = yield* Effect.forkChild(Scope.provide(client.get(dashboardUrl(), { headers: auth }), scope))
      yield* dashboardReached(before)
      yield* Scope.close(scope, Exit.void)
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error).toMatchObject({ _tag: "HttpClientError", reason: { _tag: "TransportError" } })
    }).pipe(Effect.provide(UndiciHttpClient.layer())))

  it.live("a request still waiting for its connection: past its timeout, never sent (undici's connect-timeout code); aborted, failed at once", () =>
    Effect.gen(function*() {
      const { received, url } = yield* server((_, response) => response.end())
      // A connection that never comes.
      const { agent, waiting } = yield* stalledAgent
      const client = yield* UndiciHttpClient.make({ dispatcher: agent, timeout: "200 millis" })
      const error = yield* Effect.flip(client.post(url, { body: HttpBody.text("{}") }))
      expect(error.reason).toBeInstanceOf(HttpClientError.TransportError)
      expect(error).toMatchObject({
        reason: { description: "no answer within 200ms" },
        cause: { code: "UND_ERR_CONNECT_TIMEOUT", message: "no answer within 200ms" }
      })
      const scope = yield* Scope.make()
      const fiber = yield* Effect.forkChild(Scope.provide(HttpClient.withScope(client).get(url), scope))
      for (let turn = 0; turn < 100 && waiting.length < 2; turn++) yield* Effect.sleep("5 millis")
      expect(waiting).toHaveLength(2)
      yield* Scope.close(scope, Exit.void)
      const aborted = yield* Effect.flip(Fiber.join(fiber))
      expect(aborted).toMatchObject({ reason: { _tag: "TransportError" }, cause: new Error("The request was aborted") })
      expect(received).toEqual([])
    }).pipe(Effect.scoped))

  it.live("the layer destroys its Agent when released: no socket left", () =>
    Effect.gen(function*() {
      const baseline = process.getActiveResourcesInfo()
      yield* Effect.gen(function*() {
        const response = yield* (yield* http).get(dashboardUrl(), { headers: auth })
        expect(response.status).toBe(200)
        // The connection is kept alive for the next request.
        expect(process.getActiveResourcesInfo().length).toBeGreaterThan(baseline.length)
      }).pipe(Effect.provide(UndiciHttpClient.layer()))
      expect(yield* Effect.promise(() => settledBeyond(baseline))).toEqual({})
    }))

  it.live("the layer leaves a given dispatcher open", () =>
    Effect.gen(function*() {
      const agent = yield* Effect.acquireRelease(Effect.sync(() => new Agent()), (a) => Effect.promise(() => a.destroy()))
      yield* Effect.flatMap(http, (client) => client.get(dashboardUrl(), { headers: auth })).pipe(
        Effect.provide(UndiciHttpClient.layer({ dispatcher: agent }))
      )
      expect(agent.destroyed).toBe(false)
      expect(agent.closed).toBe(false)
    }).pipe(Effect.scoped))

  it.live("make sends with undici's global dispatcher by default", () =>
    Effect.gen(function*() {
      const client = yield* UndiciHttpClient.make()
      const response = yield* client.get(dashboardUrl(), { headers: auth })
      expect(yield* response.json).toMatchObject({ pause: { paused: false } })
    }))
})

describe("CloudTaskClient on UndiciHttpClient", () => {
  const clientLayer = (options: CloudTaskClient.Options, transport: Layer.Layer<HttpClient.HttpClient>) =>
    CloudTaskClient.layer({ apiKey: Redacted.make("k"), baseUrl: emulator.url, ...options }).pipe(
      Layer.provide(transport),
      Layer.orDie
    )

  it.live("creates a task and waits for its result", () =>
    Effect.gen(function*() {
      const client = yield* CloudTaskClient.CloudTaskClient
      const { result, taskID } = yield* client.createAndWait(
        { ...BLOCK, inputValues: { text: "over undici" } },
        { schedule: Polling.fixed("20 millis"), timeout: "20 seconds" }
      )
      expect(taskID).toMatch(/^[0-9a-f-]{36}$/)
      expect(result).toMatchObject({ status: "success", resultData: [{ text: "over undici" }] })
    }).pipe(Effect.provide(clientLayer({}, UndiciHttpClient.layer()))))

  it.live("UndiciHttpClient's own timeout: the transport's timer fails the request, not a timer of the client's", () =>
    Effect.gen(function*() {
      emulator.fault("dashboard", Fault.hang())
      const error = yield* Effect.flip(Effect.flatMap(CloudTaskClient.CloudTaskClient, (c) => c.getDashboard()))
      // The client's own timer fails a request with no cause; the transport's reports its own.
      expect(error).toMatchObject({ _tag: "NetworkError", cause: new Error("no answer within 200ms") })
    }).pipe(Effect.provide(clientLayer(
      { retry: Retry.never, requestTimeout: "1 minute" },
      UndiciHttpClient.layer({ timeout: "200 millis" })
    ))))

  it.live("a creation still waiting for a connection when the transport's time is up was never sent: a NetworkError, not TaskMayExist", () =>
    Effect.gen(function*() {
      const { received, url } = yield* server((_, response) => response.end("{}"))
      // A connection that never comes.
      const { agent } = yield* stalledAgent
      const client = yield* CloudTaskClient.make({ baseUrl: url, retry: Retry.never, requestTimeout: "1 minute" }).pipe(
        Effect.provide(Layer.effect(HttpClient.HttpClient, UndiciHttpClient.make({ dispatcher: agent, timeout: "300 millis" }))),
        Effect.orDie
      )
      const error = yield* Effect.flip(client.createTask(BLOCK))
      expect(error).toMatchObject({
        _tag: "NetworkError",
        requestSent: false,
        message: "POST /v3/users/me/tasks failed: no answer within 300ms"
      })
      expect(received).toEqual([])
    }).pipe(Effect.scoped))

  for (const requestTimeout of [Duration.zero, Duration.days(30)]) {
    it.live(`a requestTimeout of ${Duration.format(requestTimeout)} never strikes at once (none, or setTimeout's longest)`, () =>
      Effect.gen(function*() {
        emulator.fault("dashboard", Fault.latency(50))
        const dashboard = yield* Effect.flatMap(CloudTaskClient.CloudTaskClient, (c) => c.getDashboard())
        expect(dashboard.pause).toBeDefined()
      }).pipe(Effect.provide(clientLayer({ retry: Retry.never, requestTimeout }, FetchHttpClient.layer))))
  }

  // The same hung request, timed by the client itself (on fetch or on UndiciHttpClient), or by the transport.
  const timeouts: ReadonlyArray<readonly [string, CloudTaskClient.Options, Layer.Layer<HttpClient.HttpClient>]> = [
    ["the client's requestTimeout, on fetch", { requestTimeout: "200 millis" }, FetchHttpClient.layer],
    ["the client's requestTimeout, on UndiciHttpClient", { requestTimeout: "200 millis" }, UndiciHttpClient.layer()],
    [
      "the client's requestTimeout, UndiciHttpClient's longer",
      { requestTimeout: "200 millis" },
      UndiciHttpClient.layer({ timeout: "1 minute" })
    ],
    [
      "UndiciHttpClient's timeout, the client's longer",
      { requestTimeout: "1 minute" },
      UndiciHttpClient.layer({ timeout: "200 millis" })
    ],
    ["UndiciHttpClient's timeout alone", { requestTimeout: false }, UndiciHttpClient.layer({ timeout: "200 millis" })],
    [
      "the client's requestTimeout, on a wrapped UndiciHttpClient (HttpClient.mapRequest)",
      { requestTimeout: "200 millis" },
      Layer.effect(HttpClient.HttpClient, Effect.map(UndiciHttpClient.make(), HttpClient.mapRequest((r) => r)))
    ]
  ]
  // One timeout, the client's, on every transport: with the transport's own real-time
  // timer it would strike only after a real minute.
  it.effect("the client's requestTimeout is a timer of the fiber's Clock, on UndiciHttpClient too", () =>
    Effect.gen(function*() {
      emulator.fault("dashboard", Fault.hang())
      const before = emulator.requests("dashboard")
      const call = yield* Effect.forkChild(Effect.flip(Effect.flatMap(CloudTaskClient.CloudTaskClient, (c) => c.getDashboard())))
      yield* TestClock.withLive(dashboardReached(before))
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.join(call)).toMatchObject({
        _tag: "NetworkError",
        message: "GET /v3/users/me/dashboard failed: no answer within 1m",
        requestSent: true
      })
    }).pipe(Effect.provide(clientLayer({ retry: Retry.never, requestTimeout: "1 minute" }, UndiciHttpClient.layer()))))

  for (const [name, options, transport] of timeouts) {
    it.live(`a request with no answer in time is the same NetworkError: ${name}`, () =>
      Effect.gen(function*() {
        const baseline = process.getActiveResourcesInfo()
        emulator.fault("dashboard", Fault.hang())
        const error = yield* Effect.flip(Effect.flatMap(CloudTaskClient.CloudTaskClient, (c) => c.getDashboard()))
        expect(error).toMatchObject({
          _tag: "NetworkError",
          message: "GET /v3/users/me/dashboard failed: no answer within 200ms",
          requestSent: true
        })
        // The hung connection was closed, not left to the emulator.
        expect(yield* Effect.promise(() => settledBeyond(baseline))).toEqual({})
      }).pipe(Effect.provide(clientLayer({ retry: Retry.never, ...options }, transport))))
  }
})
