/** Faults queued per route, and what each does to a request and its answer. */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Stream from "effect/Stream"
import type { Fault } from "../Fault.js"
import type { RouteName } from "../Route.js"
import { corsHeaders } from "./http.js"
import type { Transport } from "./transport.js"

export interface FaultQueues {
  readonly add: (route: RouteName, fault: Fault) => number
  readonly take: (route: RouteName) => Fault | undefined
  readonly clear: (route?: RouteName) => void
  readonly pending: (route: RouteName) => number
}

export const makeQueues = (): FaultQueues => {
  const queues = new Map<RouteName, Array<{ readonly fault: Fault; remaining: number }>>()
  return {
    add: (route, fault) => {
      const queue = queues.get(route) ?? []
      queue.push({ fault, remaining: fault.times ?? 1 })
      queues.set(route, queue)
      return queue.length
    },
    take: (route) => {
      const queue = queues.get(route)
      const head = queue?.[0]
      if (queue === undefined || head === undefined) return undefined
      if (--head.remaining <= 0) queue.shift()
      return head.fault
    },
    clear: (route) => {
      if (route === undefined) queues.clear()
      else queues.delete(route)
    },
    pending: (route) => queues.get(route)?.length ?? 0
  }
}

const reasons: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  409: "Conflict",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout"
}
const reason = (status: number) => reasons[status] ?? "Error"

const htmlPage = (status: number) =>
  `<html>\r\n<head><title>${status} ${reason(status)}</title></head>\r\n<body>\r\n<center><h1>${status} ${
    reason(status)
  }</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`

const statusAnswer = (fault: Extract<Fault, { _tag: "Status" }>) => {
  const headers = {
    ...fault.headers,
    ...(fault.retryAfter === undefined ? {} : { "retry-after": String(fault.retryAfter) })
  }
  const options = { status: fault.status, headers }
  if (fault.body === null) return HttpServerResponse.empty(options)
  if (fault.body === undefined) {
    return HttpServerResponse.jsonUnsafe({ message: `${reason(fault.status)} (emulated fault)` }, options)
  }
  return typeof fault.body === "string"
    ? HttpServerResponse.text(fault.body, options)
    : HttpServerResponse.jsonUnsafe(fault.body, options)
}

const half = (length: number) => Math.floor(length / 2)

/** The answer's whole length and its first `take(length)` bytes (all by default). */
const bodyOf = (response: HttpServerResponse.HttpServerResponse, take: (length: number) => number = (n) => n) =>
  Effect.gen(function*() {
    const body = response.body
    switch (body._tag) {
      case "Uint8Array":
        return { bytes: body.body.subarray(0, take(body.body.length)), length: body.body.length }
      case "Stream": {
        const length = body.contentLength ?? Number(response.headers["content-length"])
        const chunks = yield* body.stream.pipe(
          Stream.flattenIterable,
          Stream.take(take(length)),
          Stream.runCollect,
          Effect.orDie
        )
        return { bytes: Uint8Array.from(chunks), length }
      }
      default:
        return { bytes: new Uint8Array(), length: 0 }
    }
  })

const withoutLength = (response: HttpServerResponse.HttpServerResponse): Record<string, string> => {
  const { "content-length": _, ...headers } = response.headers
  return headers
}

/** The same answer with another body: announced by its length, or chunked. */
const withBody = (response: HttpServerResponse.HttpServerResponse, bytes: Uint8Array, chunked = false) => {
  const options = { status: response.status, headers: withoutLength(response) }
  return chunked ? HttpServerResponse.stream(Stream.make(bytes), options) : HttpServerResponse.uint8Array(bytes, options)
}

const encoder = new TextEncoder()

/** Applies `mutate` to the answer's JSON; a body that is not JSON passes unchanged. */
const mutateJson = (response: HttpServerResponse.HttpServerResponse, mutate: (json: unknown) => unknown) =>
  Effect.map(bodyOf(response), ({ bytes }) => {
    let json: unknown
    try {
      json = JSON.parse(new TextDecoder().decode(bytes))
    } catch {
      return response
    }
    return withBody(response, encoder.encode(JSON.stringify(mutate(json))))
  })

