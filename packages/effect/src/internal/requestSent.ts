/**
 * Whether a failed request can have reached the service, the fact a task
 * creation turns on: sent again, a creation the service never saw is safe; one
 * it may have seen could run (and bill) the task twice.
 *
 * A transport that knows says so through {@link Written} (UndiciHttpClient sees
 * the moment a request is handed to a connected socket). For any other, the
 * failure's cause tells: a failure that proves nothing left the machine (no
 * address, no connection, a TLS handshake refused, a header, URL or port the
 * platform refuses) is not sent; any other failure may have been seen.
 */
import * as Context from "effect/Context"

/**
 * What a transport records of one request: `false` when it starts sending,
 * `true` once any of it may be on the wire. Left `undefined` by a transport
 * that cannot tell.
 */
export interface Written {
  written: boolean | undefined
}

/** The record of the request being sent, provided by the client around each try. */
export const CurrentWritten = Context.Reference<Written | undefined>("@oomol-cloud-task/effect/RequestWritten", {
  defaultValue: () => undefined
})

// A request the platform refuses to build (an invalid header, URL or argument):
// never sent, and sending it again builds it the same way.
const unbuildableCodes: ReadonlySet<string> = new Set([
  "UND_ERR_INVALID_ARG",
  "ERR_INVALID_CHAR",
  "ERR_INVALID_HTTP_TOKEN",
  "ERR_HTTP_INVALID_HEADER_VALUE",
  "ERR_INVALID_URL",
  "ERR_UNESCAPED_CHARACTERS",
  "ERR_INVALID_ARG_TYPE",
  "ERR_INVALID_ARG_VALUE"
])

// Codes of a failure before any byte of the request was written: resolving the
// host, connecting, the TLS handshake, or a request the platform refuses to build.
const neverSentCodes: ReadonlySet<string> = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_FAIL",
  "EAI_NONAME",
  "EAI_NODATA",
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ENETDOWN",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
  "EPROTO",
  ...unbuildableCodes
])

// TLS: Node's own codes, and OpenSSL's certificate verification results
// (DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE, …).
const tlsCode = /^(ERR_TLS_|ERR_SSL_)|CERT|_SIGNATURE$|^HOSTNAME_MISMATCH$|^INVALID_CA$/

// Messages of a refusal without a code: fetch (undici) blocks some ports before connecting.
const neverSentMessages: ReadonlySet<string> = new Set(["bad port"])

type Link = { readonly code?: unknown; readonly message?: unknown }

/** `cause`, then its causes (an `AggregateError`'s errors too), at most 16 in all. */
export const causeChain = (cause: unknown): ReadonlyArray<Link> => {
  const chain: Array<Link> = []
  const pending: Array<unknown> = [cause]
  while (pending.length > 0 && chain.length < 16) {
    const current = pending.shift()
    if (typeof current !== "object" || current === null || chain.includes(current)) continue
    chain.push(current)
    pending.push((current as { readonly cause?: unknown }).cause)
    const errors = (current as { readonly errors?: unknown }).errors
    if (Array.isArray(errors)) pending.push(...errors)
  }
  return chain
}

const matches = (cause: unknown, codes: ReadonlySet<string>): boolean =>
  causeChain(cause).some((link) =>
    (typeof link.code === "string" && (codes.has(link.code) || tlsCode.test(link.code))) ||
    (typeof link.message === "string" && neverSentMessages.has(link.message))
  )

/** Whether `cause` proves the request never left the machine. */
export const neverSent = (cause: unknown): boolean => matches(cause, neverSentCodes)

/**
 * Whether `cause` is a failure that sending again cannot heal: a certificate
 * no one trusts, a port the platform blocks, a request it refuses to build.
 * A host that did not resolve or a connection refused may heal; these do not.
 */
export const cannotHeal = (cause: unknown): boolean => matches(cause, unbuildableCodes)

/**
 * Whether a request that failed with `cause` may have reached the service:
 * what its transport recorded when it knows, else whatever the cause does not
 * rule out.
 */
export const mayHaveBeenSent = (written: Written | undefined, cause: unknown): boolean =>
  written?.written ?? !neverSent(cause)
