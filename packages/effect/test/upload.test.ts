import { CloudTaskClient, Errors, Upload } from "@oomol-cloud-task/effect"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Exit, Fiber, Redacted, Schedule, Stream } from "effect"
import { TestClock } from "effect/testing"
import { type Answer, clientLayer, forkOnTick, mock, type Recorded, settle } from "./mock.js"
import { recordingTracer } from "./tracer.js"

const Client = CloudTaskClient.CloudTaskClient
const uploadBaseUrl = "https://upload.test/files"

const uploadedFile = {
  url: "https://files.test/u1/report.txt",
  expires_at: "2026-01-01T00:00:00.000Z",
  file_name: "report.txt",
  file_size: 10,
  mime_type: "text/plain"
}

const initAnswer = (size: number, partSize: number, drop: ReadonlyArray<number> = []) => {
  const totalParts = Math.max(1, Math.ceil(size / partSize))
  const presigned_urls: Record<string, string> = {}
  for (let n = 1; n <= totalParts; n++) {
    if (!drop.includes(n)) presigned_urls[String(n)] = `https://store.test/u1/${n}?X-Signature=sig${n}`
  }
  return { json: { data: { upload_id: "u1", part_size: partSize, total_parts: totalParts, presigned_urls } } }
}

const partOf = (request: Recorded) => Number(request.url.pathname.split("/").pop())
const isPart = (request: Recorded) => request.url.host === "store.test"

/**
 * A scripted upload API and store: `init` cuts the file into `partSize`
 * parts; `part(n, attempt)` answers each PUT (attempt counts from 1).
 */
const service = (options: {
  readonly size: number
  readonly partSize: number
  readonly init?: Answer
  readonly url?: Answer
  readonly part?: (n: number, attempt: number) => Answer | Effect.Effect<Answer>
}) => {
  const attempts = new Map<number, number>()
  return mock((request) => {
    if (request.url.pathname === "/files/init") return options.init ?? initAnswer(options.size, options.partSize)
    if (request.url.pathname === "/files/u1/url") return options.url ?? { json: { data: uploadedFile } }
    const n = partOf(request)
    const attempt = (attempts.get(n) ?? 0) + 1
    attempts.set(n, attempt)
    return options.part?.(n, attempt) ?? {}
  })
}

const layerOf = (m: ReturnType<typeof mock>, options: CloudTaskClient.Options = {}) =>
  clientLayer(m, { uploadBaseUrl, ...options })

const bytes = (text: string) => new TextEncoder().encode(text)

describe("the three steps", () => {
  it.effect("init with extension, size and name; a bare PUT per part; then the file's URL", () => {
    const m = service({ size: 10, partSize: 4 })
    return Effect.gen(function*() {
      const file = yield* (yield* Client).upload(new File(["abcdefghij"], "report.txt"))
      expect(file).toEqual(uploadedFile)
      const [init, ...rest] = m.requests
      expect(init?.method).toBe("POST")
      expect(init?.url.href).toBe("https://upload.test/files/init")
      expect(JSON.parse(init?.body ?? "")).toEqual({ file_extension: ".txt", size: 10, file_name: "report" })
      expect(init?.headers).toMatchObject({ authorization: "Bearer key", "x-client": "test" })
      const parts = rest.filter(isPart)
      expect(parts.map((p) => [partOf(p), p.method, p.body])).toEqual([
        [1, "PUT", "abcd"],
        [2, "PUT", "efgh"],
        [3, "PUT", "ij"]
      ])
      for (const part of parts) {
        expect(part.url.search).toBe(`?X-Signature=sig${partOf(part)}`)
        expect(part.headers["content-type"]).toBe("application/octet-stream")
        expect(Object.keys(part.headers).filter((name) => name !== "content-type" && name !== "content-length"))
          .toEqual([])
      }
      const last = m.requests.at(-1)
      expect(last?.method).toBe("GET")
      expect(last?.url.href).toBe("https://upload.test/files/u1/url")
      expect(last?.headers).toMatchObject({ authorization: "Bearer key", "x-client": "test" })
    }).pipe(
      Effect.provide(layerOf(m, { apiKey: Redacted.make("key"), defaultHeaders: { "x-client": "test" } }))
    )
  })

  it.effect("a name without an extension sends \".\"; bytes without a name send no file_name", () => {
    const m = service({ size: 3, partSize: 4 })
    return Effect.gen(function*() {
      const client = yield* Client
      yield* client.upload(bytes("abc"), { name: "Makefile" })
      yield* client.upload(bytes("abc"))
      const inits = m.requests.filter((r) => r.url.pathname === "/files/init").map((r) => JSON.parse(r.body ?? ""))
      expect(inits).toEqual([
        { file_extension: ".", size: 3, file_name: "Makefile" },
        { file_extension: ".", size: 3 }
      ])
    }).pipe(Effect.provide(layerOf(m)))
  })

  it.effect("an empty file is one empty part", () => {
    const m = service({ size: 0, partSize: 4 })
    return Effect.gen(function*() {
      yield* (yield* Client).upload(new Uint8Array(0))
      expect(m.requests.filter(isPart).map((p) => p.body)).toEqual([""])
    }).pipe(Effect.provide(layerOf(m)))
  })

  it.effect("a stream of any chunking is cut into the parts init asked for", () => {
    const m = service({ size: 10, partSize: 4 })
    return Effect.gen(function*() {
      const chunks = ["a", "bcdefg", "", "hij"].map(bytes)
      yield* (yield* Client).upload(Upload.fromStream(Stream.fromIterable(chunks), 10), { name: "x.bin" })
      expect(m.requests.filter(isPart).map((p) => p.body).sort()).toEqual(["abcd", "efgh", "ij"])
    }).pipe(Effect.provide(layerOf(m)))
  })
})

