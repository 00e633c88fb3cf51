/**
 * Uploading a file: `init` on the upload API, a PUT of each part to its
 * presigned URL, then the file's URL. One implementation for every platform.
 *
 * - Sources: a `Blob` or `File`, a `Uint8Array` (a Node `Buffer` is one), a
 *   file on disk ({@link fromPath}, which needs a `FileSystem`), or a `Stream`
 *   of bytes of known size ({@link fromStream}). A file on disk is read part by
 *   part, so memory stays near `concurrency × part size` whatever its size.
 * - At most `concurrency` parts are in flight (default 4). A part is sent again
 *   on the {@link defaultRetry} schedule after a failure that can heal (no
 *   answer, 408, 429, 5xx) and never after any other.
 * - Interrupting the upload aborts every part in flight at once.
 * - Presigned PUTs carry `Content-Type: application/octet-stream` and nothing
 *   of the client's: no Authorization, default headers, cookies or trace
 *   headers. `init` and the final URL carry the same headers as the task API.
 * - Parts go through the client's `HttpClient`, or the one a {@link PartClient}
 *   layer provides, or a {@link PartSender} of their own.
 *
 * @since 0.1.0
 */
import * as Wire from "@oomol-cloud-task/contract/Upload"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as FileSystem from "effect/FileSystem"
import type * as HttpClient from "effect/http/HttpClient"
import type * as PlatformError from "effect/PlatformError"
import * as Queue from "effect/Queue"
import * as Schedule from "effect/Schedule"
import type * as Stream from "effect/Stream"
import type { InvalidInput, RequestError, UploadError } from "./Errors.js"
import { capped, upTo } from "./internal/capped.js"
import * as Defaults from "./internal/defaults.js"
import { produced } from "./internal/produced.js"
import { inSpan } from "./internal/request.js"
import * as Plan from "./internal/uploadPlan.js"
import * as Run from "./internal/uploadRun.js"
import * as Senders from "./internal/uploadSenders.js"
import * as Sources from "./internal/uploadSource.js"
import * as Retry from "./Retry.js"

/**
 * A file to upload, not yet opened. Build one with {@link fromPath} or
 * {@link fromStream}; a `Blob` or `Uint8Array` can be passed as it is.
 *
 * @since 0.1.0
 * @category sources
 */
export type Source<E = never, R = never> = Sources.Source<E, R>

/**
 * What `upload` accepts: a `Blob` (a browser `File` is one, and its name is
 * used), bytes in memory, or a {@link Source}.
 *
 * @since 0.1.0
 * @category sources
 */
export type Input<E = never, R = never> = Blob | Uint8Array | Source<E, R>

/**
 * Whether a value is a `Blob` (a `File` is one), also one from another realm
 * such as an iframe.
 *
 * @since 0.1.0
 * @category sources
 */
export const isBlob: (u: unknown) => u is Blob = Sources.isBlob

/**
 * A file on disk, read part by part when each part is sent. Needs a
 * `FileSystem` (`NodeFileSystem.layer` from `@effect/platform-node`).
 *
 * Fails with the file system's `PlatformError`: the path's own (`NotFound`,
 * `PermissionDenied`, …) before anything is sent; `BadResource` for a path
 * that is not a regular file (a directory, a device, a pipe); `UnexpectedEof`
 * for a file that shrank while its parts were read, and `InvalidData` for one
 * that changed in any other way (checked once every part is read, before the
 * file's URL is asked for).
 *
 * @since 0.1.0
 * @category sources
 */
export const fromPath: (path: string) => Source<PlatformError.PlatformError, FileSystem.FileSystem> = Sources.fromPath

/**
 * A stream of exactly `size` bytes, in any chunking. It is read once, in
 * order; each part is buffered until sent. A stream that gives more or fewer
 * bytes fails the upload with `InvalidInput`.
 *
 * @since 0.1.0
 * @category sources
 */
export const fromStream: <E, R>(stream: Stream.Stream<Uint8Array, E, R>, size: number) => Source<E, R> =
  Sources.fromStream

