/**
 * The upload API and the object store behind it: `init` cuts a file into
 * parts, each part is PUT to its own presigned URL and written into one temp
 * file per upload (so a large upload costs disk, not memory), and the final
 * step hands out a URL the file downloads from, byte for byte.
 *
 * @since 0.1.0
 */
import { Api, Upload } from "@oomol-cloud-task/contract"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Stream from "effect/Stream"
import { createHash, createHmac, randomBytes, randomUUID } from "node:crypto"
import type { PartUpload } from "./Control.js"
import { FILES_PREFIX, STORE_PREFIX } from "./Route.js"

/**
 * Why an upload step was refused: an HTTP status, an S3-style code and a
 * readable message.
 *
 * @since 0.1.0
 * @category errors
 */
export interface UploadFailure {
  readonly status: number
  readonly code: string
  readonly message: string
}

/**
 * The upload API and its store.
 *
 * @since 0.1.0
 * @category uploads
 */
export interface Uploads {
  readonly init: (
    body: Upload.UploadInitBody,
    origin: string,
    now: number
  ) => Effect.Effect<Upload.UploadInitResponse, UploadFailure>
  readonly putPart: (request: {
    readonly uploadID: string
    readonly part: string
    readonly query: URLSearchParams
    readonly headers: Readonly<Record<string, string | undefined>>
    readonly body: Stream.Stream<Uint8Array, unknown>
    readonly now: number
  }) => Effect.Effect<{ readonly etag: string }, UploadFailure>
  readonly finish: (uploadID: string, origin: string, now: number) => Effect.Effect<Upload.UploadUrlResponse, UploadFailure>
  readonly download: (
    uploadID: string,
    fileName: string,
    now: number
  ) => Effect.Effect<
    { readonly stream: Stream.Stream<Uint8Array, unknown>; readonly size: number; readonly mimeType: string },
    UploadFailure
  >
  readonly partUploads: () => ReadonlyArray<PartUpload>
  /** Forgets every upload and deletes its file. */
  readonly reset: Effect.Effect<void>
}

interface State {
  readonly uploadID: string
  readonly fileName: string
  readonly mimeType: string
  readonly size: number
  readonly partSize: number
  readonly totalParts: number
  readonly path: string
  readonly parts: Map<number, number>
  expiresAt: number | null
}

const DAY = 24 * 60 * 60 * 1000
const WRITE_SIZE = 1024 * 1024

const mimeTypes: Readonly<Record<string, string>> = {
  ".pdf": "application/pdf",
  ".json": "application/json",
  ".txt": "text/plain",
  ".md": "text/markdown",
  ".csv": "text/csv",
  ".html": "text/html",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".svg": "image/svg+xml",
  ".mp3": "audio/mpeg",
  ".wav": "audio/wav",
  ".mp4": "video/mp4",
  ".zip": "application/zip",
  ".epub": "application/epub+zip",
  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
}

// What a browser or Node's fetch adds to a bare PUT of bytes; anything else
// came from the client's own configuration.
const plainHeaders = new Set([
  "host",
  "connection",
  "content-type",
  "content-length",
  "transfer-encoding",
  "user-agent",
  "accept",
  "accept-encoding",
  "accept-language",
  "origin",
  "referer",
  "expect",
  "keep-alive",
  "te",
  "cache-control",
  "pragma",
  "dnt",
  "priority"
])
const isPlain = (name: string) => plainHeaders.has(name) || name.startsWith("sec-")

const failure = (status: number, code: string, message: string): UploadFailure => ({ status, code, message })

/**
 * An upload store writing into `directory`, cutting files into `partSize`
 * bytes.
 *
 * @since 0.1.0
 * @category uploads
 */
