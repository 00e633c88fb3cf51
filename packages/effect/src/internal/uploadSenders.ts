/**
 * The two ways a part's bytes travel to its presigned URL: through an
 * `HttpClient` (anywhere), or through `XMLHttpRequest` (in a browser, where
 * its upload events tell how many bytes of the part have gone).
 *
 * Neither carries the client's headers or cookies: a presigned URL is its own
 * credential, usually on another host.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpBody from "effect/http/HttpBody"
import type * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Failure from "@oomol-cloud-task/contract/Failure"
import { ApiError, NetworkError, type RequestError, UploadError } from "../Errors.js"
import * as Request from "./request.js"
import * as Routing from "./routing.js"
import type { PartBody } from "./uploadSource.js"

/** One PUT of a part. */
export interface PartRequest {
  readonly url: string
  readonly body: PartBody
  /** How long this try may take; past it, the sender fails with a `NetworkError`. */
  readonly timeout: Duration.Duration
  /** Called with how many bytes of this part have gone so far, when the sender can tell. */
  readonly onProgress: (sent: number) => void
}

/**
 * Sends the bytes of one part, within its timeout; the upload wraps it with
 * retries and progress. A request failure is tried again when it can heal; an
 * `UploadError` (the part's bytes could not be read) ends the upload as it is.
 */
export interface PartSender {
  readonly send: (request: PartRequest) => Effect.Effect<void, RequestError | UploadError>
}

const contentType = "application/octet-stream"

/**
 * A part of a `Blob` read into memory. A `File` whose file changed on disk
 * after it was picked (or `fs.openAsBlob`'s, after it was opened) can no
 * longer be read: the upload fails with the reason, never a defect.
 */
const readBlob = (blob: Blob): Effect.Effect<ArrayBuffer, UploadError> =>
  Effect.tryPromise({
    try: () => blob.arrayBuffer(),
    catch: (cause) =>
      new UploadError({
        code: Failure.UploadErrorCode.UPLOAD_FAILED,
        message: `Cannot read the file: ${cause instanceof Error ? cause.message : String(cause)}`,
        cause
      })
  })

/**
 * Parts through an `HttpClient`, bare: no cookies (`credentials: "omit"`), no
 * headers of a fetch `RequestInit`, no trace headers, and no span of its own,
 * since the span would record the presigned URL's signature. A presigned PUT
 * carries nothing secret, so a redirect (an object store's 307) may be
 * followed. A `Blob` part is read into memory first, as only fetch can send
 * one as it is.
 */
export const httpPartSender = (client: HttpClient.HttpClient): PartSender => {
  const bare = Routing.route(client, { credentials: "omit", followRedirects: true, fetchHeaders: "drop", hiddenHeaders: [] })
  // One sender per timeout: every upload of a client usually shares one.
  const senders = new Map<number, Request.Sender>()
  const senderFor = (timeout: Duration.Duration) => {
    const key = Duration.toMillis(timeout)
    let sender = senders.get(key)
    if (sender === undefined) {
      sender = Request.sender(bare.client, { timeout, context: bare.context })
      senders.set(key, sender)
    }
    return sender
  }
  return {
    send: ({ body, onProgress, timeout, url }) =>
      Effect.gen(function*() {
        const bytes = body instanceof Uint8Array ? body : new Uint8Array(yield* readBlob(body))
        yield* senderFor(timeout).send(HttpClientRequest.put(url, { body: HttpBody.uint8Array(bytes, contentType) }))
        onProgress(bytes.length)
      })
  }
}

const pathOf = (url: string) => (URL.canParse(url) ? new URL(url).pathname : "the part URL")

/**
 * Parts through `XMLHttpRequest`, with its upload progress events. Cookies
 * stay home (`withCredentials` is false) and a `Blob` is sent as it is, never
 * read into memory. Interrupting the effect aborts the request.
 */
export const xhrPartSender: PartSender = {
  send: ({ body, onProgress, timeout, url }) =>
    Effect.callback<void, RequestError>((resume) => {
      const xhr = new XMLHttpRequest()
      xhr.open("PUT", url)
      xhr.timeout = Duration.toMillis(timeout)
      xhr.setRequestHeader("Content-Type", contentType)
      xhr.upload.onprogress = (event) => onProgress(event.loaded)
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) return resume(Effect.void)
        const text = xhr.responseText
        resume(Effect.fail(
          new ApiError({ status: xhr.status, body: text === "" ? undefined : text, message: `Request failed: ${xhr.status}` })
        ))
      }
      xhr.onerror = () =>
        resume(Effect.fail(
          new NetworkError({ message: `PUT ${pathOf(url)} failed: the connection failed`, requestSent: true })
        ))
      xhr.ontimeout = () =>
        resume(Effect.fail(
          new NetworkError({ message: `PUT ${pathOf(url)} failed: ${Request.noAnswerWithin(timeout)}`, requestSent: true })
        ))
      xhr.send(body as XMLHttpRequestBodyInit)
      return Effect.sync(() => xhr.abort())
    })
}