type Json = Record<string, unknown> | Array<unknown>
const isContainer = (u: unknown): u is Json => typeof u === "object" && u !== null

const otherType = (value: unknown): unknown =>
  typeof value === "number" ? "not a number" : typeof value === "string" ? 42 : isContainer(value) ? "not an object" : 42

const breakSchema = (json: unknown, fault: Extract<Fault, { _tag: "SchemaBreak" }>): unknown => {
  const path = fault.field?.split(".")
  if (path === undefined && Array.isArray(json) && json.length === 0) return { unexpected: "an object, not a list" }
  const copy: unknown = structuredClone(json)
  let parent: unknown = copy
  const keys = path ?? []
  if (path === undefined) {
    if (Array.isArray(parent)) parent = parent[0]
    const first = isContainer(parent) ? Object.keys(parent)[0] : undefined
    if (first === undefined) return otherType(copy)
    keys.push(first)
  }
  for (const key of keys.slice(0, -1)) parent = isContainer(parent) ? (parent as Record<string, unknown>)[key] : undefined
  const last = keys[keys.length - 1]!
  if (!isContainer(parent)) return copy
  const record = parent as Record<string, unknown>
  if (fault.mode === "wrongType") record[last] = otherType(record[last])
  else delete record[last]
  return copy
}

const addField = (json: unknown, fault: Extract<Fault, { _tag: "ExtraField" }>): unknown => {
  const add = (item: unknown) =>
    isContainer(item) && !Array.isArray(item)
      ? { ...item, [fault.field ?? "unexpectedField"]: "value" in fault ? fault.value : "unexpected" }
      : item
  return Array.isArray(json) ? json.map(add) : add(json)
}

/**
 * Serves the request through `serve` as `fault` says, with `transport` for
 * what happens to the connection and `closing` completed when the emulator
 * closes (a hung request is released then).
 */
export const apply = (
  fault: Fault,
  serve: Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>,
  transport: Transport,
  closing: Deferred.Deferred<void>
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const cut = (response: HttpServerResponse.HttpServerResponse, take: (length: number) => number, full: boolean) =>
      Effect.flatMap(bodyOf(response, take), (body) =>
        transport.cut(
          request,
          response.status,
          {
            ...withoutLength(response),
            ...corsHeaders(request),
            ...(full ? { "content-length": String(body.length) } : {})
          },
          body.bytes
        ))
    switch (fault._tag) {
      case "Status":
        return statusAnswer(fault)
      case "HtmlError": {
        const status = fault.status ?? 502
        return HttpServerResponse.text(htmlPage(status), { status, contentType: "text/html" })
      }
      case "Latency":
        return yield* Effect.andThen(Effect.sleep(fault.ms), serve)
      case "Drop":
        if (fault.afterProcessing === true) yield* serve
        return yield* transport.drop(request)
      case "Hang":
        yield* Deferred.await(closing)
        return yield* transport.drop(request)
      case "DropMidBody":
        return yield* cut(yield* serve, (length) => fault.bytes ?? half(length), false)
      case "Truncated": {
        const response = yield* serve
        const take = (length: number) => fault.bytes ?? half(length)
        if (fault.contentLength === "full") return yield* cut(response, take, true)
        const { bytes } = yield* bodyOf(response, take)
        return withBody(response, bytes, fault.contentLength === "none")
      }
      case "MalformedJson": {
        const response = yield* serve
        return HttpServerResponse.text("{\"malformed\": tru", {
          status: response.status,
          headers: withoutLength(response),
          contentType: "application/json"
        })
      }
      case "SchemaBreak":
        return yield* mutateJson(yield* serve, (json) => breakSchema(json, fault))
      case "ExtraField":
        return yield* mutateJson(yield* serve, (json) => addField(json, fault))
    }
  })
