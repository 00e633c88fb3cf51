/**
 * The facade's transport in Node: the Effect client on undici, through
 * `@effect/platform-node`'s `NodeHttpClient`. Node's global `fetch` is undici
 * too, behind a WHATWG layer that costs about three times the CPU of the
 * request itself; `pnpm bench` measures the difference.
 *
 * undici is loaded on a client's first request, so importing the package
 * stays fast.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { CloudTaskClient } from "@oomol-cloud-task/effect"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { ClientLayer } from "./transport.js"

const load = Effect.promise(() => import("./undici.js"))

/**
 * The Effect client on one undici `Agent` per facade client, destroyed by
 * `dispose()`. The request timeout is the agent's: no answer (`headersTimeout`)
 * or no more of the body (`bodyTimeout`) within it fails the request, with no
 * timer of the client's own. Parts go out without it: the upload gives each
 * part a timeout of its own, and follows a redirect as fetch would.
 */
export const layer: ClientLayer = (options) =>
  Layer.scoped(
    CloudTaskClient.CloudTaskClient,
    Effect.gen(function*() {
      const Undici = yield* load
      const agent = yield* Effect.acquireRelease(
        Effect.sync(() => new Undici.Agent()),
        (agent) => Effect.promise(() => agent.destroy())
      )
      // A timeout of 0 would switch undici's off: the shortest it takes is 1 ms.
      const timeout = options.requestTimeout === false
        ? 0
        : Math.max(1, Duration.toMillis(Duration.decode(options.requestTimeout ?? "30 seconds")))
      const api = Undici.makeUndici(
        agent.compose((dispatch) => (request, handler) =>
          // NodeHttpClient sets both on every request; these replace them.
          dispatch({ ...request, headersTimeout: timeout, bodyTimeout: timeout }, handler)
        )
      )
      const parts = Undici.makeUndici(agent.compose(Undici.interceptors.redirect({ maxRedirections: 20 })))
      const settings = yield* Effect.provideService(
        CloudTaskClient.settings({ ...options, requestTimeout: false }),
        HttpClient.HttpClient,
        api
      )
      return CloudTaskClient.fromSettings({ ...settings, client: parts }, options)
    })
  )
