/**
 * The facade's transport in Node: the Effect client on undici's dispatcher
 * (see `undici.ts`) instead of the global `fetch`, whose WHATWG layer costs
 * about twice the CPU of the request under it (`pnpm bench`). undici is loaded
 * on a client's first request, so importing the package stays fast.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { CloudTaskClient } from "@oomol-cloud-task/effect"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { ClientLayer } from "./transport.js"

/**
 * The Effect client on an undici `Agent` of its own, destroyed by
 * `dispose()`. The request timeout is undici's (no answer, or no more of the
 * body, within it), so the Effect client keeps no timer per request.
 */
export const layer: ClientLayer = (options) =>
  Layer.scoped(
    CloudTaskClient.CloudTaskClient,
    Effect.gen(function*() {
      const Undici = yield* Effect.promise(() => import("./undici.js"))
      const { api, parts } = yield* Undici.clients(
        options.requestTimeout === false ? undefined : Duration.decode(options.requestTimeout ?? "30 seconds")
      )
      const settings = yield* Effect.provideService(
        CloudTaskClient.settings({ ...options, requestTimeout: false }),
        HttpClient.HttpClient,
        api
      )
      return CloudTaskClient.fromSettings({ ...settings, client: parts }, options)
    })
  )
