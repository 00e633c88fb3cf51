/**
 * One upload from its checked options: `init`, every part within the
 * concurrency (each retried on its own), progress, then the file's URL.
 */
import * as Wire from "@oomol-cloud-task/contract/Upload"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import type * as Tracer from "effect/Tracer"
import type { InvalidInput, RequestError, UploadError } from "../Errors.js"
import * as Retry from "../Retry.js"
import * as Request from "./request.js"
import * as Plan from "./uploadPlan.js"
import type { PartSender } from "./uploadSenders.js"
import * as Sources from "./uploadSource.js"

/** The upload API's two JSON steps. */
export interface Steps {
  /** `POST {uploadBaseUrl}/init`. */
  readonly init: (uploadBaseUrl: string, body: Wire.UploadInitBody) => Effect.Effect<Wire.UploadInitResponse, RequestError>
  /** `GET {uploadBaseUrl}/{uploadID}/url`. */
  readonly fileUrl: (uploadBaseUrl: string, uploadID: string) => Effect.Effect<Wire.UploadUrlResponse, RequestError>
}

/** How this upload goes. */
export interface Settings {
  readonly uploadBaseUrl: string
  readonly name: string | undefined
  readonly concurrency: number
  readonly timeout: Duration.Duration
  readonly schedule: Schedule.Schedule<unknown, RequestError>
  readonly shouldRetry: (error: RequestError) => boolean
  readonly sender: PartSender
  readonly report: (sent: number, total: number) => void
  /** The upload's span. */
  readonly span: Tracer.Span
}

const partBytes = (body: Sources.PartBody) => (body instanceof Uint8Array ? body.length : body.size)

/** Uploads `source`: its file as the upload API describes it, once every part is in. */
export const run = <E, R>(
  steps: Steps,
  source: Sources.Source<E, R>,
  settings: Settings
): Effect.Effect<Wire.UploadUrlResponse["data"], UploadError | InvalidInput | E, R> =>
  Effect.gen(function*() {
    const { concurrency, name, report, sender, shouldRetry, timeout, uploadBaseUrl } = settings
    const reader = yield* source.open
    const { extension, stem } = Wire.splitFileName(name ?? "")
    const started = yield* Effect.mapError(
      steps.init(uploadBaseUrl, {
        file_extension: extension,
        size: reader.size,
        ...(name === undefined || stem === "" ? {} : { file_name: stem })
      }),
      Plan.initFailed
    )
    const { plan, urls } = yield* Plan.planOf(started.data, reader.size)
    // The upload's span, annotated as `Effect.annotateCurrentSpan` would (which no other browser code needs).
    settings.span.attribute("oomol.upload.id", started.data.upload_id)
    settings.span.attribute("oomol.upload.size", reader.size)
    settings.span.attribute("oomol.upload.parts", plan.totalParts)
    const retrying = Retry.retrying(settings.schedule, shouldRetry)
    // A part whose bytes could not be read (an `UploadError` of its sender) is
    // never tried again: it is carried past the retries as a value.
    const retryPart = <R>(effect: Effect.Effect<void, RequestError | UploadError, R>) =>
      retrying(Effect.catch(effect, (error) => error._tag === "UploadError" ? Effect.succeed(error) : Effect.fail(error))).pipe(
        Effect.flatMap((unread) => (unread === undefined ? Effect.void : Effect.fail(unread)))
      )

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
        return retryPart(once).pipe(
          Effect.mapError((error) =>
            error._tag === "UploadError"
              ? error
              : shouldRetry(error)
              ? Plan.exhausted(error, attempts)
              : Plan.partFailed(error)
          ),
          Effect.map(() => progress(n, length)),
          (effect) =>
            Request.inSpan("CloudTaskClient.uploadPart", {
              kind: "client",
              attributes: { "oomol.upload.part": n, "oomol.upload.part.bytes": length }
            }, () => effect)
        )
      })

    // A part is read inside its slot, so at most `concurrency` parts (one more
    // for a stream) are in memory at once.
    if (reader._tag === "Sequence") {
      yield* reader.sendParts(plan, concurrency, sendPart)
    } else {
      yield* Effect.forEach(
        Array.from({ length: plan.totalParts }, (_, i) => i + 1),
        (n) =>
          Effect.flatMap(
            reader.read(...Wire.partRange(n, plan.partSize, plan.size)),
            (body) => sendPart({ n, body })
          ),
        { concurrency, discard: true }
      )
    }
    // Before the file's URL is asked for: a source that changed meanwhile fails the upload.
    if (reader._tag === "Ranges" && reader.verify !== undefined) yield* reader.verify
    const file = yield* Effect.mapError(steps.fileUrl(uploadBaseUrl, started.data.upload_id), Plan.urlFailed)
    return file.data
  })
