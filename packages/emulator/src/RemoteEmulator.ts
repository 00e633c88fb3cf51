/**
 * An emulator running in another process (`pnpm emulator`, the CLI's
 * `oomol-task emulator`), controlled through its `/_emulator/…` endpoints with
 * a client made from their description, `Control.Api`.
 *
 * @example
 * ```ts
 * import { connectEmulator, Fault } from "@oomol-cloud-task/emulator"
 *
 * const emulator = connectEmulator("http://127.0.0.1:4000")
 * await emulator.fault("getTaskResult", Fault.tooManyRequests(1))
 * console.log(await emulator.counters())
 * ```
 *
 * @since 0.1.0
 */
import { type Queue, Wire } from "@oomol-cloud-task/contract"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpApiClient from "effect/http-api/HttpApiClient"
import * as Schema from "effect/Schema"
import type { BlockBehavior } from "./Block.js"
import * as Control from "./Control.js"
import type { Fault } from "./Fault.js"
import type { RouteName } from "./Route.js"

/**
 * The control operations of an emulator in another process; each is one HTTP
 * request.
 *
 * @since 0.1.0
 * @category models
 */
export interface RemoteEmulator {
  readonly url: string
  readonly now: () => Promise<number>
  readonly advance: (ms: number) => Promise<number>
  readonly defineBlock: (behavior: BlockBehavior) => Promise<void>
  readonly fault: (route: RouteName, fault: Fault) => Promise<void>
  readonly clearFaults: (route?: RouteName) => Promise<void>
  readonly counters: () => Promise<Control.Counters>
  readonly requestLog: (route?: RouteName) => Promise<ReadonlyArray<Control.RecordedRequest>>
  readonly partUploads: () => Promise<ReadonlyArray<Control.PartUpload>>
  readonly seedSharedTask: (seed?: Control.SharedTaskSeed) => Promise<string>
  readonly configureQueue: (settings: Control.QueueSettings) => Promise<Queue.Dashboard>
  readonly reset: () => Promise<void>
}

type Failure = Control.InvalidRequest | HttpClientError.HttpClientError | Schema.SchemaError

/** What went wrong, in one line: the emulator's own `{ message }` when it answered one. */
const explain = (error: Failure): Effect.Effect<string> => {
  if (Schema.isSchemaError(error)) return Effect.succeed(Wire.describeSchemaError(error))
  if (error._tag === "InvalidRequest") return Effect.succeed(error.message)
  const response = error.response
  if (response === undefined) return Effect.succeed(error.message)
  return response.json.pipe(
    Effect.map((body) => {
      const message = typeof body === "object" && body !== null && "message" in body ? body.message : undefined
      return typeof message === "string" ? message : String(response.status)
    }),
    Effect.orElseSucceed(() => String(response.status))
  )
}

/**
 * Controls the emulator whose task API is at `url`. Each call runs on its
 * own and leaves nothing behind that would keep a process alive (no runtime,
 * no timer; connections are the global `fetch`'s).
 *
 * @since 0.1.0
 * @category constructors
 */
export const connectEmulator = (url: string): RemoteEmulator => {
  const base = url.replace(/\/+$/, "")
  // Made once, with no I/O: the client's methods are the description's endpoints.
  const client = Effect.runSync(
    HttpApiClient.make(Control.Api, { baseUrl: base }).pipe(Effect.provide(FetchHttpClient.layer))
  )
  const run = <A>(path: string, call: Effect.Effect<A, Failure>): Promise<A> =>
    Effect.runPromiseExit(
      // A test's tracer must not add `traceparent` / `b3` headers to control requests.
      Effect.provideService(call, HttpClient.TracerPropagationEnabled, false)
    ).then(async (exit) => {
      if (Exit.isSuccess(exit)) return exit.value
      const failure = Cause.findErrorOption(exit.cause)
      if (failure._tag === "None") throw Cause.squash(exit.cause)
      throw new Error(`${path}: ${await Effect.runPromise(explain(failure.value))}`, { cause: failure.value })
    })
  const { paths } = Control
  return {
    url: base,
    now: () => run(paths.clock, Effect.map(client.now(), ({ now }) => now)),
    advance: (ms) => run(paths.advance, Effect.map(client.advance({ payload: { ms } }), ({ now }) => now)),
    defineBlock: (behavior) => run(paths.blocks, Effect.asVoid(client.defineBlock({ payload: behavior }))),
    fault: (route, fault) => run(paths.faults, Effect.asVoid(client.fault({ payload: { route, fault } }))),
    clearFaults: (route) =>
      run(paths.clearFaults, Effect.asVoid(client.clearFaults({ payload: route === undefined ? {} : { route } }))),
    counters: () => run(paths.counters, client.counters()),
    requestLog: (route) =>
      run(
        paths.requests,
        Effect.map(client.requestLog({ query: route === undefined ? {} : { route } }), ({ requests }) => requests)
      ),
    partUploads: () => run(paths.parts, Effect.map(client.partUploads(), ({ parts }) => parts)),
    seedSharedTask: (seed = {}) =>
      run(paths.sharedTasks, Effect.map(client.seedSharedTask({ payload: seed }), ({ taskID }) => taskID)),
    configureQueue: (settings) => run(paths.queue, client.configureQueue({ payload: settings })),
    reset: () => run(paths.reset, Effect.asVoid(client.reset()))
  }
}
