/**
 * `upload <file>`: uploads a file with the client's upload and prints the URL
 * it can be downloaded from.
 *
 * @since 0.1.0
 */
import { CloudTaskClient, Upload } from "@oomol-cloud-task/effect"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Argument from "effect/cli/Argument"
import * as Flag from "effect/cli/Flag"
import { basename } from "node:path"
import * as Failures from "./Failures.js"
import { progress, service } from "./internal/command.js"
import * as Output from "./Output.js"
import * as Progress from "./Progress.js"
import * as SafeText from "./SafeText.js"

/**
 * An upload event as a progress state.
 *
 * @since 0.1.0
 * @category formatting
 */
export const stateOf = (event: Upload.UploadEvent): Progress.State =>
  event._tag === "Done"
    ? { status: "uploaded", percent: 100 }
    : { status: "uploading", percent: event.total === 0 ? 0 : (event.sent / event.total) * 100 }

/**
 * `upload <file> [--concurrency N]`.
 *
 * @since 0.1.0
 * @category commands
 */
export const upload = service(
  "upload",
  "Upload a file, showing its progress; prints the URL it can be downloaded from (for a day).",
  {
    file: Argument.File("file", { mustExist: true }).pipe(Argument.withDescription("The file to upload.")),
    concurrency: Flag.Int("concurrency").pipe(
      Flag.withDescription("Parts sent at once. Default 4."),
      Flag.optional
    )
  },
  (values) =>
    Effect.gen(function*() {
      const client = yield* CloudTaskClient.CloudTaskClient
      const events = client.uploadWithProgress(Upload.fromPath(values.file), {
        concurrency: Option.getOrUndefined(values.concurrency)
      })
      const done = yield* Effect.scoped(Effect.gen(function*() {
        const shown = yield* progress(values, `upload ${basename(values.file)}`, { status: "starting", percent: 0 })
        return yield* Stream.runLast(Stream.tap(events, (event) => shown.update(stateOf(event))))
      })).pipe(Failures.onInterrupt(values, {
        // An upload cannot be taken up where it stopped: it starts again.
        message: `upload of ${SafeText.line(values.file)} interrupted: the file is not uploaded. Upload it again with`,
        resume: ["oomol-task", "upload", values.file]
      }))
      // The stream ends with `Done` whenever it does not fail.
      if (Option.isNone(done) || done.value._tag !== "Done") return yield* Effect.die(new Error("upload ended without its URL"))
      const file = done.value.file
      yield* Output.result(values, file, () => SafeText.line(file.url))
      yield* Output.note(
        values,
        SafeText.line(`${file.file_name}, ${file.file_size} bytes, ${file.mime_type}; expires ${file.expires_at}`)
      )
    })
)
