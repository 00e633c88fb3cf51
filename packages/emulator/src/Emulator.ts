/**
 * The emulator as an Effect service: `layer` serves it on a loopback port,
 * `layerClient` serves it in process to an `HttpClient` with no socket.
 *
 * @example
 * ```ts
 * import { Emulator, Fault } from "@oomol-cloud-task/emulator"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const emulator = yield* Emulator.Emulator
 *   yield* emulator.fault("getTaskResult", Fault.status(503))
 *   return emulator.url
 * }).pipe(Effect.provide(Emulator.layer()))
 * ```
 *
 * @since 0.1.0
 */
import type { Queue } from "@oomol-cloud-task/contract"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpEffect from "effect/http/HttpEffect"
import * as HttpMiddleware from "effect/http/HttpMiddleware"
import type * as HttpServerError from "effect/http/HttpServerError"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { setMaxListeners } from "node:events"
import * as Http from "node:http"
import type { BlockBehavior } from "./Block.js"
import type { Counters, PartUpload, QueueSettings, RecordedRequest, SharedTaskSeed } from "./Control.js"
import type { Fault } from "./Fault.js"
import * as App from "./internal/app.js"
import * as Engine from "./internal/engine.js"
import * as Transport from "./internal/transport.js"
import type { RouteName } from "./Route.js"
import { UPLOAD_PREFIX } from "./Uploads.js"

/**
 * How an emulator starts. Every field is optional.
 *
 * - `port`: where `layer` listens on 127.0.0.1 (0, the default, picks a free one).
 * - `apiKey` / `sessionToken`: the only bearer key / `oomol-token` cookie
 *   accepted; by default any non-empty one is.
 * - `partSize`: bytes per upload part (5 MiB).
 * - `maxConcurrency` (10 000) and `maxQueueSize` (100 000): the queue's limits.
 * - `clock`: `"virtual"` stands still until `advance`; `"real"` is the wall
 *   clock; by default the ambient `Clock` (a test's `TestClock` inside
 *   `it.effect`). `startTime` is where a virtual clock starts (2025-01-01).
 * - `blocks`: behaviours registered from the start (and again on `reset`).
 * - `ownerID`: the user every task belongs to.
 *
 * @since 0.1.0
 * @category options
 */
export interface Options extends Engine.Settings {
  readonly port?: number
}

/**
 * The control operations of a running emulator. Each is a function, as on the
 * Promise handle (`RunningEmulator`): `emulator.now()` there is a number,
 * `yield* emulator.now()` here.
 *
 * @since 0.1.0
 * @category service
 */
export interface Service {
  /** The task API's base URL, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string
  /** The upload API's base URL on the same server. */
  readonly uploadBaseUrl: string
  /** The emulator's time, epoch milliseconds. */
  readonly now: () => Effect.Effect<number>
  /** Moves the emulator's time forward (a virtual clock, or an offset on any other). */
  readonly advance: (duration: Duration.Input) => Effect.Effect<void>
  readonly defineBlock: (behavior: BlockBehavior) => Effect.Effect<void>
  /** Queues `fault` for the next requests of `route`. */
  readonly fault: (route: RouteName, fault: Fault) => Effect.Effect<void>
  readonly pendingFaults: (route: RouteName) => Effect.Effect<number>
  readonly clearFaults: (route?: RouteName) => Effect.Effect<void>
  /** Requests received by `route`, or by every route. */
  readonly requests: (route?: RouteName) => Effect.Effect<number>
  readonly counters: () => Effect.Effect<Counters>
  readonly requestLog: (route?: RouteName) => Effect.Effect<ReadonlyArray<RecordedRequest>>
  readonly partUploads: () => Effect.Effect<ReadonlyArray<PartUpload>>
  /** Tasks actually created (not refused, not merely requested). */
  readonly createdTasks: () => Effect.Effect<number>
  /** Adds a shared task to the listing and answers its ID. */
  readonly seedSharedTask: (seed?: SharedTaskSeed) => Effect.Effect<string>
  readonly configureQueue: (settings: QueueSettings) => Effect.Effect<Queue.Dashboard>
  /** Forgets tasks, uploads, faults, counters and behaviours defined since the start. */
  readonly reset: () => Effect.Effect<void>
}

/**
 * The running emulator.
 *
 * @since 0.1.0
 * @category service
 */
export class Emulator extends Context.Service<Emulator, Service>()("@oomol-cloud-task/emulator/Emulator") {}

/**
 * The base URL of an emulator served in process: requests to any other origin
 * are refused.
 *
 * @since 0.1.0
 * @category constructors
 */
export const IN_PROCESS_URL = "http://oomol-emulator.test"