describe("failures, with the official codes and messages", () => {
  it.effect("init refused: INIT_UPLOAD_FAILED with the status; nothing else is sent", () => {
    const m = service({ size: 3, partSize: 4, init: { status: 401, json: { message: "bad key" } } })
    return Effect.gen(function*() {
      const error = yield* Effect.flip((yield* Client).upload(bytes("abc")))
      expect(error).toMatchObject({
        _tag: "UploadError",
        code: "INIT_UPLOAD_FAILED",
        message: "Failed to initialize upload: 401",
        statusCode: 401,
        cause: { _tag: "ApiError", body: { message: "bad key" } }
      })
      expect(m.requests).toHaveLength(1)
    }).pipe(Effect.provide(layerOf(m)))
  })

  it.effect("an init answer whose parts do not fit the file: INIT_UPLOAD_FAILED, no part sent", () => {
    const m = service({ size: 10, partSize: 4, init: initAnswer(3, 4) })
    return Effect.gen(function*() {
      const error = yield* Effect.flip((yield* Client).upload(bytes("abcdefghij")))
      expect(error).toMatchObject({ code: "INIT_UPLOAD_FAILED" })
      expect(m.requests.filter(isPart)).toHaveLength(0)
    }).pipe(Effect.provide(layerOf(m)))
  })

  it.effect("a missing presigned URL: MISSING_PRESIGNED_URL before any byte is sent", () => {
    const m = service({ size: 10, partSize: 4, init: initAnswer(10, 4, [2]) })
    return Effect.gen(function*() {
      const error = yield* Effect.flip((yield* Client).upload(bytes("abcdefghij")))
      expect(error).toMatchObject({ code: "MISSING_PRESIGNED_URL", message: "Missing presigned URL for part 2" })
      expect(m.requests.filter(isPart)).toHaveLength(0)
    }).pipe(Effect.provide(layerOf(m)))
  })

  it.effect("a part refused for good (403): UPLOAD_FAILED at once, never retried", () => {
    const m = service({ size: 10, partSize: 4, part: (n) => (n === 2 ? { status: 403 } : {}) })
    return Effect.gen(function*() {
      const error = yield* Effect.flip(settle((yield* Client).upload(bytes("abcdefghij"))))
      expect(error).toMatchObject({ code: "UPLOAD_FAILED", message: "Upload failed with status 403", statusCode: 403 })
      expect(m.requests.filter((r) => isPart(r) && partOf(r) === 2)).toHaveLength(1)
      expect(m.requests.some((r) => r.url.pathname.endsWith("/url"))).toBe(false)
    }).pipe(Effect.provide(layerOf(m)))
  })

  it.effect("the final URL refused: GET_UPLOAD_URL_FAILED with the status", () => {
    const m = service({ size: 3, partSize: 4, url: { status: 404 } })
    return Effect.gen(function*() {
      const error = yield* Effect.flip((yield* Client).upload(bytes("abc")))
      expect(error).toMatchObject({ code: "GET_UPLOAD_URL_FAILED", message: "Failed to get upload URL: 404", statusCode: 404 })
    }).pipe(Effect.provide(layerOf(m)))
  })

  it.effect("a stream longer or shorter than its size, and options out of range, are InvalidInput", () => {
    const m = service({ size: 4, partSize: 4 })
    return Effect.gen(function*() {
      const client = yield* Client
      const long = yield* Effect.flip(client.upload(Upload.fromStream(Stream.make(bytes("abcde")), 4)))
      expect(long).toMatchObject({ _tag: "InvalidInput", message: "the stream gave more bytes than its size, 4" })
      const short = yield* Effect.flip(client.upload(Upload.fromStream(Stream.make(bytes("ab")), 4)))
      expect(short).toMatchObject({ _tag: "InvalidInput", message: "the stream ended after 2 of its 4 bytes" })
      const negative = yield* Effect.flip(client.upload(Upload.fromStream(Stream.empty, -1)))
      expect(negative._tag).toBe("InvalidInput")
      const sent = m.requests.length
      const concurrency = yield* Effect.flip(client.upload(bytes("a"), { concurrency: 0 }))
      expect(concurrency).toMatchObject({ _tag: "InvalidInput", message: "concurrency must be a positive integer" })
      const timeout = yield* Effect.flip(client.upload(bytes("a"), { partTimeout: Duration.infinity }))
      expect(timeout).toMatchObject({ _tag: "InvalidInput" })
      const base = yield* Effect.flip(client.upload(bytes("a"), { uploadBaseUrl: "ftp://upload.test" }))
      expect(base).toMatchObject({ _tag: "InvalidInput", message: "uploadBaseUrl must be an http:// or https:// URL" })
      expect(m.requests).toHaveLength(sent)
    }).pipe(Effect.provide(layerOf(m)))
  })
})

