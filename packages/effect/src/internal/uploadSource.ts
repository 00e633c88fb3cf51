/**
 * What an upload reads from, and how it is cut into parts: a source either
 * reads any byte range on demand (a `Blob`, bytes in memory, a file on disk)
 * or gives its bytes once, in order (a `Stream`).
 */
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import * as PlatformError from "effect/PlatformError"
import * as Stream from "effect/Stream"
import { InvalidInput, type UploadError } from "../Errors.js"
import * as Sequence from "./uploadSequence.js"

/** The bytes of one part: a `Blob` slice is handed on unread, so a browser can send it from disk. */
export type PartBody = Uint8Array | Blob

/** A source opened for reading: its size, and either byte ranges on demand or one pass in order. */
export type Reader<E, R> =
  | {
    readonly _tag: "Ranges"
    readonly size: number
    /** The bytes `[start, end)`. */
    readonly read: (start: number, end: number) => Effect.Effect<PartBody, E, R>
    /** Run once every part is read: fails if the source changed meanwhile, so what went up is not the file. */
    readonly verify?: Effect.Effect<void, E, R> | undefined
  }
  | {
    readonly _tag: "Sequence"
    readonly size: number
    /**
     * Sends the parts, in order, with `sendPart`, `concurrency` at a time. The
     * reader brings its own way of cutting parts, so a bundle that never
     * streams a source carries none of it.
     */
    readonly sendParts: (
      plan: Plan,
      concurrency: number,
      sendPart: (part: Part) => Effect.Effect<void, UploadError>
    ) => Effect.Effect<void, UploadError | InvalidInput | E, R>
  }

/** A file to upload, not yet opened. */
export interface Source<out E = never, out R = never> {
  readonly _tag: "UploadSource"
  /** Its file name, when it has one: a path's directories are ignored. */
  readonly name: string | undefined
  readonly open: Effect.Effect<Reader<E, R>, E | InvalidInput, R>
}

/** A `Blob` as the platform defines it; duck-typed so a `Blob` from another realm counts. */
export const isBlob = (u: unknown): u is Blob =>
  typeof u === "object" && u !== null && typeof (u as Blob).slice === "function" &&
  typeof (u as Blob).size === "number" && typeof (u as Blob).arrayBuffer === "function"

export const fromBlob = (blob: Blob): Source => {
  const name = (blob as Partial<File>).name
  return {
    _tag: "UploadSource",
    name: typeof name === "string" && name !== "" ? name : undefined,
    open: Effect.succeed({ _tag: "Ranges", size: blob.size, read: (start, end) => Effect.succeed(blob.slice(start, end)) })
  }
}

export const fromBytes = (bytes: Uint8Array): Source => ({
  _tag: "UploadSource",
  name: undefined,
  // A view, not a copy.
  open: Effect.succeed({ _tag: "Ranges", size: bytes.length, read: (start, end) => Effect.succeed(bytes.subarray(start, end)) })
})

const readError = (path: string, method: string, reason: PlatformError.SystemErrorTag, description: string) =>
  PlatformError.systemError({ _tag: reason, module: "FileSystem", method, pathOrDescriptor: path, description })

// What a path names, in words, when it is not a file.
const kinds: Partial<Record<FileSystem.File.Type, string>> = {
  Directory: "a directory",
  CharacterDevice: "a character device",
  BlockDevice: "a block device",
  FIFO: "a named pipe",
  Socket: "a socket",
  SymbolicLink: "a symbolic link"
}

const modified = (info: FileSystem.File.Info) => Option.getOrUndefined(Option.map(info.mtime, (date) => date.getTime()))

export const fromPath = (path: string): Source<PlatformError.PlatformError, FileSystem.FileSystem> => ({
  _tag: "UploadSource",
  name: path,
  open: Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const info = yield* fs.stat(path)
    if (info.type !== "File") {
      const what = kinds[info.type] ?? "something else"
      return yield* Effect.fail(readError(path, "stat", "BadResource", `it is ${what}, not a regular file`))
    }
    const size = Number(info.size)
    // Each part opens the file on its own: parts are read concurrently, and a
    // file handle has one position. Only the part's own buffer is allocated.
    const read = (start: number, end: number) =>
      Effect.scoped(Effect.gen(function*() {
        const file = yield* fs.open(path, { flag: "r" })
        const buffer = new Uint8Array(end - start)
        let filled = 0
        while (filled < buffer.length) {
          const n = Number(yield* file.read(buffer.subarray(filled), { position: BigInt(start + filled) }))
          if (n === 0) {
            return yield* Effect.fail(
              readError(path, "read", "UnexpectedEof", `the file ended before byte ${end}: it shrank during the upload`)
            )
          }
          filled += n
        }
        return buffer
      }))
    // A file that grew, shrank or was rewritten while its parts were read:
    // what went up is neither the old file nor the new one.
    const verify = Effect.flatMap(fs.stat(path), (now) =>
      Number(now.size) === size && modified(now) === modified(info)
        ? Effect.void
        : Effect.fail(
          readError(
            path,
            "stat",
            "InvalidData",
            Number(now.size) === size
              ? "the file changed during the upload"
              : `the file changed during the upload: it was ${size} bytes, now ${Number(now.size)}`
          )
        ))
    return { _tag: "Ranges", size, read, verify } as const
  })
})

export const fromStream = <E, R>(stream: Stream.Stream<Uint8Array, E, R>, size: number): Source<E, R> => ({
  _tag: "UploadSource",
  name: undefined,
  open: Number.isSafeInteger(size) && size >= 0
    ? Effect.succeed({
      _tag: "Sequence",
      size,
      sendParts: (plan, concurrency, sendPart) => Sequence.sendParts(stream, plan, concurrency, sendPart)
    })
    : Effect.fail(new InvalidInput({ message: `size must be a non-negative integer, got ${size}` }))
})

/** Part `n` (1-based) and its bytes. */
export interface Part {
  readonly n: number
  readonly body: PartBody
}

/** How `init` cut the file. */
export interface Plan {
  readonly size: number
  readonly partSize: number
  readonly totalParts: number
}
