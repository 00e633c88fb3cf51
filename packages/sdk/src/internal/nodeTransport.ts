/**
 * The facade's transport in Node: the Effect client on undici's dispatcher
 * (`UndiciHttpClient`) instead of the global `fetch`, whose WHATWG layer costs
 * about twice the CPU of the request under it (`pnpm bench`). undici and the
 * client on it are loaded on a client's first request, so importing the
 * package stays fast.
 */
import * as CloudTaskClient from "@oomol-cloud-task/effect/CloudTaskClient"
import * as Upload from "@oomol-cloud-task/effect/Upload"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import type { ClientLayer } from "./transport.js"

/**
 * The Effect client on an undici `Agent` of its own, destroyed by `dispose()`.
 * API requests keep the client's request timeout; part PUTs follow redirects,
 * as fetch would, and have no timeout but the upload's own for each part.
 */
export const layer: ClientLayer = (options) =>
  Layer.unwrap(
    Effect.gen(function*() {
      const [undici, UndiciHttpClient] = yield* Effect.promise(() =>
        Promise.all([import("undici"), import("@oomol-cloud-task/effect/UndiciHttpClient")])
      )
      // undici is CommonJS: its exports are the module's default, in Node and in a bundle's chunk alike.
      const { Agent, interceptors } = undici.default
      const agent = yield* Effect.acquireRelease(
        Effect.sync(() => new Agent()),
        (agent) => Effect.promise(() => agent.destroy())
      )
      const api = yield* UndiciHttpClient.make({ dispatcher: agent })
      const parts = yield* UndiciHttpClient.make({
        dispatcher: agent.compose(interceptors.redirect({ maxRedirections: 20 }))
      })
      return CloudTaskClient.layer(options).pipe(
        Layer.provide(Layer.succeed(Upload.PartClient, parts)),
        Layer.provide(Layer.succeed(HttpClient.HttpClient, api))
      )
    })
  )
