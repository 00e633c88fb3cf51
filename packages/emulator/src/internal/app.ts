/** The whole emulator as one HTTP app: routes counted and faulted by name, CORS, the control endpoints. */
import { Api } from "@oomol-cloud-task/contract"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as FileSystem from "effect/FileSystem"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerError from "effect/http/HttpServerError"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import type * as Scope from "effect/Scope"
import { FILES_PREFIX, type RouteName, STORE_PREFIX } from "../Route.js"
import { UPLOAD_PREFIX } from "../Uploads.js"
import * as ControlRoutes from "./controlRoutes.js"
import type { Engine } from "./engine.js"
import * as Faults from "./faults.js"
import { corsHeaders, jsonError, preflight, type Refusal } from "./http.js"
import * as TaskRoutes from "./taskRoutes.js"
import type { Transport } from "./transport.js"
import * as UploadRoutes from "./uploadRoutes.js"

/** A route pattern from the contract's path builder: its argument becomes `:name`. */
const pattern = (build: (id: string) => string, name: string) =>
  build("__param__").replace("__param__", `:${name}`) as HttpRouter.PathInput

type Handler = Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  Refusal,
  HttpServerRequest.HttpServerRequest | HttpRouter.RouteContext
>

/** A refusal is an answer too. */
const answer = <R>(handler: Effect.Effect<HttpServerResponse.HttpServerResponse, Refusal, R>) =>
  Effect.catch(handler, Effect.succeed)

const isRouteNotFound = (cause: Cause.Cause<unknown>) =>
  cause.reasons.some((reason) =>
    Cause.isFailReason(reason) && HttpServerError.isHttpServerError(reason.error) &&
    reason.error.reason._tag === "RouteNotFound"
  )

/** The app serving `engine`, with `transport` for what faults do to the connection. */
export const make = (
  engine: Engine,
  transport: Transport
): Effect.Effect<
  Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest | Scope.Scope>,
  never,
  FileSystem.FileSystem | Scope.Scope
> =>
  Effect.gen(function*() {
    const tasks = TaskRoutes.make(engine)
    const uploads = UploadRoutes.make(engine)
    const routes: ReadonlyArray<readonly ["GET" | "POST" | "PUT", HttpRouter.PathInput, RouteName, Handler]> = [
      ["POST", Api.paths.tasks, "createTask", tasks.createTask],
      ["GET", Api.paths.tasks, "listTasks", tasks.listTasks],
      ["GET", Api.paths.latestTasks, "latestTasks", tasks.latestTasks],
      ["GET", pattern(Api.paths.task, "taskID"), "getTask", tasks.getTask],
      ["GET", pattern(Api.paths.taskResult, "taskID"), "getTaskResult", tasks.getTaskResult],
      ["GET", pattern(Api.paths.taskLogs, "taskID"), "getTaskLogs", tasks.getTaskLogs],
      ["GET", Api.paths.dashboard, "dashboard", tasks.dashboard],
      ["POST", Api.paths.pause, "pause", tasks.pause],
      ["POST", Api.paths.resume, "resume", tasks.resume],
      ["POST", `${UPLOAD_PREFIX}${Api.paths.uploadInit}`, "uploadInit", uploads.uploadInit],
      ["PUT", `${STORE_PREFIX}/:uploadID/:part`, "uploadPart", uploads.uploadPart],
      ["GET", pattern((id) => `${UPLOAD_PREFIX}${Api.paths.uploadUrl(id)}`, "uploadID"), "uploadUrl", uploads.uploadUrl],
      ["GET", `${FILES_PREFIX}/:uploadID/:fileName`, "download", uploads.download]
    ]

    // Every request of a route is counted, then meets the route's next fault, if any.
    const instrument = (route: RouteName, handler: Handler) =>
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        engine.record(route, request)
        const serve = Effect.provideService(answer(handler), HttpRouter.RouteContext, yield* HttpRouter.RouteContext)
        const fault = engine.faults.take(route)
        return fault === undefined ? yield* serve : yield* Faults.apply(fault, serve, transport, engine.closing)
      })

    const router = yield* HttpRouter.make
    yield* router.addAll(
      routes.map(([method, path, route, handler]) => HttpRouter.route(method, path, instrument(route, handler)))
    )
    yield* ControlRoutes.mount(router, engine)
    const routed = router.asHttpEffect()

    return Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      if (request.method === "OPTIONS") return preflight(request)
      const response = yield* routed.pipe(
        Effect.catchCause((cause) =>
          Effect.succeed(
            isRouteNotFound(cause)
              ? jsonError(404, `No route for ${request.method} ${request.url}`)
              : jsonError(500, `Emulator error: ${Cause.pretty(cause)}`)
          )
        )
      )
      return HttpServerResponse.setHeaders(response, corsHeaders(request))
    }).pipe(Effect.provideService(Clock.Clock, engine.clock.clock))
  })