export const make = (options: { readonly directory: string; readonly partSize: number }) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const secret = randomBytes(32)
    const uploads = new Map<string, State>()
    const recorded: Array<PartUpload> = []
    const sign = (uploadID: string, part: number, expires: string) =>
      createHmac("sha256", secret).update(`${uploadID}/${part}/${expires}`).digest("hex")
    const ioFailure = (cause: unknown) => failure(500, "InternalError", `The store failed: ${String(cause)}`)

    const init: Uploads["init"] = (body, origin, now) =>
      Effect.gen(function*() {
        if (!body.file_extension.startsWith(".")) {
          return yield* Effect.fail(failure(400, "InvalidArgument", "file_extension must start with a dot"))
        }
        const uploadID = randomUUID()
        const totalParts = Math.max(1, Math.ceil(body.size / options.partSize))
        const path = `${options.directory}/${uploadID}`
        yield* fs.writeFile(path, new Uint8Array()).pipe(
          Effect.andThen(fs.truncate(path, body.size)),
          Effect.mapError(ioFailure)
        )
        const extension = body.file_extension === "." ? "" : body.file_extension
        uploads.set(uploadID, {
          uploadID,
          fileName: `${body.file_name ?? uploadID}${extension}`,
          mimeType: mimeTypes[extension.toLowerCase()] ?? "application/octet-stream",
          size: body.size,
          partSize: options.partSize,
          totalParts,
          path,
          parts: new Map(),
          expiresAt: null
        })
        const expires = String(Math.floor((now + DAY) / 1000))
        const presigned: Record<string, string> = {}
        for (let n = 1; n <= totalParts; n++) {
          presigned[String(n)] = `${origin}${STORE_PREFIX}/${uploadID}/${n}?X-Expires=${expires}&X-Signature=${
            sign(uploadID, n, expires)
          }`
        }
        return { data: { upload_id: uploadID, part_size: options.partSize, total_parts: totalParts, presigned_urls: presigned } }
      })

    const writePart = (upload: State, part: number, body: Stream.Stream<Uint8Array, unknown>) =>
      Effect.scoped(Effect.gen(function*() {
        const [start, end] = Upload.partRange(part, upload.partSize, upload.size)
        const expected = end - start
        const file = yield* fs.open(upload.path, { flag: "r+" })
        yield* file.seek(BigInt(start), "start")
        const md5 = createHash("md5")
        let written = 0
        // A body too long is read to its end without being written: stopping early
        // would close the connection instead of answering.
        // Socket reads are small: gathered into larger writes, they take fewer system calls.
        let pending: Array<Uint8Array> = []
        let pendingBytes = 0
        const flush = Effect.suspend(() => {
          if (pendingBytes === 0) return Effect.void
          const bytes = Buffer.concat(pending)
          pending = []
          pendingBytes = 0
          return Effect.mapError(file.writeAll(bytes), ioFailure)
        })
        yield* Stream.runForEach(body, (chunk) => {
          written += chunk.length
          if (written > expected) return Effect.void
          md5.update(chunk)
          pending.push(chunk)
          pendingBytes += chunk.length
          return pendingBytes >= WRITE_SIZE ? flush : Effect.void
        })
        yield* flush
        if (written !== expected) {
          return yield* Effect.fail(failure(400, "IncompleteBody", `Part ${part} must be ${expected} bytes, got ${written}`))
        }
        return { bytes: written, etag: `"${md5.digest("hex")}"` }
      })).pipe(Effect.catch((error) => Effect.fail(isFailure(error) ? error : ioFailure(error))))

    const putPart: Uploads["putPart"] = (request) =>
      Effect.gen(function*() {
        const part = Number(request.part)
        const upload = uploads.get(request.uploadID)
        const expires = request.query.get("X-Expires") ?? ""
        if (upload === undefined) {
          return yield* Effect.fail(failure(404, "NoSuchUpload", "The specified upload does not exist"))
        }
        if (!Number.isInteger(part) || part < 1 || part > upload.totalParts || String(part) !== request.part) {
          return yield* Effect.fail(failure(400, "InvalidPart", `Part number must be 1 to ${upload.totalParts}`))
        }
        if (request.query.get("X-Signature") !== sign(upload.uploadID, part, expires)) {
          return yield* Effect.fail(failure(403, "SignatureDoesNotMatch", "The request signature does not match"))
        }
        if (Number(expires) * 1000 < request.now) {
          return yield* Effect.fail(failure(403, "AccessDenied", "Request has expired"))
        }
        const written = yield* writePart(upload, part, request.body)
        upload.parts.set(part, written.bytes)
        return { etag: written.etag, bytes: written.bytes }
      }).pipe(
        Effect.tap((written) => Effect.sync(() => record(request, 200, written.bytes))),
        Effect.tapError((error) => Effect.sync(() => record(request, error.status, null)))
      )

    const record = (request: Parameters<Uploads["putPart"]>[0], status: number, bytes: number | null) => {
      const names = Object.keys(request.headers).map((name) => name.toLowerCase())
      recorded.push({
        uploadID: request.uploadID,
        part: Number(request.part),
        status,
        bytes,
        authorization: names.includes("authorization"),
        cookie: names.includes("cookie"),
        nonStandardHeaders: names.filter((name) => !isPlain(name))
      })
    }

    const finish: Uploads["finish"] = (uploadID, origin, now) =>
      Effect.gen(function*() {
        const upload = uploads.get(uploadID)
        if (upload === undefined) return yield* Effect.fail(failure(404, "NoSuchUpload", `Upload ${uploadID} not found`))
        const missing: Array<number> = []
        for (let n = 1; n <= upload.totalParts; n++) if (!upload.parts.has(n)) missing.push(n)
        if (missing.length > 0) {
          return yield* Effect.fail(
            failure(400, "IncompleteUpload", `Upload ${uploadID} is incomplete: missing part(s) ${missing.join(", ")}`)
          )
        }
        upload.expiresAt = now + DAY
        return {
          data: {
            url: `${origin}${FILES_PREFIX}/${uploadID}/${encodeURIComponent(upload.fileName)}`,
            expires_at: new Date(upload.expiresAt).toISOString(),
            file_name: upload.fileName,
            file_size: upload.size,
            mime_type: upload.mimeType
          }
        }
      })

    const download: Uploads["download"] = (uploadID, fileName, now) => {
      const upload = uploads.get(uploadID)
      if (upload === undefined || upload.expiresAt === null || upload.fileName !== fileName) {
        return Effect.fail(failure(404, "NoSuchKey", "The specified key does not exist"))
      }
      if (upload.expiresAt < now) return Effect.fail(failure(403, "AccessDenied", "The file has expired"))
      return Effect.succeed({ stream: fs.stream(upload.path, { chunkSize: WRITE_SIZE }), size: upload.size, mimeType: upload.mimeType })
    }

    const reset = Effect.suspend(() => {
      const paths = Array.from(uploads.values(), (upload) => upload.path)
      uploads.clear()
      recorded.length = 0
      return Effect.forEach(paths, (path) => Effect.ignore(fs.remove(path, { force: true })), { discard: true })
    })

    const uploadsApi: Uploads = {
      init,
      putPart,
      finish,
      download,
      partUploads: () => recorded.slice(),
      reset
    }
    return uploadsApi
  })

const isFailure = (u: unknown): u is UploadFailure =>
  typeof u === "object" && u !== null && "status" in u && "code" in u && "message" in u

/**
 * The upload API's base path on the emulator, the same as the real service's
 * (`/api/tasks/files/remote-cache`).
 *
 * @since 0.1.0
 * @category uploads
 */
export const UPLOAD_PREFIX = new URL(Api.DEFAULT_UPLOAD_BASE_URL).pathname as `/${string}`
