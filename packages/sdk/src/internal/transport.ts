/**
 * The HTTP client the facade sends with: the one place that choice is made, so
 * it can become a per-runtime export (a Node client, the browser's fetch).
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Layer from "effect/Layer"

/**
 * A caller's `fetch`, called as the official SDK called it: a URL string and a
 * `Headers` object, so a wrapper that reads `url.startsWith(…)` or
 * `init.headers.get(…)` keeps working.
 */
const asOfficialFetch = (fetch: typeof globalThis.fetch): typeof globalThis.fetch => (input, init) =>
  fetch(input instanceof URL ? input.href : input, init === undefined ? init : { ...init, headers: new Headers(init.headers) })

/** The HTTP client: the caller's `fetch` when given, else the global one (looked up at each request). */
export const layer = (fetch: typeof globalThis.fetch | undefined): Layer.Layer<HttpClient.HttpClient> =>
  fetch === undefined
    ? FetchHttpClient.layer
    : FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, asOfficialFetch(fetch))))
