/** The `/_emulator/…` control endpoints: the Service's operations over HTTP, without credentials. */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import { BlockBehavior } from "../Block.js"
import * as Control from "../Control.js"
import type { Service } from "../Emulator.js"
import { RouteName } from "../Route.js"
import { decode, decodeBody, type Refusal, searchParams } from "./http.js"

const ok = (body: unknown = {}) => HttpServerResponse.unsafeJson(body)

const routeParam = Effect.gen(function*() {
  const route = searchParams(yield* HttpServerRequest.HttpServerRequest).get("route")
  return route === null ? undefined : yield* decode(RouteName, route, "route")
})

export const router = (service: Service) => {
  const routes: ReadonlyArray<
    readonly [
      "GET" | "POST",
      HttpRouter.PathInput,
      Effect.Effect<HttpServerResponse.HttpServerResponse, Refusal, HttpServerRequest.HttpServerRequest>
    ]
  > = [
    ["POST", Control.paths.faults, Effect.gen(function*() {
      const { fault, route } = yield* decodeBody(Control.AddFault)
      yield* service.fault(route, fault)
      return ok({ pending: yield* service.pendingFaults(route) })
    })],
    ["POST", Control.paths.clearFaults, Effect.gen(function*() {
      const { route } = yield* decodeBody(Control.ClearFaults)
      yield* service.clearFaults(route)
      return ok()
    })],
    ["POST", Control.paths.blocks, Effect.gen(function*() {
      yield* service.defineBlock(yield* decodeBody(BlockBehavior))
      return ok()
    })],
    ["POST", Control.paths.advance, Effect.gen(function*() {
      const { ms } = yield* decodeBody(Control.Advance)
      yield* service.advance(ms)
      return ok({ now: yield* service.now })
    })],
    ["GET", Control.paths.clock, Effect.map(service.now, (now) => ok({ now }))],
    ["GET", Control.paths.counters, Effect.map(service.counters, ok)],
    ["GET", Control.paths.requests, Effect.gen(function*() {
      return ok({ requests: yield* service.requestLog(yield* routeParam) })
    })],
    ["GET", Control.paths.parts, Effect.map(service.partUploads, (parts) => ok({ parts }))],
    ["POST", Control.paths.sharedTasks, Effect.gen(function*() {
      const taskID = yield* service.seedSharedTask(yield* decodeBody(Control.SharedTaskSeed))
      return ok({ taskID })
    })],
    ["POST", Control.paths.queue, Effect.gen(function*() {
      return ok(yield* service.configureQueue(yield* decodeBody(Control.QueueSettings)))
    })],
    ["POST", Control.paths.reset, Effect.as(service.reset, ok())]
  ]
  return routes.reduce(
    (router, [method, path, handler]) => HttpRouter.route(method)(path, Effect.merge(handler))(router),
    HttpRouter.empty
  )
}