describe("retries of a part", () => {
  for (const answer of [{ status: 408 }, { status: 429 }, { status: 500 }, { status: 503 }, { drop: "reset" as const }]) {
    it.effect(`heal ${"status" in answer ? answer.status : "a dropped connection"}`, () => {
      const m = service({ size: 10, partSize: 4, part: (n, attempt) => (n === 2 && attempt < 3 ? answer : {}) })
      return Effect.gen(function*() {
        const file = yield* settle((yield* Client).upload(bytes("abcdefghij")))
        expect(file.url).toBe(uploadedFile.url)
        expect(m.requests.filter((r) => isPart(r) && partOf(r) === 2)).toHaveLength(3)
      }).pipe(Effect.provide(layerOf(m)))
    })
  }

  const backoffs = [
    { name: "by default: 3 tries, 1 s then 2 s apart", retry: undefined, attempts: 3, waits: [1000, 2000] },
    {
      name: "retrySchedule(8): doubling from 1 s, never more than 30 s",
      retry: Upload.retrySchedule(8),
      attempts: 8,
      waits: [1000, 2000, 4000, 8000, 16000, 30000, 30000]
    }
  ]
  for (const { attempts, name, retry, waits } of backoffs) {
    it.effect(`${name}; then RETRY_EXHAUSTED with the last failure`, () => {
      const times: Array<number> = []
      const m = service({
        size: 3,
        partSize: 4,
        part: () => Effect.map(Clock.currentTimeMillis, (now) => (times.push(now), { status: 502 }))
      })
      return Effect.gen(function*() {
        const error = yield* Effect.flip(settle((yield* Client).upload(bytes("abc"), { retry })))
        expect(error).toMatchObject({
          code: "RETRY_EXHAUSTED",
          message: `Failed after ${attempts} attempts: Upload failed with status 502`,
          statusCode: 502
        })
        expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual(waits)
      }).pipe(Effect.provide(layerOf(m)))
    })
  }

  it.effect("a connection that keeps failing ends as RETRY_EXHAUSTED of a network error", () => {
    const m = service({ size: 3, partSize: 4, part: () => ({ drop: "connect" }) })
    return Effect.gen(function*() {
      const error = yield* Effect.flip(settle((yield* Client).upload(bytes("abc"), { retry: Upload.retrySchedule(5) })))
      expect(error).toMatchObject({
        code: "RETRY_EXHAUSTED",
        message: "Failed after 5 attempts: Network error during upload",
        cause: { _tag: "NetworkError" }
      })
      expect(error).not.toHaveProperty("statusCode")
    }).pipe(Effect.provide(layerOf(m)))
  })

  // Live: the request timeout may be a real timer at the transport, not the Effect clock.
  it.live("a part with no answer times out and is tried again", () => {
    const m = service({ size: 3, partSize: 4, part: (_n, attempt): Answer => (attempt === 1 ? { hang: true } : {}) })
    return Effect.gen(function*() {
      const file = yield* (yield* Client).upload(bytes("abc"), { partTimeout: "50 millis", retry: Schedule.recurs(1) })
      expect(file.url).toBe(uploadedFile.url)
      expect(m.requests.filter(isPart)).toHaveLength(2)
    }).pipe(Effect.provide(layerOf(m)))
  })
})

