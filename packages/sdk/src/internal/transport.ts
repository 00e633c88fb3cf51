/**
 * The HTTP client the facade sends with: the one place that choice is made.
 * Every runtime has `fetch`; the Node entry point adds a faster transport of
 * its own (see `nodeTransport.ts`), used unless the caller passes a `fetch`.
 */
import { CloudTaskClient, type Errors } from "@oomol-cloud-task/effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import type { ClientOptions } from "../Types.js"
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

/** The caller's `fetch` when given, else the global one (looked up at each request). */
const fetchLayer = (fetch: typeof globalThis.fetch | undefined): Layer.Layer<HttpClient.HttpClient> =>
  FetchHttpClient.layer.pipe(
    Layer.provide(Layer.succeed(FetchHttpClient.Fetch, fetch === undefined ? globalFetch : asOfficialFetch(fetch)))
  )

/** The Effect client a facade client runs: on the runtime's own transport, or on `fetch`. */
export const clientLayer = (options: ClientOptions): Layer.Layer<CloudTaskClient.CloudTaskClient, Errors.InvalidInput> =>
  options.fetch === undefined && native !== undefined
    ? native(clientOptions(options))
    : CloudTaskClient.layer(clientOptions(options)).pipe(Layer.provide(fetchLayer(options.fetch)))
