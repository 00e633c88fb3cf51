// The Effect 3 client as the request-overhead benchmark runs it, for a row
// side by side with today's: bundled by bench/effect3/build.mjs, with its own
// copy of Effect 3, from the last version of the project on Effect 3, and run
// through the same harness as today's (bench/effectClient.ts), with the
// default options. Plain JavaScript, since the workspace's compiler knows
// only Effect 4's types.
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { CloudTaskClient } from "@oomol-cloud-task/effect"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { effectClient } from "../effectClient.ts"

export const make = (name, { apiKey, baseUrl, taskID }) => {
  const layer = CloudTaskClient.layer({ apiKey: Redacted.make(apiKey), baseUrl }).pipe(Layer.provide(NodeHttpClient.layerUndici))
  return effectClient(name, Effect, ManagedRuntime.make(layer), CloudTaskClient.CloudTaskClient, taskID)
}
