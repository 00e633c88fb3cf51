/**
 * `uploadFile` as the official SDK defines it, on the Effect client's upload:
 * what it accepts, `retries`, `onProgress(0..100)` and `UPLOAD_CANCELLED`.
 */
import type * as CloudTaskClient from "@oomol-cloud-task/effect/CloudTaskClient"
import * as Errors from "@oomol-cloud-task/effect/Errors"
import * as Upload from "@oomol-cloud-task/effect/Upload"
import * as Effect from "effect/Effect"
import type * as FileSystem from "effect/FileSystem"
import type * as Layer from "effect/Layer"
import type * as PlatformError from "effect/PlatformError"
import * as Stream from "effect/Stream"
import { UploadError } from "../Errors.js"
import type { UploadInput, UploadOptions } from "../Options.js"

/** How `uploadFile` reads a file path. */
export interface PathReader {
  /** The file at `path`, read part by part. */
  readonly source: (path: string) => Upload.Source<PlatformError.PlatformError, FileSystem.FileSystem>
  readonly fileSystem: Layer.Layer<FileSystem.FileSystem>
}

// Set by the Node entry point only, so a browser bundle carries no file reading.
let paths: PathReader | undefined

/** Lets `uploadFile` read a path: called once by the Node entry point. */
export const providePaths = (reader: PathReader): void => {
  paths = reader
}

const invalid = (message: string) => Effect.fail(new Errors.InvalidInput({ message }))

// The file system's reasons, in a reader's words.
const reasons: Partial<Record<PlatformError.SystemErrorTag, string>> = {
  NotFound: "no such file",
  PermissionDenied: "permission denied",
  Busy: "the file is busy"
}

/** Why the file at `path` could not be uploaded, as an `UploadError`. */
const unreadable = (path: string, error: PlatformError.PlatformError): Errors.UploadError => {
  const { reason } = error
  const cause: unknown = reason.cause
  const why = reason.description ??
    (reason._tag === "BadArgument" ? undefined : reasons[reason._tag]) ??
    (cause instanceof Error ? cause.message : reason.message)
  return new Errors.UploadError({
    code: "UPLOAD_FAILED",
    message: `Cannot upload ${path}: ${why}`,
    cause: cause ?? error
  })
}

/** The Effect client's upload of `file`: a path read part by part, anything else as it is. */
const uploadOf = (
  client: CloudTaskClient.Service,
  file: UploadInput,
  options: Upload.UploadOptions,
  report: ((event: Upload.UploadEvent) => Effect.Effect<void>) | undefined
): Effect.Effect<string, Errors.CloudTaskError> => {
  const run = <E, R>(input: Upload.Input<E, R>) =>
    report === undefined
      ? Effect.map(client.upload(input, options), (uploaded) => uploaded.url)
      // `runForEach` rather than `runFoldEffect`, which no other browser code uses.
      : Effect.suspend(() => {
        let url = ""
        return Stream.runForEach(client.uploadWithProgress(input, options), (event) => {
          if (event._tag === "Done") url = event.file.url
          return report(event)
        }).pipe(Effect.map(() => url))
      })
  if (typeof file === "string") {
    if (paths === undefined) return invalid("a file path can be uploaded only in Node; pass a File, Blob or bytes")
    // A file that cannot be read (or changed meanwhile) is an upload failure
    // like any, its reason in words and Node's own error (`code: "ENOENT"`, …) as the cause.
    return run(paths.source(file)).pipe(
      Effect.catchTag("PlatformError", (error) => Effect.fail(unreadable(file, error))),
      Effect.provide(paths.fileSystem)
    )
  }
  if (file instanceof ArrayBuffer) return run(new Uint8Array(file))
  if (file instanceof Uint8Array || Upload.isBlob(file)) return run(file)
  return invalid("file must be a File, Blob, Uint8Array, ArrayBuffer or (in Node) a file path")
}

/**
 * Uploads `file` and resolves with its URL. Progress is an integer 0..100
 * that never goes back, at most 99 until the file's URL is in hand, then 100.
 * An abort rejects with `UploadError` code `UPLOAD_CANCELLED`.
 */
export const uploadFile = async (
  call: (use: (client: CloudTaskClient.Service) => Effect.Effect<string, Errors.CloudTaskError>, signal?: AbortSignal) => Promise<string>,
  file: UploadInput,
  options: UploadOptions = {}
): Promise<string> => {
  const { onProgress, signal } = options
  let reported = -1
  const progress = (percent: number) => {
    if (onProgress === undefined || percent <= reported) return
    reported = percent
    onProgress(percent)
  }
  const report = onProgress === undefined ? undefined : (event: Upload.UploadEvent) =>
    Effect.sync(() => {
      if (event._tag === "Progress" && event.total > 0) progress(Math.min(99, Math.floor((event.sent * 100) / event.total)))
    })
  const retries = typeof options.retries === "number" && Number.isFinite(options.retries) ? options.retries : 3
  const effectOptions: Upload.UploadOptions = {
    uploadBaseUrl: options.uploadBaseUrl,
    name: options.fileName,
    concurrency: options.concurrency,
    retry: Upload.retrySchedule(retries)
  }
  // In a browser, XMLHttpRequest's upload events give progress within each part.
  const sender = typeof XMLHttpRequest === "function"
    ? Effect.provideService(Upload.PartSender, Upload.xhrPartSender)
    : <A, E, R>(effect: Effect.Effect<A, E, R>) => effect
  try {
    const url = await call((client) => sender(uploadOf(client, file, effectOptions, report)), signal)
    progress(100)
    return url
  } catch (error) {
    if (signal?.aborted === true && (error as { readonly name?: unknown } | null)?.name === "AbortError") {
      throw new UploadError(
        "Upload cancelled",
        undefined,
        "UPLOAD_CANCELLED",
        signal.reason === undefined ? undefined : { cause: signal.reason }
      )
    }
    throw error
  }
}