/**
 * The upload API's base URL of an emulator served in process.
 *
 * @since 0.1.0
 * @category constructors
 */
export const IN_PROCESS_UPLOAD_BASE_URL = `${IN_PROCESS_URL}${UPLOAD_PREFIX}`

// The emulator's requests make no spans: a client's tests would find them among their own.
const untraced = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.provideService(effect, HttpMiddleware.TracerDisabledWhen, () => true)

const serviceOf = (engine: Engine.Engine, url: string): Service => {
  const sync = Effect.sync
  return {
    url,
    uploadBaseUrl: `${url}${UPLOAD_PREFIX}`,
    now: () => sync(engine.now),
    advance: (duration) => sync(() => engine.clock.advance(Duration.toMillis(duration))),
    defineBlock: (behavior) => sync(() => engine.blocks.define(behavior)),
    fault: (route, fault) => sync(() => void engine.faults.add(route, fault)),
    pendingFaults: (route) => sync(() => engine.faults.pending(route)),
    clearFaults: (route) => sync(() => engine.faults.clear(route)),
    requests: (route) => sync(() => engine.requests(route)),
    counters: () => sync(engine.counters),
    requestLog: (route) => sync(() => engine.requestLog(route)),
    partUploads: () => sync(engine.uploads.partUploads),
    createdTasks: () => sync(engine.simulation.created),
    seedSharedTask: (seed = {}) => sync(() => engine.seedSharedTask(seed)),
    configureQueue: (settings) => sync(() => engine.configureQueue(settings)),
    reset: () => engine.reset
  }
}

/**
 * Starts an emulator on 127.0.0.1 in the current scope: it stops, freeing the
 * port, every connection (hung ones too) and its temp files, when the scope
 * closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serve = (options: Options = {}): Effect.Effect<Service, HttpServerError.ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const engine = yield* Engine.make(options)
    const server = Http.createServer()
    const httpServer = yield* NodeHttpServer.make(() => server, { host: "127.0.0.1", port: options.port ?? 0 })
    const address = httpServer.address
    const url = `http://127.0.0.1:${address._tag === "UnixPathAddress" ? 0 : address.port}`
    engine.baseUrl = url
    yield* untraced(httpServer.serve(yield* App.make(engine, Transport.socket)))
    // Added last, so it runs first: the server's own close would otherwise wait for
    // open requests (a hung one for ever), and so would the closing of `serve`.
    yield* Effect.addFinalizer(() => Effect.sync(() => server.closeAllConnections()))
    return serviceOf(engine, url)
  }).pipe(Effect.provide(NodeFileSystem.layer))

/**
 * The emulator on a loopback port, as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Emulator, HttpServerError.ServeError> =>
  Layer.effect(Emulator, serve(options))

/**
 * The emulator served in process, with an `HttpClient` that reaches it without
 * a socket (base URL `IN_PROCESS_URL`), and the `FetchHttpClient.Fetch` behind
 * it. Requests run on the caller's runtime,
 * so inside `it.effect` the emulator's time is the `TestClock`. Faults on the
 * connection show as they would over a socket: a failed request, or a body
 * that breaks off.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (options: Options = {}): Layer.Layer<Emulator | HttpClient.HttpClient> =>
  Layer.effectContext(
    Effect.gen(function*() {
      const engine = yield* Engine.make(options)
      engine.baseUrl = IN_PROCESS_URL
      const service = serviceOf(engine, IN_PROCESS_URL)
      // Requests are served with the services of whoever builds the layer: its clock, its tracer.
      const context = yield* untraced(Effect.context<never>())
      const handler = HttpEffect.toWebHandlerWith<never, HttpServerRequest.HttpServerRequest | Scope.Scope>(context)(
        yield* App.make(engine, Transport.inProcess)
      )
      const closing = yield* Effect.acquireRelease(
        Effect.sync(() => {
          const controller = new AbortController()
          // Every request in flight listens for the close: thousands at once is normal here.
          setMaxListeners(0, controller.signal)
          return controller
        }),
        (controller) => Effect.sync(() => controller.abort())
      )
      const fetch = Transport.inProcessFetch(handler, new URL(IN_PROCESS_URL).origin, closing.signal)
      const client = yield* HttpClient.HttpClient.pipe(
        Effect.provide(FetchHttpClient.layer),
        Effect.provideService(FetchHttpClient.Fetch, fetch)
      )
      // `Fetch` is provided too: a client that wraps the `Fetch` it finds in its
      // context (to add a deadline, say) must find this one, not the global fetch.
      return Context.make(Emulator, service).pipe(
        Context.add(HttpClient.HttpClient, client),
        Context.add(FetchHttpClient.Fetch, fetch)
      )
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )
