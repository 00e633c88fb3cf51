/**
 * An answer larger than any the API gives is refused, never read into
 * memory: over every transport, a 2xx past `maxResponseBytes` is a
 * `MalformedResponse` and any other status its `ApiError` (without the body),
 * and the client stops reading, so the server never gets to write it all
 * (with or without a `Content-Length`, and compressed where the transport
 * decompresses).
 */
import { CloudTaskClient, Retry } from "@oomol-cloud-task/effect"
import { startEmulator } from "@oomol-cloud-task/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Redacted } from "effect"
import type { HttpClient } from "effect/http"
import { createServer, type ServerResponse } from "node:http"
import { gzipSync } from "node:zlib"
import { listening, transports } from "./support.js"

const LIMIT = 64 * 1024
// Far more than the kernel's socket buffers hold: written whole only if the client reads it.
const HUGE = 64 * 1024 * 1024
const chunk = Buffer.alloc(64 * 1024, 0x20)

const clientAt = (url: string, transport: Layer.Layer<HttpClient.HttpClient>, options: CloudTaskClient.Options = {}) =>
  Effect.map(
    Layer.build(
      CloudTaskClient.layer({ apiKey: Redacted.make("k"), baseUrl: url, retry: Retry.never, maxResponseBytes: LIMIT, ...options })
        .pipe(Layer.provide(transport), Layer.orDie)
    ),
    Context.get(CloudTaskClient.CloudTaskClient)
  )

/** Writes `total` bytes of spaces, as fast as the client reads them. */
const writeHuge = (response: ServerResponse, total: number) => {
  let written = 0
  const more = () => {
    while (written < total) {
      written += chunk.length
      if (!response.write(chunk)) return void response.once("drain", more)
    }
    response.end()
  }
  more()
}

interface Shape {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: (response: ServerResponse) => void
}

/** A server answering every request with `shape`; `finished()` tells whether it wrote the whole answer. */
const answering = (shape: Shape) =>
  Effect.gen(function*() {
    let finished = false
    let closed = 0
    const server = createServer((request, response) => {
      request.resume()
      response.on("finish", () => (finished = true))
      response.on("close", () => (closed += 1))
      response.writeHead(shape.status, shape.headers)
      shape.body(response)
    })
    const url = yield* listening(server)
    // The client gave up on the answer: the server's side of it is closed, written or not.
    const settled = Effect.gen(function*() {
      for (let turn = 0; turn < 400 && closed === 0; turn++) yield* Effect.sleep("5 millis")
      return finished
    })
    return { url, settled }
  })

const shapes: Record<string, Shape> = {
  "with a Content-Length": {
    status: 200,
    headers: { "content-type": "application/json", "content-length": String(HUGE) },
    body: (response) => writeHuge(response, HUGE)
  },
  "of unknown length (chunked)": {
    status: 200,
    headers: { "content-type": "application/json" },
    body: (response) => writeHuge(response, HUGE)
  }
}

describe("an answer larger than maxResponseBytes", () => {
  for (const [name, transport] of Object.entries(transports)) {
    for (const [shapeName, shape] of Object.entries(shapes)) {
      it.live(`2xx ${shapeName}, over ${name}: MalformedResponse, and the rest is never read`, () =>
        Effect.gen(function*() {
          const server = yield* answering(shape)
          const client = yield* clientAt(server.url, transport)
          const error = yield* Effect.flip(client.getDashboard())
          expect(error).toMatchObject({
            _tag: "MalformedResponse",
            status: 200,
            body: undefined,
            message: `GET /v3/users/me/dashboard answered 200 with a body larger than ${LIMIT} bytes`
          })
          expect(yield* server.settled).toBe(false)
        }))
    }

    it.live(`a 503 with a huge body, over ${name}: its ApiError, without the body (still retried as a 503)`, () =>
      Effect.gen(function*() {
        const server = yield* answering({
          status: 503,
          headers: { "content-type": "text/html", "retry-after": "1" },
          body: (response) => writeHuge(response, HUGE)
        })
        const client = yield* clientAt(server.url, transport)
        const error = yield* Effect.flip(client.getDashboard())
        expect(error).toMatchObject({ _tag: "ApiError", status: 503, body: undefined, message: "Request failed: 503" })
        expect(Retry.isTransient(error as never)).toBe(true)
        expect(yield* server.settled).toBe(false)
      }))
  }

  it.live("a compressed answer is bounded by what it decodes to, over fetch (which decodes it)", () =>
    Effect.gen(function*() {
      const zipped = gzipSync(Buffer.alloc(HUGE / 8, 0x20))
      const server = yield* answering({
        status: 200,
        headers: { "content-type": "application/json", "content-encoding": "gzip", "content-length": String(zipped.length) },
        body: (response) => response.end(zipped)
      })
      expect(zipped.length).toBeLessThan(LIMIT)
      const client = yield* clientAt(server.url, transports.fetch!)
      expect(yield* Effect.flip(client.getDashboard())).toMatchObject({
        _tag: "MalformedResponse",
        message: `GET /v3/users/me/dashboard answered 200 with a body larger than ${LIMIT} bytes`
      })
    }))

  it.live("the bound is exact: an answer of maxResponseBytes is read, one byte more is not, over every transport", () =>
    Effect.gen(function*() {
      const emulator = yield* Effect.acquireRelease(Effect.promise(() => startEmulator()), (e) => Effect.promise(e.close))
      // The dashboard's answer, as the emulator writes it.
      const size = yield* Effect.promise(() =>
        fetch(`${emulator.url}/v3/users/me/dashboard`, { headers: { authorization: "Bearer k" } })
          .then((response) => response.arrayBuffer())
          .then((body) => body.byteLength)
      )
      expect(size).toBeGreaterThan(100)
      for (const transport of Object.values(transports)) {
        const exact = yield* clientAt(emulator.url, transport, { maxResponseBytes: size })
        expect((yield* exact.getDashboard()).pause).toBeDefined()
        const under = yield* clientAt(emulator.url, transport, { maxResponseBytes: size - 1 })
        expect(yield* Effect.flip(under.getDashboard())).toMatchObject({ _tag: "MalformedResponse", status: 200 })
      }
    }))

  it.effect("maxResponseBytes that is not a positive integer fails the layer", () =>
    Effect.gen(function*() {
      for (const maxResponseBytes of [0, -1, 1.5, Number.NaN]) {
        const error = yield* Effect.flip(Effect.provide(
          CloudTaskClient.CloudTaskClient,
          CloudTaskClient.layer({ maxResponseBytes }).pipe(Layer.provide(transports.fetch!))
        ))
        expect(error).toMatchObject({ _tag: "InvalidInput", message: "maxResponseBytes must be a positive integer" })
      }
    }))
})
