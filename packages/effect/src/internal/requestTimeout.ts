/**
 * The request timeout, whichever side keeps it: the client (a timer per
 * request that closes the request's scope, see `http.ts`), or a transport
 * that keeps a timer per request of its own (`UndiciHttpClient`), to which
 * the client hands its timeout so that no request carries two.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Duration from "effect/Duration"

/** How a request that got no answer in time is described, whoever kept the time. */
export const noAnswerWithin = (timeout: Duration.Duration): string => `no answer within ${Duration.format(timeout)}`

/** Marks an `HttpClient` that can keep a request timeout itself. */
export const TypeId: unique symbol = Symbol.for("@oomol-cloud-task/effect/RequestTimeout")

/** An `HttpClient` that can keep a request timeout itself. */
export interface KeepsTime {
  /** The same client, every request of which fails once `timeout` passes without its whole answer. */
  readonly [TypeId]: (timeout: Duration.Duration) => HttpClient.HttpClient
}

/**
 * `client` and the timeout still to keep around its requests: a client that
 * can keep `timeout` itself comes back keeping it, with nothing left to keep.
 * Decided once per client, so a request pays nothing for it.
 */
export const handOver = (
  client: HttpClient.HttpClient,
  timeout: Duration.Duration | false
): { readonly client: HttpClient.HttpClient; readonly timeout: Duration.Duration | false } =>
  timeout !== false && TypeId in client
    ? { client: (client as HttpClient.HttpClient & KeepsTime)[TypeId](timeout), timeout: false }
    : { client, timeout }
