// A TypeScript consumer of the installed packages: the Effect client and the
// Promise facade side by side. The smoke test type-checks it under `strict`
// with NodeNext and with Bundler resolution, then runs it against the emulator.
import { CloudTaskClient, Errors, Polling } from "@oomol-cloud-task/effect"
import * as UndiciHttpClient from "@oomol-cloud-task/effect/UndiciHttpClient"
import { Effect, Layer, Schema } from "effect"
import { FetchHttpClient } from "effect/http"
import { InvalidInputError, OomolTaskClient, type TaskResultResponse } from "oomol-cloud-task-sdk"

const Echo = Schema.Array(Schema.Struct({ text: Schema.String }))

const viaEffect = Effect.gen(function*() {
  const client = yield* CloudTaskClient.CloudTaskClient
  const { result } = yield* client.createAndWait(
    { packageName: "@oomol/echo", packageVersion: "1.0.0", blockName: "main", inputValues: { text: "from Effect" } },
    { schedule: Polling.fixed("200 millis"), timeout: "1 minute", resultData: Echo }
  )
  // Decoded by the schema: a string, not `unknown`.
  const text: string | undefined = result.resultData?.[0]?.text
  return text
})

// The error channel is the exact union of what creating and waiting can fail with.
type Failure = Effect.Error<typeof viaEffect>
const failures: ReadonlyArray<Failure["_tag"]> = ["InvalidInput", "ApiError", "NetworkError", "TaskMayExist", "TaskFailed", "PollTimeout"]
// @ts-expect-error an upload failure cannot come from creating and waiting
const notAFailure: Failure["_tag"] = "UploadError"

const ClientLive = CloudTaskClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
const fromEffect = await viaEffect.pipe(
  Effect.catchIf(Errors.isCloudTaskError, (error) => Effect.succeed(`failed: ${error._tag}`)),
  Effect.provide(ClientLive),
  Effect.runPromise
)
console.log(`effect: ${fromEffect}`)

// The same client on undici's dispatcher, from the module's own entry point.
const dashboard = await Effect.flatMap(CloudTaskClient.CloudTaskClient, (client) => client.getDashboard()).pipe(
  Effect.provide(CloudTaskClient.layerConfig().pipe(Layer.provide(UndiciHttpClient.layer({ timeout: "30 seconds" })))),
  Effect.runPromise
)
console.log(`effect over UndiciHttpClient: paused is a ${typeof dashboard.pause.paused}`)

const client = new OomolTaskClient({ apiKey: process.env.OOMOL_API_KEY })
const { result } = await client.createAndWait<Array<{ text: string }>>(
  { packageName: "@oomol/echo", packageVersion: "1.0.0", blockName: "main", inputValues: { text: "from the facade" } },
  { intervalMs: 200, timeoutMs: 60_000 }
)
const current: TaskResultResponse<Array<{ text: string }>> = result
if (current.status === "success") console.log(`facade: ${current.resultData?.[0]?.text}`)
await client.listTasks({ size: 0 }).catch((error: unknown) => {
  if (error instanceof InvalidInputError) console.log(`facade rejects: ${error.message}`)
})
await client.dispose()

// Never called: lines the types must refuse.
export const refused = () => {
  // @ts-expect-error a page size is a number
  void client.listTasks({ size: "10" })
  // @ts-expect-error the Effect client's options are checked too
  void Polling.exponential({ base: "1 second" })
  // @ts-expect-error internal modules are not exported
  void import("@oomol-cloud-task/effect/internal/http")
  return [failures, notAFailure]
}
