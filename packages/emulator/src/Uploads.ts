/**
 * The upload API and the object store behind it: `init` cuts a file into
 * parts, each part is PUT to its own presigned URL and written into one temp
 * file per upload (so a large upload costs disk, not memory), and the final
 * step hands out a URL the file downloads from, byte for byte.
 *
 * @since 0.1.0
 */
import * as Api from "@oomol-cloud-task/contract/Api"
import * as Upload from "@oomol-cloud-task/contract/Upload"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import type * as Stream from "effect/Stream"
import { randomUUID } from "node:crypto"
import type { PartUpload } from "./Control.js"
import * as Store from "./internal/objectStore.js"
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
    const sign = Store.signer()
    const uploads = new Map<string, State>()
    const recorded: Array<PartUpload> = []

    const init: Uploads["init"] = (body, origin, now) =>
      Effect.gen(function*() {
        if (!body.file_extension.startsWith(".")) {
          return yield* Effect.fail(Store.failure(400, "InvalidArgument", "file_extension must start with a dot"))
        }
        const uploadID = randomUUID()
        const totalParts = Math.max(1, Math.ceil(body.size / options.partSize))
        const path = `${options.directory}/${uploadID}`
        yield* fs.writeFile(path, new Uint8Array()).pipe(
          Effect.andThen(fs.truncate(path, body.size)),
          Effect.mapError(Store.ioFailure)
        )
        const extension = body.file_extension === "." ? "" : body.file_extension
        uploads.set(uploadID, {
          uploadID,
          fileName: `${body.file_name ?? uploadID}${extension}`,
          mimeType: Store.mimeTypeOf(extension),
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

    const putPart: Uploads["putPart"] = (request) =>
      Effect.gen(function*() {
        const part = Number(request.part)
        const upload = uploads.get(request.uploadID)
        const expires = request.query.get("X-Expires") ?? ""
        if (upload === undefined) {
          return yield* Effect.fail(Store.failure(404, "NoSuchUpload", "The specified upload does not exist"))
        }
        if (!Number.isInteger(part) || part < 1 || part > upload.totalParts || String(part) !== request.part) {
          return yield* Effect.fail(Store.failure(400, "InvalidPart", `Part number must be 1 to ${upload.totalParts}`))
        }
        if (request.query.get("X-Signature") !== sign(upload.uploadID, part, expires)) {
          return yield* Effect.fail(Store.failure(403, "SignatureDoesNotMatch", "The request signature does not match"))
        }
        if (Number(expires) * 1000 < request.now) {
          return yield* Effect.fail(Store.failure(403, "AccessDenied", "Request has expired"))
        }
        const range = Upload.partRange(part, upload.partSize, upload.size)
        const written = yield* Store.writePart(fs, upload.path, range, part, request.body)
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
        nonStandardHeaders: Store.nonStandardHeaders(names)
      })
    }

    const finish: Uploads["finish"] = (uploadID, origin, now) =>
      Effect.gen(function*() {
        const upload = uploads.get(uploadID)
        if (upload === undefined) return yield* Effect.fail(Store.failure(404, "NoSuchUpload", `Upload ${uploadID} not found`))
        const missing: Array<number> = []
        for (let n = 1; n <= upload.totalParts; n++) if (!upload.parts.has(n)) missing.push(n)
        if (missing.length > 0) {
          return yield* Effect.fail(
            Store.failure(400, "IncompleteUpload", `Upload ${uploadID} is incomplete: missing part(s) ${missing.join(", ")}`)
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
        return Effect.fail(Store.failure(404, "NoSuchKey", "The specified key does not exist"))
      }
      if (upload.expiresAt < now) return Effect.fail(Store.failure(403, "AccessDenied", "The file has expired"))
      return Effect.succeed({
        stream: fs.stream(upload.path, { chunkSize: Store.WRITE_SIZE }),
        size: upload.size,
        mimeType: upload.mimeType
      })
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

/**
 * The upload API's base path on the emulator, the same as the real service's
 * (`/api/tasks/files/remote-cache`).
 *
 * @since 0.1.0
 * @category uploads
 */
export const UPLOAD_PREFIX = new URL(Api.DEFAULT_UPLOAD_BASE_URL).pathname as `/${string}`