/**
 * Sends the bytes of one part to its presigned URL. The default goes through
 * the client's `HttpClient` (or its {@link PartClient}); {@link xhrPartSender}
 * uses `XMLHttpRequest` for byte-level progress in a browser. Only the
 * transfer is swappable: retries, concurrency, progress and errors stay with
 * the upload; a sender enforces the timeout each request carries (an Effect
 * timeout, `xhr.timeout`), and fails with an `UploadError` when the part's
 * bytes cannot be read (never tried again).
 *
 * @example
 * ```ts
 * import { CloudTaskClient, Upload } from "@oomol-cloud-task/effect"
 * import { Effect } from "effect"
 *
 * const upload = (file: File) =>
 *   Effect.flatMap(CloudTaskClient.CloudTaskClient, (client) => client.upload(file)).pipe(
 *     Effect.provideService(Upload.PartSender, Upload.xhrPartSender)
 *   )
 * ```
 *
 * @since 0.1.0
 * @category part senders
 */
export class PartSender extends Context.Service<PartSender, Senders.PartSender>()(
  "@oomol-cloud-task/effect/Upload/PartSender"
) {}

/**
 * The `HttpClient` presigned part PUTs go through, read when the client is
 * built. Without one, parts go through the client's own `HttpClient`. Either
 * way a part carries nothing of the client's (no auth, default headers,
 * cookies or trace headers) and may follow a redirect, which the task and
 * upload APIs never do: a Node app can give parts a client that follows
 * redirects and the APIs one that does not.
 *
 * @example
 * ```ts
 * import { CloudTaskClient, Upload } from "@oomol-cloud-task/effect"
 * import { Layer, Redacted } from "effect"
 * import { FetchHttpClient, HttpClient } from "effect/http"
 *
 * declare const partsClient: HttpClient.HttpClient
 *
 * export const ClientLive = CloudTaskClient.layer({ apiKey: Redacted.make("key") }).pipe(
 *   Layer.provide(Layer.succeed(Upload.PartClient, partsClient)),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.2.0
 * @category part senders
 */
export class PartClient extends Context.Service<PartClient, HttpClient.HttpClient>()(
  "@oomol-cloud-task/effect/Upload/PartClient"
) {}

/**
 * Parts through `XMLHttpRequest`, reporting every upload progress event; a
 * `Blob` part is sent from the file, never read into memory. Browsers only.
 *
 * @since 0.1.0
 * @category part senders
 */
export const xhrPartSender: Senders.PartSender = Senders.xhrPartSender

/**
 * A retry schedule for parts: `attempts` tries in all, waiting 1 s, then twice
 * as long each time, never more than 30 s (the official SDK's backoff).
 *
 * @since 0.1.0
 * @category retry
 */
export const retrySchedule = (attempts: number): Schedule.Schedule<unknown, unknown> =>
  capped(Schedule.exponential(Defaults.partRetryBase, 2), Defaults.partRetryCap).pipe(
    upTo(Math.max(0, Math.floor(attempts) - 1))
  )

/**
 * The official default: 3 tries of each part, 1 s then 2 s apart.
 *
 * @since 0.1.0
 * @category retry
 */
export const defaultRetry: Schedule.Schedule<unknown, unknown> = retrySchedule(Defaults.partAttempts)

/**
 * A part failure another try can heal: no answer, 408, 429 or any 5xx. Wider
 * than `Retry.isTransient` on purpose: a part is only bytes to an object
 * store, safe to send again whatever its 5xx (the official SDK retried every
 * part failure).
 *
 * @since 0.1.0
 * @category retry
 */
export const isRetryable = (error: RequestError): boolean =>
  Retry.isTransient(error) || (error._tag === "ApiError" && error.status >= 500)

/**
 * How to upload.
 *
 * @since 0.1.0
 * @category options
 */