describe("concurrency and cancellation", () => {
  it.effect("never more than `concurrency` parts in flight, and that many when there is work", () => {
    let inFlight = 0
    let most = 0
    const m = service({
      size: 40,
      partSize: 4,
      part: () =>
        Effect.sync(() => {
          inFlight += 1
          most = Math.max(most, inFlight)
        }).pipe(Effect.andThen(Effect.sleep("1 second")), Effect.ensuring(Effect.sync(() => inFlight -= 1)), Effect.as({}))
    })
    return Effect.gen(function*() {
      yield* settle((yield* Client).upload(new Uint8Array(40), { concurrency: 3 }))
      expect(most).toBe(3)
      expect(m.requests.filter(isPart)).toHaveLength(10)
    }).pipe(Effect.provide(layerOf(m)))
  })

  it.effect("interrupting stops every part at once and schedules nothing more", () => {
    const m = service({ size: 40, partSize: 4, part: (n) => (n === 1 ? { status: 503 } : { hang: true }) })
    return Effect.gen(function*() {
      const fiber = yield* forkOnTick((yield* Client).upload(new Uint8Array(40)))
      yield* TestClock.adjust("10 millis")
      const sent = m.requests.length
      expect(m.requests.filter(isPart)).toHaveLength(4)
      yield* Fiber.interrupt(fiber)
      expect(Exit.hasInterrupts(yield* Fiber.await(fiber))).toBe(true)
      yield* TestClock.adjust("1 hour")
      expect(m.requests).toHaveLength(sent)
    }).pipe(Effect.provide(layerOf(m)))
  })
})

describe("progress", () => {
  it.effect("Progress counts bytes as parts complete, never going back, then Done", () => {
    const m = service({ size: 10, partSize: 4, part: (n, attempt) => (n === 3 && attempt === 1 ? { status: 500 } : {}) })
    return Effect.gen(function*() {
      const events = yield* settle(
        Stream.runCollect((yield* Client).uploadWithProgress(bytes("abcdefghij"), { concurrency: 1 }))
      )
      expect(events).toEqual([
        { _tag: "Progress", sent: 4, total: 10 },
        { _tag: "Progress", sent: 8, total: 10 },
        { _tag: "Progress", sent: 10, total: 10 },
        { _tag: "Done", file: uploadedFile }
      ])
    }).pipe(Effect.provide(layerOf(m)))
  })

  it.effect("a part sender that tells bytes within a part gives finer progress; a retry counts only new bytes", () => {
    const m = service({ size: 8, partSize: 8 })
    let attempt = 0
    const sender: Upload.PartSender["Service"] = {
      send: ({ onProgress }) =>
        Effect.suspend(() => {
          attempt += 1
          onProgress(3)
          if (attempt === 1) {
            onProgress(5)
            return Effect.fail(new Errors.NetworkError({ message: "dropped", requestSent: true }))
          }
          onProgress(6)
          return Effect.void
        })
    }
    return Effect.gen(function*() {
      const events = yield* (yield* Client).uploadWithProgress(bytes("abcdefgh")).pipe(
        Stream.runCollect,
        Effect.provideService(Upload.PartSender, sender),
        settle
      )
      expect(events.map((e) => (e._tag === "Progress" ? e.sent : e._tag))).toEqual([
        3,
        5,
        6,
        8,
        "Done"
      ])
      // The sender replaced the HttpClient for parts.
      expect(m.requests.filter(isPart)).toHaveLength(0)
    }).pipe(Effect.provide(layerOf(m)))
  })

  it.effect("the upload and each part run in spans that never hold a presigned URL", () => {
    const m = service({ size: 10, partSize: 4 })
    const { spans, tracer } = recordingTracer()
    return Effect.gen(function*() {
      yield* (yield* Client).upload(bytes("abcdefghij"))
      const names = spans.map((s) => s.name)
      expect(names).toContain("CloudTaskClient.upload")
      expect(names.filter((n) => n === "CloudTaskClient.uploadPart")).toHaveLength(3)
      const upload = spans.find((s) => s.name === "CloudTaskClient.upload")!
      expect(upload.attributes.get("oomol.upload.parts")).toBe(3)
      expect(upload.attributes.get("oomol.upload.id")).toBe("u1")
      expect(upload.attributes.get("oomol.upload.size")).toBe(10)
      const parts = spans.filter((s) => s.name === "CloudTaskClient.uploadPart")
      expect(parts.map((s) => [s.attributes.get("oomol.upload.part"), s.attributes.get("oomol.upload.part.bytes")]).sort())
        .toEqual([[1, 4], [2, 4], [3, 2]])
      const values = spans.flatMap((s) => [...s.attributes.values()].map(String))
      expect(values.some((v) => v.includes("X-Signature"))).toBe(false)
    }).pipe(Effect.provide(layerOf(m)), Effect.withTracer(tracer))
  })
})

