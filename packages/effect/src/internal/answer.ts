/**
 * Reading an answer's body within a bound, so that an answer larger than any
 * the API gives is refused instead of read into memory: a `Content-Length`
 * past the bound is not read at all; a body of unknown length is read chunk by
 * chunk and given up as soon as it passes the bound.
 */
import * as Effect from "effect/Effect"
import type * as Headers from "effect/http/Headers"
import type * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Stream from "effect/Stream"

/** An answer's status, headers and text; `text` is undefined when the body was larger than the bound (and left unread). */
export interface Answer {
  readonly status: number
  readonly headers: Headers.Headers
  readonly text: string | undefined
}

/** Undici's code for an answer past a dispatcher's `maxResponseSize`; UndiciHttpClient's for one past `MaxBodySize`. */
export const tooLargeCode = "UND_ERR_RES_EXCEEDED_MAX_SIZE"

const declaredLength = (headers: Headers.Headers): number | undefined => {
  const value = headers["content-length"]
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined
}

// A compressed body's length says nothing of what it decodes to.
const isEncoded = (headers: Headers.Headers) => {
  const encoding = headers["content-encoding"]
  return encoding !== undefined && encoding.trim().toLowerCase() !== "identity"
}

class TooLarge {
  readonly _tag = "TooLarge"
}

/** `response`'s body as text, unless it is larger than `maxBytes` bytes. */
export const read = (
  response: HttpClientResponse.HttpClientResponse,
  maxBytes: number
): Effect.Effect<Answer, HttpClientError.HttpClientError> => {
  const answer = (text: string | undefined): Answer => ({ status: response.status, headers: response.headers, text })
  const length = declaredLength(response.headers)
  if (length !== undefined && !isEncoded(response.headers)) {
    // One chunk is read and the rest dropped, so the transport closes the connection now.
    // A compressed body whose encoding a browser hides (a cross-origin answer that does not
    // expose Content-Encoding) can still decode to more: it is refused before it is parsed.
    return length <= maxBytes
      ? Effect.map(response.text, (text) => answer(text.length > maxBytes ? undefined : text))
      // (Not Effect.ignore, whose logging option would bring Effect's logger into a browser bundle.)
      // (The first chunk stops the read: Stream.take and Stream.runDrain are in no other browser code.)
      : Effect.catch(
        Effect.as(Stream.runForEach(response.stream, () => Effect.fail(new TooLarge())), answer(undefined)),
        () => Effect.succeed(answer(undefined))
      )
  }
  return Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let total = 0
    return Stream.runForEach(response.stream, (chunk) => {
      total += chunk.byteLength
      if (total > maxBytes) return Effect.fail(new TooLarge())
      chunks.push(chunk)
      return Effect.void
    }).pipe(
      Effect.map(() => {
        const bytes = new Uint8Array(total)
        let at = 0
        for (const chunk of chunks) {
          bytes.set(chunk, at)
          at += chunk.byteLength
        }
        // As fetch decodes a body: UTF-8, a byte order mark dropped.
        return answer(new TextDecoder().decode(bytes))
      }),
      // (Not Effect.catchTag, which no other browser code needs.)
      Effect.catch((error) => error instanceof TooLarge ? Effect.succeed(answer(undefined)) : Effect.fail(error))
    )
  })
}
