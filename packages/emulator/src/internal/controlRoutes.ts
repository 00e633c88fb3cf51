/**
 * The `/_emulator/…` control endpoints, served from their description
 * (`Control.Api`): the Service's operations over HTTP, without credentials.
 */
import * as Effect from "effect/Effect"
import type * as FileSystem from "effect/FileSystem"
import * as Etag from "effect/http/Etag"
import * as Headers from "effect/http/Headers"
import * as HttpPlatform from "effect/http/HttpPlatform"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import { HttpApiSchemaError } from "effect/http-api/HttpApiError"
import * as Layer from "effect/Layer"
import * as Path from "effect/Path"
import type * as Scope from "effect/Scope"
import type { unhandled } from "effect/Types"
import * as Control from "../Control.js"
import type { Engine } from "./engine.js"
import { describe } from "./http.js"

const handlers = (engine: Engine) =>
  HttpApiBuilder.group(Control.Api, "control", (handlers) =>
    handlers.handleAll({
      fault: ({ payload: { fault, route } }) =>
        Effect.sync(() => {
          engine.faults.add(route, fault)
          return { pending: engine.faults.pending(route) }
        }),
      clearFaults: ({ payload }) => Effect.as(Effect.sync(() => engine.faults.clear(payload.route)), {}),
      defineBlock: ({ payload }) => Effect.as(Effect.sync(() => engine.blocks.define(payload)), {}),
      advance: ({ payload }) =>
        Effect.sync(() => {
          engine.clock.advance(payload.ms)
          return { now: engine.now() }
        }),
      now: () => Effect.sync(() => ({ now: engine.now() })),
      counters: () => Effect.sync(engine.counters),
      requestLog: ({ query }) => Effect.sync(() => ({ requests: engine.requestLog(query.route) })),
      partUploads: () => Effect.sync(() => ({ parts: engine.uploads.partUploads() })),
      seedSharedTask: ({ payload }) => Effect.sync(() => ({ taskID: engine.seedSharedTask(payload) })),
      configureQueue: ({ payload }) => Effect.sync(() => engine.configureQueue(payload)),
      reset: () => Effect.as(engine.reset, {})
    }))

// What did not decode, named as the task API's 400s name it: `route must be one of …`.
const what: Record<HttpApiSchemaError["kind"], string | undefined> = {
  Payload: "request body",
  Query: "query",
  Params: "path",
  Headers: "headers",
  // The emulator's own answers failing to encode are its bug: a 500, not a refusal.
  Body: undefined,
  ResponseHeaders: undefined
}

/** A request that did not decode, as a refusal; anything else is left as it is. */
const refusal = (error: unknown): Control.InvalidRequest | undefined => {
  if (!HttpApiSchemaError.is(error)) return undefined
  const part = what[error.kind]
  if (part === undefined) return undefined
  // A body that is not JSON at all fails before its schema (a bare value issue at
  // the root); said as the task API says it.
  if (error.kind === "Payload" && error.cause.issue._tag === "InvalidValue") {
    return new Control.InvalidRequest({ message: "Request body is not valid JSON" })
  }
  return new Control.InvalidRequest({ message: describe(error.cause, part) })
}

const json = (request: HttpServerRequest.HttpServerRequest) =>
  request.modify({ headers: Headers.set(request.headers, "content-type", "application/json") })

const requestDecoding = Layer.succeed(Control.RequestDecoding, (httpEffect) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    httpEffect.pipe(
      // Every body is read as JSON (`fetch` with a string body says `text/plain`, curl -d says a form).
      Effect.provideService(HttpServerRequest.HttpServerRequest, json(request)),
      Effect.catch((error): Effect.Effect<never, unhandled | Control.InvalidRequest> =>
        Effect.fail(refusal(error) ?? error)
      )
    )))

/** Adds the control endpoints to `router`, served by `engine`. */
export const mount = (
  router: HttpRouter.HttpRouter,
  engine: Engine
): Effect.Effect<void, never, FileSystem.FileSystem | Scope.Scope> =>
  Layer.build(
    HttpApiBuilder.layer(Control.Api).pipe(
      Layer.provide(handlers(engine).pipe(Layer.provide(requestDecoding))),
      Layer.provide(Layer.succeed(HttpRouter.HttpRouter, router)),
      // What an HttpApi server may use to answer (files, ETags); the control endpoints answer JSON only.
      Layer.provide([Etag.layer, HttpPlatform.layer, Path.layer])
    )
  ).pipe(Effect.asVoid)