export interface UploadOptions {
  /** The upload API for this upload. Default: the client's `uploadBaseUrl`. */
  readonly uploadBaseUrl?: string | undefined
  /** The file name sent to `init` (its extension, and the name without it). Default: the `File`'s or path's name. */
  readonly name?: string | undefined
  /** Parts in flight at once. Default 4. */
  readonly concurrency?: number | undefined
  /** When a part is tried again after a failure that can heal; fed with each failure. Default {@link defaultRetry}. */
  readonly retry?: Schedule.Schedule<unknown, RequestError> | undefined
  /** How long one try of one part may take (the part sender enforces it). Default 10 minutes. */
  readonly partTimeout?: Duration.Input | undefined
}

/**
 * The uploaded file, as the upload API describes it: `url` is where it can be
 * downloaded until `expires_at`.
 *
 * @since 0.1.0
 * @category models
 */
export type UploadedFile = Wire.UploadUrlResponse["data"]

/**
 * What an upload reports: `Progress` as parts go, then `Done` once the file's
 * URL is in hand. `sent` counts each byte of the file once: it never goes
 * back, and a part tried again counts only beyond what it had already sent.
 *
 * @since 0.1.0
 * @category models
 */
export type UploadEvent =
  | { readonly _tag: "Progress"; readonly sent: number; readonly total: number }
  | { readonly _tag: "Done"; readonly file: UploadedFile }

/**
 * What an upload can fail with, besides its source's own errors.
 *
 * @since 0.1.0
 * @category errors
 */
export type UploadFailure = UploadError | InvalidInput

/**
 * The upload operations of a client.
 *
 * @since 0.1.0
 * @category constructors
 */
export interface Uploader {
  /** Uploads a file and returns where it can be downloaded. */
  readonly upload: <E = never, R = never>(
    input: Input<E, R>,
    options?: UploadOptions
  ) => Effect.Effect<UploadedFile, UploadFailure | E, R>
  /** The same upload, as its progress: `Progress` events, then `Done`. */
  readonly uploadWithProgress: <E = never, R = never>(
    input: Input<E, R>,
    options?: UploadOptions
  ) => Stream.Stream<UploadEvent, UploadFailure | E, R>
}

/**
 * What an upload needs of a client, and nothing more: the upload API's two
 * JSON steps (each already retried as the client retries an idempotent
 * request) and how a part goes by default.
 *
 * @since 0.2.0
 * @category constructors
 */
export interface UploadApi extends Run.Steps {
  /** The upload API used when an upload names none. */
  readonly uploadBaseUrl: string
  /** Sends parts unless a {@link PartSender} is provided. */
  readonly partSender: Senders.PartSender
}

/**
 * Builds the upload operations on what an upload needs of a client.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (api: UploadApi): Uploader => {
  const run = <E, R>(input: Input<E, R>, options: UploadOptions, report: (sent: number, total: number) => void) =>
    inSpan("CloudTaskClient.upload", { kind: "client" }, (span) =>
      Effect.gen(function*() {
        const checked = yield* Plan.checked(options, { uploadBaseUrl: api.uploadBaseUrl, retry: defaultRetry })
        const source: Source<E, R> = input instanceof Uint8Array
          ? Sources.fromBytes(input)
          : Sources.isBlob(input)
          ? Sources.fromBlob(input)
          : input
        const sender = Context.getOrUndefined(yield* Effect.context<never>(), PartSender) ?? api.partSender // (no serviceOption: see client.ts)
        const settings = { ...checked, name: options.name ?? source.name, sender, shouldRetry: isRetryable, report, span }
        return yield* Run.run(api, source, settings)
      })) satisfies Effect.Effect<UploadedFile, UploadFailure | E, R>

  const upload: Uploader["upload"] = (input, options = {}) => run(input, options, () => {})

  const uploadWithProgress: Uploader["uploadWithProgress"] = <E = never, R = never>(
    input: Input<E, R>,
    options: UploadOptions = {}
  ) =>
    // The upload runs in a fiber of the stream's scope: dropping the stream interrupts it.
    produced<UploadEvent, UploadFailure | E, R>((events) =>
      Effect.flatMap(
        run(input, options, (sent, total) => void Queue.offerUnsafe(events, { _tag: "Progress", sent, total })),
        (file) => Queue.offer(events, { _tag: "Done", file })
      )
    )

  return { upload, uploadWithProgress }
}
