/**
 * How a transport's failure becomes the client's `NetworkError`: the cause's
 * own words (never the request, which holds the headers), and whether the
 * request may have reached the service.
 */
import * as Effect from "effect/Effect"
import type * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import { NetworkError } from "../Errors.js"
import * as Answers from "./answer.js"
import * as Sent from "./requestSent.js"

/**
 * A transport failure as the client reports it: the cause's own words, never
 * the request. `sent` is what the transport recorded of the request, when it
 * can tell (see `requestSent.ts`).
 */
export const networkError = (cause: unknown, what: string, sent?: Sent.Written): NetworkError => {
  const chain = Sent.causeChain(cause)
  const deepest = [...chain].reverse().find((c) => typeof c.message === "string" && c.message !== "")
  const reason = deepest === undefined ? "the connection failed" : String(deepest.message)
  return new NetworkError({
    message: `${what} failed: ${reason}`,
    requestSent: Sent.mayHaveBeenSent(sent, cause),
    ...(cause === undefined ? {} : { cause })
  })
}

const isTooLarge = (cause: unknown) => Sent.causeChain(cause).some((c) => c.code === Answers.tooLargeCode)

/**
 * The one mapping of an `HttpClientError`. It keeps the transport's cause,
 * never the error itself: that holds the request, and so the headers. An
 * answer the transport refused as too large is an answer, with its status.
 */
export const fromClientError = (
  error: HttpClientError.HttpClientError,
  what: string,
  sent: Sent.Written
): Effect.Effect<Answers.Answer, NetworkError> => {
  const { reason } = error
  switch (reason._tag) {
    case "TransportError":
      return Effect.fail(networkError(reason.cause, what, sent))
    // The request could not be built: nothing was sent.
    case "EncodeError":
    case "InvalidUrlError":
      return Effect.fail(networkError(reason.cause, what, { written: false }))
    default: {
      const response: HttpClientResponse.HttpClientResponse | undefined = "response" in reason ? reason.response : undefined
      if (response !== undefined && isTooLarge(reason.cause)) {
        return Effect.succeed({ status: response.status, headers: response.headers, text: undefined })
      }
      return Effect.fail(
        new NetworkError({
          message: `${what} failed: the connection dropped while reading the answer`,
          requestSent: true,
          ...(reason.cause === undefined ? {} : { cause: reason.cause })
        })
      )
    }
  }
}
