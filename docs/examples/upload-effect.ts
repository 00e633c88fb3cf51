// Uploading with the Effect client: a file from disk or a stream of bytes, progress as a
// Stream, retries as a Schedule, cancelling by interruption.
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { CloudTaskClient, Upload } from "@oomol-cloud-task/effect"
import { Console, Effect, Layer, Schedule, Stream } from "effect"
import { FetchHttpClient } from "effect/http"

// A file on disk: needs a FileSystem, only for this kind of source.
const fromDisk = Effect.gen(function*() {
  const client = yield* CloudTaskClient.CloudTaskClient
  const file = yield* client.upload(Upload.fromPath("./report.pdf"), { concurrency: 8 })
  yield* Console.log(file.url, file.expires_at, file.mime_type)
})

// Progress: `Progress` events (bytes sent, never going back), then `Done`.
const withProgress = Effect.gen(function*() {
  const client = yield* CloudTaskClient.CloudTaskClient
  yield* client.uploadWithProgress(Upload.fromPath("./video.mp4")).pipe(
    Stream.runForEach((event) =>
      event._tag === "Progress"
        ? Console.log(`${((event.sent / event.total) * 100).toFixed(1)}%`)
        : Console.log(`done: ${event.file.url}`)
    )
  )
})

// A stream of known size (here generated), with a retry schedule of your own: any
// Schedule fed with each part's failure; only failures that can heal are retried.
const fromStream = Effect.gen(function*() {
  const client = yield* CloudTaskClient.CloudTaskClient
  const size = 64 * 1024 * 1024
  const bytes = Stream.range(1, size / 65536).pipe(Stream.map(() => new Uint8Array(65536)))
  return yield* client.upload(Upload.fromStream(bytes, size), {
    name: "zeros.bin",
    retry: Schedule.exponential("200 millis").pipe(Schedule.jittered, Schedule.upTo({ times: 5 }))
  })
}).pipe(
  // Interrupting the upload (here: a deadline) aborts every part in flight.
  Effect.timeout("2 minutes")
)

const ClientLive = CloudTaskClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))

Effect.all([fromDisk, withProgress, fromStream], { discard: true }).pipe(
  Effect.provide(ClientLive),
  Effect.provide(NodeFileSystem.layer),
  Effect.runPromise
)
