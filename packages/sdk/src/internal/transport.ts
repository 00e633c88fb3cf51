/**
 * The HTTP client the facade sends with: the one place that choice is made.
 * Every runtime has `fetch`; the Node entry point adds a faster transport of
 * its own (see `nodeTransport.ts`), used unless the caller passes a `fetch`.
 */
import * as CloudTaskClient from "@oomol-cloud-task/effect/CloudTaskClient"
import * as Errors from "@oomol-cloud-task/effect/Errors"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import type { ClientOptions } from "../Options.js"
import { clientOptions } from "./options.js"

/** The Effect client on a transport, from the Effect client's options. */
export type ClientLayer = (
  options: CloudTaskClient.Options
) => Layer.Layer<CloudTaskClient.CloudTaskClient, Errors.InvalidInput>

// Set by the Node entry point only, so a browser bundle never carries it.
let native: ClientLayer | undefined

/** Makes `make` the transport of clients given no `fetch`: called once by the Node entry point. */
export const provideNative = (make: ClientLayer): void => {
  native = make
}

/**
 * A caller's `fetch`, called as the official SDK called it: a URL string and a
 * `Headers` object, so a wrapper that reads `url.startsWith(…)` or
 * `init.headers.get(…)` keeps working.
 */
const asOfficialFetch = (fetch: typeof globalThis.fetch): typeof globalThis.fetch => (input, init) =>
  fetch(input instanceof URL ? input.href : input, init === undefined ? init : { ...init, headers: new Headers(init.headers) })

// Effect's default `Fetch` is `globalThis.fetch` as it was on the first request
// of the process; a stub or polyfill installed later must still be used.
const globalFetch: typeof globalThis.fetch = (input, init) => globalThis.fetch(input, init)

/**
 * The Effect client on Effect's fetch client, whose `Fetch` is the caller's
 * `fetch` when given, else the global one (looked up at each request). Built
 * within the client's layer rather than joined by `Layer.provide`, whose
 * merging would follow it into every browser bundle.
 */
const onFetch = (
  options: CloudTaskClient.Options,
  fetch: typeof globalThis.fetch | undefined
): Layer.Layer<CloudTaskClient.CloudTaskClient, Errors.InvalidInput> =>
  Layer.effect(
    CloudTaskClient.CloudTaskClient,
    Effect.flatMap(
      Effect.provideService(
        Layer.build(FetchHttpClient.layer),
        FetchHttpClient.Fetch,
        fetch === undefined ? globalFetch : asOfficialFetch(fetch)
      ),
      (http) => Effect.provideContext(CloudTaskClient.make(options), http)
    )
  )

/**
 * The Effect client a facade client runs: on the runtime's own transport, or
 * on `fetch`. A `fetch` that is not a function fails every call at once, as an
 * invalid base URL does (`null` is no `fetch`, as the official SDK reads it).
 */
export const clientLayer = (options: ClientOptions): Layer.Layer<CloudTaskClient.CloudTaskClient, Errors.InvalidInput> => {
  const fetch: unknown = options.fetch ?? undefined
  if (fetch !== undefined && typeof fetch !== "function") {
    const refused = new Errors.InvalidInput({ message: "fetch must be a function" })
    return Layer.effect(CloudTaskClient.CloudTaskClient, Effect.fail(refused))
  }
  return fetch === undefined && native !== undefined
    ? native(clientOptions(options))
    : onFetch(clientOptions(options), fetch as typeof globalThis.fetch | undefined)
}
