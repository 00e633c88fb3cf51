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
 *
 * @since 0.1.0
 */
import type * as PlatformError from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Api, Failure, Upload as Wire } from "@oomol-cloud-task/contract"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Mailbox from "effect/Mailbox"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type { Settings } from "./CloudTaskClient.js"
import { InvalidInput, type RequestError, UploadError } from "./Errors.js"
import * as Http from "./internal/http.js"
import * as Senders from "./internal/uploadSenders.js"
import * as Sources from "./internal/uploadSource.js"
import * as Retry from "./Retry.js"
import { httpUrl } from "./internal/input.js"

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
 * the client's `HttpClient`; {@link xhrPartSender} uses `XMLHttpRequest` for
 * byte-level progress in a browser. Only the transfer is swappable: retries,
 * concurrency, progress and errors stay with the upload; a sender enforces the
 * timeout each request carries (a fetch deadline, `xhr.timeout`).
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
export class PartSender extends Context.Tag("@oomol-cloud-task/effect/Upload/PartSender")<
  PartSender,
  Senders.PartSender
>() {}

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
  Schedule.exponential("1 second", 2).pipe(
    Schedule.union(Schedule.spaced("30 seconds")),
    Schedule.intersect(Schedule.recurs(Math.max(0, Math.floor(attempts) - 1)))
  )

/**
 * The official default: 3 tries of each part, 1 s then 2 s apart.
 *
 * @since 0.1.0
 * @category retry
 */
export const defaultRetry: Schedule.Schedule<unknown, unknown> = retrySchedule(3)

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
  readonly partTimeout?: Duration.DurationInput | undefined
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

const code = Failure.UploadErrorCode
const decodeInit = Http.decoder(Wire.UploadInitResponse)
const decodeUrl = Http.decoder(Wire.UploadUrlResponse)

/** The official message of a step that failed, with the status when there was one. */
const stepFailed = (errorCode: Failure.UploadErrorCode, what: string) => (error: RequestError): UploadError =>
  new UploadError({
    code: errorCode,
    message: `${what}: ${error._tag === "ApiError" ? error.status : error.message}`,
    ...(error._tag === "NetworkError" ? {} : { statusCode: error.status }),
    cause: error
  })

const partFailed = (error: RequestError): UploadError =>
  error._tag === "NetworkError"
    ? new UploadError({ code: code.NETWORK_ERROR, message: "Network error during upload", cause: error })
    : new UploadError({
      code: code.UPLOAD_FAILED,
      message: `Upload failed with status ${error.status}`,
      statusCode: error.status,
      cause: error
    })

const exhausted = (error: RequestError, attempts: number): UploadError => {
  const last = partFailed(error)
  return new UploadError({
    code: code.RETRY_EXHAUSTED,
    message: `Failed after ${attempts} attempts: ${last.message}`,
    ...(last.statusCode === undefined ? {} : { statusCode: last.statusCode }),
    cause: error
  })
}

/** Checks that `init`'s answer cuts exactly this file, and has a URL for every part. */
const planOf = (
  data: Wire.UploadInitResponse["data"],
  size: number
): Effect.Effect<{ readonly plan: Sources.Plan; readonly urls: ReadonlyArray<string> }, UploadError> => {
  const plan = { size, partSize: data.part_size, totalParts: data.total_parts }
  const expected = Math.ceil(size / plan.partSize)
  if (plan.totalParts !== expected && !(size === 0 && plan.totalParts === 1)) {
    return Effect.fail(
      new UploadError({
        code: code.INIT_UPLOAD_FAILED,
        message:
          `Failed to initialize upload: ${plan.totalParts} parts of ${plan.partSize} bytes cannot hold ${size} bytes`
      })
    )
  }
  const urls: Array<string> = []
  for (let n = 1; n <= plan.totalParts; n++) {
    const url = data.presigned_urls[String(n)]
    if (url === undefined || url === "") {
      return Effect.fail(new UploadError({ code: code.MISSING_PRESIGNED_URL, message: `Missing presigned URL for part ${n}` }))
    }
    urls.push(url)
  }
  return Effect.succeed({ plan, urls })
}

/** The options, checked before anything is sent. */
const checked = (options: UploadOptions, defaultBaseUrl: string) =>
  Effect.gen(function*() {
    const concurrency = options.concurrency ?? 4
    const timeout = Duration.decode(options.partTimeout ?? "10 minutes")
    const invalid = (message: string) => Effect.fail(new InvalidInput({ message }))
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) return yield* invalid("concurrency must be a positive integer")
    const uploadBaseUrl = yield* httpUrl("uploadBaseUrl", options.uploadBaseUrl ?? defaultBaseUrl)
    // A timer can wait at most 2^31 - 1 ms.
    if (!Duration.isFinite(timeout) || Duration.toMillis(timeout) <= 0 || Duration.toMillis(timeout) > 2 ** 31 - 1) {
      return yield* invalid("partTimeout must be a positive duration of at most 24 days")
    }
    return { concurrency, uploadBaseUrl, timeout, schedule: options.retry ?? defaultRetry }
  })

