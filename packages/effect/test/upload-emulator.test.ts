/**
 * Uploads through the Effect client to the emulator over a real socket, with
 * the real fetch: bytes round-trip, presigned PUTs stay bare, injected part
 * failures heal or exhaust, and a cancel aborts every request in flight.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { CloudTaskClient, Upload } from "@oomol-cloud-task/effect"
import { Fault, type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Redacted, Schedule, Stream } from "effect"
import { FetchHttpClient } from "effect/http"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const PART = 1024
const fast = Schedule.max([Schedule.spaced("5 millis"), Schedule.recurs(2)])

let emulator: RunningEmulator
let directory: string
beforeAll(async () => {
  emulator = await startEmulator({ partSize: PART, apiKey: "k" })
  directory = mkdtempSync(join(tmpdir(), "upload-test-"))
})
afterAll(async () => {
  await emulator.close()
  rmSync(directory, { recursive: true, force: true })
})
afterEach(() => emulator.clearFaults())

const Client = CloudTaskClient.CloudTaskClient
const ClientLive = Layer.suspend(() =>
  CloudTaskClient.layer({
    apiKey: Redacted.make("k"),
    baseUrl: emulator.url,
    uploadBaseUrl: emulator.uploadBaseUrl,
    defaultHeaders: { "x-client": "test" }
  })
).pipe(Layer.provide(FetchHttpClient.layer), Layer.orDie)

const download = (url: string) =>
  Effect.promise(async () => new Uint8Array(await (await fetch(url)).arrayBuffer()))

const sources = {
  bytes: (file: Uint8Array) => Effect.succeed(file),
  Blob: (file: Uint8Array) => Effect.succeed(new Blob([file as Uint8Array<ArrayBuffer>])),
  path: (file: Uint8Array) =>
    Effect.sync(() => {
      const path = join(directory, `file-${file.length}.bin`)
      writeFileSync(path, file)
      return Upload.fromPath(path)
    }),
  Stream: (file: Uint8Array) =>
    // Chunks that never line up with parts.
    Effect.succeed(Upload.fromStream(Stream.fromIterable(chunksOf(file, 700)), file.length))
}

const chunksOf = (file: Uint8Array, size: number) => {
  const chunks: Array<Uint8Array> = []
  for (let at = 0; at < file.length; at += size) chunks.push(file.subarray(at, at + size))
  return chunks
}

describe("round trip, byte for byte", () => {
  const sizes = { empty: 0, "1 byte": 1, "exactly 3 parts": 3 * PART, "3 parts and 1 byte": 3 * PART + 1 }
  for (const [sourceName, toSource] of Object.entries(sources)) {
    for (const [sizeName, size] of Object.entries(sizes)) {
      it.live(`${sizeName} from ${sourceName}`, () =>
        Effect.gen(function*() {
          const file = new Uint8Array(randomBytes(size))
          const source = yield* toSource(file)
          const before = emulator.partUploads().length
          const uploaded = yield* (yield* Client).upload(source, { name: "data.bin" })
          expect(uploaded).toMatchObject({ file_name: "data.bin", file_size: size })
          expect(yield* download(uploaded.url)).toEqual(file)
          const parts = emulator.partUploads().slice(before)
          expect(parts.map((p) => p.part).sort((a, b) => a - b)).toEqual(
            Array.from({ length: Math.max(1, Math.ceil(size / PART)) }, (_, i) => i + 1)
          )
          for (const part of parts) {
            expect(part).toMatchObject({ status: 200, authorization: false, cookie: false, nonStandardHeaders: [] })
          }
        }).pipe(Effect.provide(ClientLive), Effect.provide(NodeFileSystem.layer)))
    }
  }

  it.live("init and the final URL carry the API key and default headers", () =>
    Effect.gen(function*() {
      yield* (yield* Client).upload(new Uint8Array(10))
      for (const route of ["uploadInit", "uploadUrl"] as const) {
        const last = emulator.requestLog(route).at(-1)
        expect(last?.headers).toMatchObject({ authorization: "Bearer k", "x-client": "test" })
      }
    }).pipe(Effect.provide(ClientLive)))
})

describe("faults", () => {
  it.live("part failures (503, a dropped connection) heal by retry", () =>
    Effect.gen(function*() {
      emulator.fault("uploadPart", Fault.status(503))
      emulator.fault("uploadPart", Fault.drop())
      const file = new Uint8Array(randomBytes(4 * PART))
      const before = emulator.requests("uploadPart")
      const uploaded = yield* (yield* Client).upload(file, { retry: fast })
      expect(yield* download(uploaded.url)).toEqual(file)
      expect(emulator.requests("uploadPart") - before).toBe(6)
    }).pipe(Effect.provide(ClientLive)))

  it.live("a part that keeps failing exhausts its retries", () =>
    Effect.gen(function*() {
      emulator.fault("uploadPart", Fault.sticky(Fault.status(500)))
      const error = yield* Effect.flip((yield* Client).upload(new Uint8Array(10), { retry: fast }))
      expect(error).toMatchObject({
        _tag: "UploadError",
        code: "RETRY_EXHAUSTED",
        message: "Failed after 3 attempts: Upload failed with status 500",
        statusCode: 500
      })
    }).pipe(Effect.provide(ClientLive)))

  it.live("a part the store refuses for good fails at once with its status", () =>
    Effect.gen(function*() {
      emulator.fault("uploadPart", Fault.status(403))
      const before = emulator.requests("uploadPart")
      const error = yield* Effect.flip((yield* Client).upload(new Uint8Array(10), { retry: fast }))
      expect(error).toMatchObject({ code: "UPLOAD_FAILED", message: "Upload failed with status 403", statusCode: 403 })
      expect(emulator.requests("uploadPart") - before).toBe(1)
    }).pipe(Effect.provide(ClientLive)))

  it.live("progress reports every part, then Done", () =>
    Effect.gen(function*() {
      const events = yield* Stream.runCollect((yield* Client).uploadWithProgress(new Uint8Array(3 * PART + 1)))
      const sent = events.flatMap((e) => (e._tag === "Progress" ? [e.sent] : []))
      expect(sent).toHaveLength(4)
      expect(sent.at(-1)).toBe(3 * PART + 1)
      expect([...sent].sort((a, b) => a - b)).toEqual(sent)
      expect(events.at(-1)?._tag).toBe("Done")
    }).pipe(Effect.provide(ClientLive)))
})

describe("cancel", () => {
  it.live("interrupting mid-upload aborts every part in flight and leaves no timer", () => {
    const fetches: Array<{ readonly signal: AbortSignal | null | undefined; settled: boolean }> = []
    const recordingFetch: typeof fetch = (input, init) => {
      const entry = { signal: init?.signal, settled: false }
      fetches.push(entry)
      return fetch(input, init).finally(() => {
        entry.settled = true
      })
    }
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length
    return Effect.gen(function*() {
      const client = yield* Client
      yield* client.upload(new Uint8Array(1)) // warm the connection pool and its timers
      const idle = timers()
      const before = emulator.requests("uploadPart")
      emulator.fault("uploadPart", Fault.sticky(Fault.hang()))
      const fiber = yield* Effect.forkChild(client.upload(new Uint8Array(10 * PART), { concurrency: 3 }))
      // Three parts reach the store, then nothing moves.
      while (emulator.requests("uploadPart") < before + 3) yield* Effect.sleep("5 millis")
      yield* Fiber.interrupt(fiber)
      expect(Exit.hasInterrupts(yield* Fiber.await(fiber))).toBe(true)
      const parts = fetches.slice(-3)
      expect(parts.every((f) => f.signal?.aborted === true)).toBe(true)
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)))
      expect(parts.every((f) => f.settled)).toBe(true)
      expect(timers()).toBeLessThanOrEqual(idle)
      expect(emulator.requests("uploadPart")).toBe(before + 3)
    }).pipe(
      Effect.provide(ClientLive),
      Effect.provideService(FetchHttpClient.Fetch, recordingFetch)
    )
  })
})
