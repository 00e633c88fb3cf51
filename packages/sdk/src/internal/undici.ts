/**
 * What the Node transport takes from undici, in one module so the bundle
 * splits it into one chunk, loaded on a client's first request.
 */
export { makeUndici } from "@effect/platform-node/NodeHttpClient"
export { Agent, interceptors } from "@effect/platform-node/Undici"
