// The Effect 3 client as the request-overhead benchmark runs it, for a row
// side by side with today's: bundled by bench/effect3/build.mjs, with its own
// copy of Effect 3, from the last version of the project on Effect 3. Plain
// JavaScript, since the workspace's compiler knows only Effect 4's types.
// Same shape as bench/overhead.ts's effect client: one fiber per request,
// `concurrency` at a time, in a runtime built once, with the default options.
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { CloudTaskClient } from "@oomol-cloud-task/effect"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"

export const make = (name, { apiKey, baseUrl, taskID }) => {
  const runtime = ManagedRuntime.make(
    CloudTaskClient.layer({ apiKey: Redacted.make(apiKey), baseUrl }).pipe(Layer.provide(NodeHttpClient.layerUndici))
  )
  return {
    name,
    run: (n, concurrency, latencies) =>
      runtime.runPromise(Effect.flatMap(CloudTaskClient.CloudTaskClient, (client) => {
        const one = (i) =>
          Effect.suspend(() => {
            const started = performance.now()
            return Effect.map(client.getTaskResult(taskID), () => {
              latencies[i] = performance.now() - started
            })
          })
        return Effect.forEach(Array.from({ length: n }, (_, i) => i), one, { concurrency, discard: true })
      })),
    close: () => runtime.dispose()
  }
}
