/**
 * What a fault does to the connection itself, over a real socket or in
 * process.
 *
 * Over a socket the Node response is reached directly: the socket is
 * destroyed, or headers and part of a body are written before it is. In
 * process there is no socket, so the answer carries a marker header that the
 * in-process `fetch` turns into what a socket client would see: a rejected
 * `fetch`, or a body that errors after its first bytes.
 */
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Effect from "effect/Effect"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import type * as Http from "node:http"

export interface Transport {
  /** Close the connection without an answer. */
  readonly drop: (request: HttpServerRequest.HttpServerRequest) => Effect.Effect<HttpServerResponse.HttpServerResponse>
  /** Send the status, the headers and `prefix`, then close the connection. */
  readonly cut: (
    request: HttpServerRequest.HttpServerRequest,
    status: number,
    headers: Readonly<Record<string, string>>,
    prefix: Uint8Array
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse>
}

// Closing the socket interrupts the request's fiber: wait for that.
const closed: Effect.Effect<HttpServerResponse.HttpServerResponse> = Effect.never

// The emulator's server is a plain HTTP/1 `http.Server`, never an HTTP/2 one.
const serverResponse = (request: HttpServerRequest.HttpServerRequest) =>
  NodeHttpServerRequest.toServerResponse(request) as Http.ServerResponse

export const socket: Transport = {
  drop: (request) =>
    Effect.suspend(() => {
      serverResponse(request).destroy()
      return closed
    }),
  cut: (request, status, headers, prefix) =>
    Effect.suspend(() => {
      const response = serverResponse(request)
      response.writeHead(status, headers)
      response.flushHeaders()
      response.write(prefix, () => response.destroy())
      return closed
    })
}

const MARKER = "x-oomol-emulator-transport"

export const inProcess: Transport = {
  drop: () => Effect.succeed(HttpServerResponse.empty({ status: 502, headers: { [MARKER]: "drop" } })),
  cut: (_request, status, headers, prefix) =>
    Effect.succeed(HttpServerResponse.uint8Array(prefix, { status, headers: { ...headers, [MARKER]: "cut" } }))
}

const socketClosed = () =>
  new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) })

/**
 * A `fetch` served by `handler` with no socket. Only URLs of `origin` are
 * served (anything else is a client bug and rejects); `closing` rejects the
 * requests still waiting when the emulator closes.
 */
export const inProcessFetch = (
  handler: (request: Request) => Promise<Response>,
  origin: string,
  closing: AbortSignal
): typeof globalThis.fetch =>
async (input, init) => {
  const request = new Request(input, init)
  if (new URL(request.url).origin !== origin) {
    throw new TypeError(`fetch failed: ${request.url} is not served by the in-process emulator at ${origin}`)
  }
  if (request.signal.aborted) throw request.signal.reason
  const stop = new AbortController()
  const abandon = (reason: unknown) => stop.abort(reason)
  const onAbort = () => abandon(request.signal.reason)
  const onClose = () => abandon(socketClosed())
  request.signal.addEventListener("abort", onAbort, { once: true })
  closing.addEventListener("abort", onClose, { once: true })
  try {
    const served = handler(new Request(request, { signal: stop.signal }))
    const stopped = new Promise<never>((_, reject) => {
      if (stop.signal.aborted) reject(stop.signal.reason)
      stop.signal.addEventListener("abort", () => reject(stop.signal.reason), { once: true })
    })
    const response = await Promise.race([served, stopped])
    const transport = response.headers.get(MARKER)
    if (transport === null) return response
    if (transport === "drop") throw socketClosed()
    const headers = new Headers(response.headers)
    headers.delete(MARKER)
    const prefix = new Uint8Array(await response.arrayBuffer())
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        if (prefix.length > 0) controller.enqueue(prefix)
      },
      pull(controller) {
        controller.error(new TypeError("terminated", { cause: socketClosed().cause }))
      }
    })
    return new Response(body, { status: response.status, headers })
  } finally {
    request.signal.removeEventListener("abort", onAbort)
    closing.removeEventListener("abort", onClose)
  }
}
