/**
 * The request timeout, whichever side keeps it: the client (a timer per
 * request that closes the request's scope, see `http.ts`), or a transport
 * that keeps a timer per request of its own (`UndiciHttpClient`), to which
 * the client hands its timeout so that no request carries two.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Duration from "effect/Duration"

/**
 * A timeout as a timer can keep it: none when it is zero or infinite, and at
 * most setTimeout's range (about 24.8 days), beyond which a timer fires at once.
 */
export const asTimer = (timeout: Duration.Duration): Duration.Duration | undefined =>
  Duration.isFinite(timeout) && Duration.greaterThan(timeout, Duration.zero)
    ? Duration.min(timeout, Duration.millis(2 ** 31 - 1))
    : undefined

/**
 * The code on the cause of a request given up on before it was written to a
 * connection (still queued, or still connecting): the service never saw it.
 */
export const NOT_SENT = "OOMOL_REQUEST_NOT_SENT"

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
