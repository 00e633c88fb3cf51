/** The `/_emulator/…` control endpoints: the Service's operations over HTTP, without credentials. */
import * as Effect from "effect/Effect"
import type * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import { BlockBehavior } from "../Block.js"
import * as Control from "../Control.js"
import { RouteName } from "../Route.js"
import type { Engine } from "./engine.js"
import { decode, decodeBody, type Refusal, searchParams } from "./http.js"

const ok = (body: unknown = {}) => HttpServerResponse.jsonUnsafe(body)

const routeParam = Effect.gen(function*() {
  const route = searchParams(yield* HttpServerRequest.HttpServerRequest).get("route")
  return route === null ? undefined : yield* decode(RouteName, route, "route")
})

export type Handler = Effect.Effect<HttpServerResponse.HttpServerResponse, Refusal, HttpServerRequest.HttpServerRequest>

export const routes = (engine: Engine): ReadonlyArray<readonly ["GET" | "POST", HttpRouter.PathInput, Handler]> => {
  const answer = (f: () => unknown) => Effect.sync(() => ok(f()))
  return [
    ["POST", Control.paths.faults, Effect.gen(function*() {
      const { fault, route } = yield* decodeBody(Control.AddFault)
      engine.faults.add(route, fault)
      return ok({ pending: engine.faults.pending(route) })
    })],
    ["POST", Control.paths.clearFaults, Effect.gen(function*() {
      const { route } = yield* decodeBody(Control.ClearFaults)
      engine.faults.clear(route)
      return ok()
    })],
    ["POST", Control.paths.blocks, Effect.gen(function*() {
      engine.blocks.define(yield* decodeBody(BlockBehavior))
      return ok()
    })],
    ["POST", Control.paths.advance, Effect.gen(function*() {
      const { ms } = yield* decodeBody(Control.Advance)
      engine.clock.advance(ms)
      return ok({ now: engine.now() })
    })],
    ["GET", Control.paths.clock, answer(() => ({ now: engine.now() }))],
    ["GET", Control.paths.counters, answer(engine.counters)],
    ["GET", Control.paths.requests, Effect.gen(function*() {
      return ok({ requests: engine.requestLog(yield* routeParam) })
    })],
    ["GET", Control.paths.parts, answer(() => ({ parts: engine.uploads.partUploads() }))],
    ["POST", Control.paths.sharedTasks, Effect.gen(function*() {
      const seed = yield* decodeBody(Control.SharedTaskSeed)
      return ok({ taskID: engine.seedSharedTask(seed) })
    })],
    ["POST", Control.paths.queue, Effect.gen(function*() {
      const settings = yield* decodeBody(Control.QueueSettings)
      return ok(engine.configureQueue(settings))
    })],
    ["POST", Control.paths.reset, Effect.as(engine.reset, ok())]
  ]
}
