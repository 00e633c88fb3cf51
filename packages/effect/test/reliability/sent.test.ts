/**
 * A request that never left the machine is never "may have been created":
 * a creation that fails before any byte of it was written (no address, no
 * connection, a TLS handshake refused, a port fetch blocks, the client's own
 * timeout while the request still waits for its connection) is a
 * `NetworkError` with `requestSent: false`, over every transport, and the
 * server saw no request. A key or header no transport can send is refused when
 * the client is built; a key read with a trailing newline is trimmed, as fetch
 * trims it.
 */
import { CloudTaskClient, Errors, Retry, UndiciHttpClient } from "@oomol-cloud-task/effect"
import { Fault, startEmulator } from "@oomol-cloud-task/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Redacted } from "effect"
import { HttpClient } from "effect/http"
import { readFileSync } from "node:fs"
import { createServer as createHttpsServer } from "node:https"
import { closedPort, listening, stalledAgent, transports } from "./support.js"

const BLOCK = { packageName: "@test/sent", packageVersion: "1.0.0", blockName: "main" }
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url))

const scopedEmulator = (options: Parameters<typeof startEmulator>[0] = {}) =>
  Effect.acquireRelease(Effect.promise(() => startEmulator(options)), (emulator) => Effect.promise(emulator.close))

/** The client on `transport` at `url`, never retrying: each call is one request. */
const clientAt = (url: string, transport: Layer.Layer<HttpClient.HttpClient>, options: CloudTaskClient.Options = {}) =>
  Effect.map(
    Layer.build(
      CloudTaskClient.layer({ apiKey: Redacted.make("k"), baseUrl: url, uploadBaseUrl: url, retry: Retry.never, ...options })
        .pipe(Layer.provide(transport), Layer.orDie)
    ),
    Context.get(CloudTaskClient.CloudTaskClient)
  )

/** A creation and a read that both failed before anything was sent. */
const neverSent = (client: CloudTaskClient.Service) =>
  Effect.gen(function*() {
    const created = yield* Effect.flip(client.createTask(BLOCK))
    expect(created).toMatchObject({ _tag: "NetworkError", requestSent: false })
    const read = yield* Effect.flip(client.getDashboard())
    expect(read).toMatchObject({ _tag: "NetworkError", requestSent: false })
    return created as Errors.NetworkError
  })

/** An HTTPS server whose certificate no one trusts; it counts the requests that reach it. */
const selfSigned = Effect.gen(function*() {
  const server = createHttpsServer({ key: fixture("self-signed.key"), cert: fixture("self-signed.crt") }, (_, response) => {
    received += 1
    response.writeHead(200, { "content-type": "application/json" }).end("{\"taskID\":\"t\"}")
  })
  let received = 0
  const url = (yield* listening(server)).replace("http://", "https://")
  return { url, received: () => received }
})