const partBytes = (body: Sources.PartBody) => (body instanceof Uint8Array ? body.length : body.size)

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
 * Builds the upload operations on a client's settings.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (settings: Settings): Uploader => {
  const { headers, http, retry } = settings
  const defaultSender = Senders.httpPartSender(settings.client)
  // A second `init` leaves only an unused upload behind, so both steps are retried like a GET.
  const idempotent = Retry.retrying(retry, Retry.isTransient)

  const init = (uploadBaseUrl: string, body: Wire.UploadInitBody) =>
    idempotent(http.json(
      HttpClientRequest.post(uploadBaseUrl + Api.paths.uploadInit, {
        headers,
        body: HttpBody.text(JSON.stringify(body), "application/json")
      }),
      decodeInit
    )).pipe(Effect.mapError(stepFailed(code.INIT_UPLOAD_FAILED, "Failed to initialize upload")))

  const fileUrl = (uploadBaseUrl: string, uploadID: string) =>
    idempotent(http.json(HttpClientRequest.get(uploadBaseUrl + Api.paths.uploadUrl(uploadID), { headers }), decodeUrl))
      .pipe(Effect.mapError(stepFailed(code.GET_UPLOAD_URL_FAILED, "Failed to get upload URL")))

  const run = <E, R>(
    input: Input<E, R>,
    options: UploadOptions,
    report: (sent: number, total: number) => void
  ): Effect.Effect<UploadedFile, UploadFailure | E, R> =>
    Effect.gen(function*() {
      const { concurrency, schedule, timeout, uploadBaseUrl } = yield* checked(options, settings.uploadBaseUrl)
      const source: Source<E, R> = input instanceof Uint8Array
        ? Sources.fromBytes(input)
        : Sources.isBlob(input)
        ? Sources.fromBlob(input)
        : input
      const reader = yield* source.open
      const name = options.name ?? source.name
      const { extension, stem } = Wire.splitFileName(name ?? "")
      const started = yield* init(uploadBaseUrl, {
        file_extension: extension,
        size: reader.size,
        ...(name === undefined || stem === "" ? {} : { file_name: stem })
      })
      const { plan, urls } = yield* planOf(started.data, reader.size)
      yield* Effect.annotateCurrentSpan({
        "oomol.upload.id": started.data.upload_id,
        "oomol.upload.size": reader.size,
        "oomol.upload.parts": plan.totalParts
      })

      const sender = Option.getOrElse(yield* Effect.serviceOption(PartSender), () => defaultSender)

      // Bytes of each part sent so far, at their highest: progress never goes back.
      const sentOf = new Map<number, number>()
      let sent = 0
      const progress = (n: number, bytes: number) => {
        const before = sentOf.get(n) ?? 0
        if (bytes <= before) return
        sentOf.set(n, bytes)
        sent += bytes - before
        report(sent, reader.size)
      }

      const sendPart = ({ body, n }: Sources.Part) =>
        Effect.suspend(() => {
          const url = urls[n - 1]!
          const length = partBytes(body)
          let attempts = 0
          const once = Effect.suspend(() => {
            attempts += 1
            return sender.send({ url, body, timeout, onProgress: (bytes) => progress(n, Math.min(bytes, length)) })
          })
          return once.pipe(
            Retry.retrying(schedule, isRetryable),
            Effect.mapError((error) => (isRetryable(error) ? exhausted(error, attempts) : partFailed(error))),
            Effect.tap(() => progress(n, length)),
            Effect.withSpan("CloudTaskClient.uploadPart", {
              kind: "client",
              attributes: { "oomol.upload.part": n, "oomol.upload.part.bytes": length }
            })
          )
        })

      // A part is read inside its slot, so at most `concurrency` parts (one more
      // for a stream) are in memory at once.
      yield* Stream.runDrain(
        reader._tag === "Sequence"
          ? Stream.mapEffect(Sources.cutParts(reader.stream, plan), sendPart, { concurrency })
          : Stream.mapEffect(Stream.range(1, plan.totalParts), (n) =>
            Effect.flatMap(
              reader.read(...Wire.partRange(n, plan.partSize, plan.size)),
              (body) => sendPart({ n, body })
            ), { concurrency })
      )
      return (yield* fileUrl(uploadBaseUrl, started.data.upload_id)).data
    }).pipe(Effect.withSpan("CloudTaskClient.upload", { kind: "client" }))

  const upload: Uploader["upload"] = (input, options = {}) => run(input, options, () => {})

  const uploadWithProgress = <E = never, R = never>(
    input: Input<E, R>,
    options: UploadOptions = {}
  ): Stream.Stream<UploadEvent, UploadFailure | E, R> =>
    Stream.unwrapScoped(Effect.gen(function*() {
      const events = yield* Mailbox.make<UploadEvent, UploadFailure | E>()
      yield* run(input, options, (sent, total) => events.unsafeOffer({ _tag: "Progress", sent, total })).pipe(
        Effect.flatMap((file) => events.offer({ _tag: "Done", file })),
        Mailbox.into(events),
        Effect.forkScoped
      )
      return Mailbox.toStream(events)
    }))

  return { upload, uploadWithProgress }
}
