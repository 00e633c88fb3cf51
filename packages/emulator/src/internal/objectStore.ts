/**
 * The object store behind the upload API, as S3-like stores behave: presigned
 * part URLs with an expiry and a signature, parts streamed into their byte
 * range of one file per upload (ETag = the part's MD5), a record of what each
 * part request carried, and MIME types by extension.
 */
import * as Effect from "effect/Effect"
import type * as FileSystem from "effect/FileSystem"
import * as Stream from "effect/Stream"
import { createHash, createHmac, randomBytes } from "node:crypto"

/** A refusal: an HTTP status, an S3-style code and a readable message. */
export interface StoreFailure {
  readonly status: number
  readonly code: string
  readonly message: string
}

export const failure = (status: number, code: string, message: string): StoreFailure => ({ status, code, message })

export const isFailure = (u: unknown): u is StoreFailure =>
  typeof u === "object" && u !== null && "status" in u && "code" in u && "message" in u

export const ioFailure = (cause: unknown) => failure(500, "InternalError", `The store failed: ${String(cause)}`)

/** How many bytes a disk write or a download chunk holds. */
export const WRITE_SIZE = 1024 * 1024

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

/** The MIME type of a file by its extension (`.pdf`), `application/octet-stream` when unknown. */
export const mimeTypeOf = (extension: string): string => mimeTypes[extension.toLowerCase()] ?? "application/octet-stream"

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

/** The header names (lower case) a bare PUT of bytes would not carry. */
export const nonStandardHeaders = (names: ReadonlyArray<string>): ReadonlyArray<string> =>
  names.filter((name) => !plainHeaders.has(name) && !name.startsWith("sec-"))

/** Signs part URLs with a key of its own: a URL is good only for its upload, part and expiry. */
export const signer = () => {
  const secret = randomBytes(32)
  return (uploadID: string, part: number, expires: string): string =>
    createHmac("sha256", secret).update(`${uploadID}/${part}/${expires}`).digest("hex")
}

/**
 * Streams a part's body into bytes `[start, end)` of the file at `path`. A
 * body of another length is refused (`IncompleteBody`); the ETag is the
 * part's MD5, quoted, as S3 gives it.
 */
export const writePart = (
  fs: FileSystem.FileSystem,
  path: string,
  [start, end]: readonly [number, number],
  part: number,
  body: Stream.Stream<Uint8Array, unknown>
): Effect.Effect<{ readonly bytes: number; readonly etag: string }, StoreFailure> =>
  Effect.scoped(Effect.gen(function*() {
    const expected = end - start
    const file = yield* fs.open(path, { flag: "r+" })
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