describe("a creation that never left the machine is a NetworkError, requestSent: false, never TaskMayExist", () => {
  for (const [name, transport] of Object.entries(transports)) {
    it.live(`a TLS certificate no one trusts, over ${name}; the server saw no request`, () =>
      Effect.gen(function*() {
        const server = yield* selfSigned
        const error = yield* neverSent(yield* clientAt(server.url, transport))
        expect(error.message).toMatch(/^POST \/v3\/users\/me\/tasks failed: /)
        expect(server.received()).toBe(0)
      }))

    it.live(`a host name that does not resolve, over ${name}`, () =>
      Effect.gen(function*() {
        // `.invalid` never resolves (RFC 6761).
        yield* neverSent(yield* clientAt("http://no-such-host.invalid", transport))
      }))

    it.live(`a port nothing listens on, over ${name}`, () =>
      Effect.gen(function*() {
        yield* neverSent(yield* clientAt(`http://127.0.0.1:${yield* closedPort}`, transport))
      }))
  }

  it.live("a port fetch refuses to connect to (6000, \"bad port\"), over fetch", () =>
    Effect.gen(function*() {
      const error = yield* neverSent(yield* clientAt("http://127.0.0.1:6000", transports.fetch!))
      expect(error.message).toBe("POST /v3/users/me/tasks failed: bad port")
    }))

  it.live("the client's own requestTimeout while the request still waits for its connection, over UndiciHttpClient", () =>
    Effect.gen(function*() {
      // A connection that never comes.
      const { agent } = yield* stalledAgent
      const client = yield* clientAt(
        "http://127.0.0.1:1",
        UndiciHttpClient.layer({ dispatcher: agent }),
        { requestTimeout: "200 millis" }
      )
      const error = yield* neverSent(client)
      expect(error.message).toBe("POST /v3/users/me/tasks failed: no answer within 200ms")
    }).pipe(Effect.scoped))

  it.live("the client's own requestTimeout once the request was written is still TaskMayExist, over UndiciHttpClient", () =>
    Effect.gen(function*() {
      const emulator = yield* scopedEmulator()
      emulator.fault("createTask", Fault.hang())
      const client = yield* clientAt(emulator.url, UndiciHttpClient.layer(), { requestTimeout: "200 millis" })
      const error = yield* Effect.flip(client.createTask(BLOCK))
      expect(error).toMatchObject({ _tag: "TaskMayExist", reason: "POST /v3/users/me/tasks failed: no answer within 200ms" })
    }))
})

describe("the key and default headers, checked when the client is built", () => {
  for (const [name, transport] of Object.entries(transports)) {
    it.live(`a key read with a trailing newline is trimmed, as fetch trims it, over ${name}`, () =>
      Effect.gen(function*() {
        const emulator = yield* scopedEmulator({ apiKey: "k" })
        const client = yield* clientAt(emulator.url, transport, {
          apiKey: Redacted.make("k\r\n"),
          defaultHeaders: { "x-team": " t \n" }
        })
        expect((yield* client.createTask(BLOCK)).taskID).toBeTypeOf("string")
        expect(emulator.requestLog("createTask").at(-1)?.headers).toMatchObject({ authorization: "Bearer k", "x-team": "t" })
      }))
  }

  const refused: ReadonlyArray<readonly [string, CloudTaskClient.Options, string]> = [
    ["a key with a line break inside", { apiKey: Redacted.make("k\nk") }, "apiKey is not a valid header value: it contains a line break"],
    [
      "a key with a control character",
      { apiKey: Redacted.make("k\u0000") },
      "apiKey is not a valid header value: it contains a control character"
    ],
    [
      "a key beyond Latin-1",
      { apiKey: Redacted.make("ké€") },
      "apiKey is not a valid header value: it contains a character beyond Latin-1"
    ],
    ["a blank key", { apiKey: Redacted.make(" \n") }, "apiKey is blank"],
    [
      "a default header value with a line break",
      { defaultHeaders: { "x-team": "a\r\nx-injected: 1" } },
      "defaultHeaders[\"x-team\"] is not a valid header value: it contains a line break"
    ],
    ["a default header name with a space", { defaultHeaders: { "x team": "a" } }, "defaultHeaders has an invalid header name: \"x team\""],
    [
      "credentials fetch does not know",
      { credentials: "bogus" as RequestCredentials },
      "credentials must be \"omit\", \"same-origin\" or \"include\""
    ]
  ]
  for (const [name, options, message] of refused) {
    it.live(`${name}: InvalidInput when the client is built, the message free of the value, nothing sent`, () =>
      Effect.gen(function*() {
        const emulator = yield* scopedEmulator()
        const error = yield* Effect.flip(
          Effect.provide(
            CloudTaskClient.CloudTaskClient,
            CloudTaskClient.layer({ baseUrl: emulator.url, ...options }).pipe(Layer.provide(transports.UndiciHttpClient!))
          )
        )
        expect(error).toMatchObject({ _tag: "InvalidInput", message })
        expect(emulator.requests()).toBe(0)
      }))
  }
})
