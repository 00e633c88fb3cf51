/**
 * The control endpoints under `/_emulator/…`, described once as an Effect
 * `HttpApi` ({@link Api}): the emulator serves them from this description and
 * `connectEmulator` calls them through a client made from it. They are the
 * same operations as the Effect and Promise APIs, over HTTP for tests in
 * another process (a CLI run, a real browser), and need no credentials.
 *
 * Bodies are JSON whatever their content type; where every field is
 * optional the body may be left out (it reads as `{}`). A request that does
 * not decode is refused with 400 `{ message }` ({@link InvalidRequest}).
 * Every answer is JSON, with status 200:
 *
 * | endpoint | body | answer |
 * | --- | --- | --- |
 * | `POST /_emulator/faults` | `{ route, fault }` | `{ pending }` |
 * | `POST /_emulator/faults/clear` | `{ route? }` | `{}` |
 * | `POST /_emulator/blocks` | a `BlockBehavior` | `{}` |
 * | `POST /_emulator/advance` | `{ ms }` | `{ now }` |
 * | `GET /_emulator/clock` | — | `{ now }` |
 * | `GET /_emulator/counters` | — | `{ requests: { [route]: n }, createdTasks }` |
 * | `GET /_emulator/requests?route=` | — | `{ requests: RecordedRequest[] }` |
 * | `GET /_emulator/parts` | — | `{ parts: PartUpload[] }` |
 * | `POST /_emulator/shared-tasks` | a `SharedTaskSeed` | `{ taskID }` |
 * | `POST /_emulator/queue` | `QueueSettings` | the dashboard |
 * | `POST /_emulator/reset` | — | `{}` |
 *
 * @example
 * ```ts
 * import { Control, Fault } from "@oomol-cloud-task/emulator"
 * import * as Effect from "effect/Effect"
 * import * as FetchHttpClient from "effect/http/FetchHttpClient"
 * import * as HttpApiClient from "effect/http-api/HttpApiClient"
 *
 * const program = Effect.gen(function*() {
 *   const control = yield* HttpApiClient.make(Control.Api, { baseUrl: "http://127.0.0.1:4000" })
 *   yield* control.fault({ payload: { route: "createTask", fault: Fault.status(503) } })
 *   const { createdTasks } = yield* control.counters()
 *   return createdTasks
 * }).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 */
import { Queue, Wire } from "@oomol-cloud-task/contract"
import * as Effect from "effect/Effect"
import * as ErrorReporter from "effect/ErrorReporter"
import * as HttpApi from "effect/http-api/HttpApi"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as HttpApiMiddleware from "effect/http-api/HttpApiMiddleware"
import * as Schema from "effect/Schema"
import { BlockBehavior } from "./Block.js"
import { Fault } from "./Fault.js"
import { CONTROL_PREFIX, RouteName } from "./Route.js"

/** @since 0.1.0 @category bodies */
export const AddFault = Schema.Struct({ route: RouteName, fault: Fault })

/** @since 0.1.0 @category bodies */
export const ClearFaults = Schema.Struct({ route: Schema.optional(RouteName) })

/** @since 0.1.0 @category bodies */
export const Advance = Schema.Struct({ ms: Schema.Number.check(Schema.isGreaterThanOrEqualTo(0)) })

/**
 * A task run through a shared package subscription, seeded into the listing
 * (the API cannot create one). Unset fields get plausible values; the task
 * runs the behaviour registered for its package and block.
 *
 * @since 0.1.0
 * @category bodies
 */
export const SharedTaskSeed = Schema.Struct({
  /** A task ID of the caller's choosing, e.g. one that documentation shows. */
  taskID: Schema.optional(Schema.NonEmptyString),
  packageName: Schema.optional(Schema.String),
  packageVersion: Schema.optional(Schema.String),
  blockName: Schema.optional(Schema.String),
  packageID: Schema.optional(Schema.NullOr(Schema.String)),
  subscriptionID: Schema.optional(Schema.NullOr(Schema.String)),
  inputValues: Schema.optional(Schema.Record(Schema.String, Schema.Unknown))
})
/** @since 0.1.0 @category bodies */
export type SharedTaskSeed = typeof SharedTaskSeed.Type

/**
 * Changes to the queue: its limits, and a pause of any kind (`"system"` and
 * `"billing"` pauses cannot be lifted by the user's resume; `null` lifts any
 * pause).
 *
 * @since 0.1.0
 * @category bodies
 */
export const QueueSettings = Schema.Struct({
  maxConcurrency: Schema.optional(Schema.Number.check(Schema.isInt(), Schema.isGreaterThan(0))),
  maxQueueSize: Schema.optional(Schema.Number.check(Schema.isInt(), Schema.isGreaterThanOrEqualTo(0))),
  pause: Schema.optional(Schema.NullOr(Schema.Literals(["user", "system", "billing"])))
})
/** @since 0.1.0 @category bodies */
export type QueueSettings = typeof QueueSettings.Type

/**
 * The query of `GET /_emulator/requests`: the route whose requests to list
 * (every route's without it).
 *
 * @since 0.1.0
 * @category bodies
 */
export const RequestLogQuery = Schema.Struct({ route: Schema.optional(RouteName) })

/**
 * How many requests each route received (faulted ones included, CORS
 * preflights not) and how many tasks were created.
 *
 * @since 0.1.0
 * @category inspection
 */
export const Counters = Schema.Struct({
  requests: Schema.Record(RouteName, Schema.Number),
  createdTasks: Schema.Number
})
/** @since 0.1.0 @category inspection */
export type Counters = typeof Counters.Type

/**
 * A request as received, with its headers (lower-case names) and the
 * emulator's time. Only the latest 1000 are kept.
 *
 * @since 0.1.0
 * @category inspection
 */
export const RecordedRequest = Schema.Struct({
  route: RouteName,
  method: Schema.String,
  url: Schema.String,
  headers: Schema.Record(Schema.String, Schema.String),
  at: Schema.Number
})
/** @since 0.1.0 @category inspection */
export type RecordedRequest = typeof RecordedRequest.Type

/**
 * One presigned part PUT: whether it carried credentials or headers of the
 * client's own.
 *
 * @since 0.1.0
 * @category inspection
 */
export const PartUpload = Schema.Struct({
  uploadID: Schema.String,
  part: Schema.Number,
  status: Schema.Number,
  bytes: Schema.NullOr(Schema.Number),
  authorization: Schema.Boolean,
  cookie: Schema.Boolean,
  nonStandardHeaders: Schema.Array(Schema.String)
})
/** @since 0.1.0 @category inspection */
export type PartUpload = typeof PartUpload.Type

/**
 * A control request that does not decode (a body that is not JSON, a field
 * missing or out of range, an unknown route): 400 `{ message }`, the message
 * naming the field.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidRequest extends Schema.Error<InvalidRequest>("@oomol-cloud-task/emulator/Control/InvalidRequest")(
  { message: Schema.String },
  { httpApiStatus: 400, description: "The request does not decode" }
) {
  /** Not part of the wire: lets Effect code catch it by tag. */
  readonly _tag = "InvalidRequest" as const
  // A refusal of the caller's input, not a fault of the emulator's.
  override readonly [ErrorReporter.ignore] = true
}

/**
 * How the emulator reads a control request: its body as JSON whatever the
 * content type, and a request that does not decode refused with
 * {@link InvalidRequest}. A client needs nothing of it but that error.
 *
 * @since 0.1.0
 * @category api
 */
export class RequestDecoding extends HttpApiMiddleware.Service<RequestDecoding>()(
  "@oomol-cloud-task/emulator/Control/RequestDecoding",
  { error: InvalidRequest }
) {}

// An empty body reads as `{}`: the body of a request whose fields are all optional may be left out.
const emptyReadsAs = <S extends Schema.Top>(schema: S, none: S["Encoded"]) =>
  schema.pipe(Schema.withDecodingDefault<S>(Effect.succeed(none)))

const Done = Schema.Struct({})
const Now = Schema.Struct({ now: Schema.Number })

/**
 * The control endpoints: one top-level group, so a client made from it has
 * a method per endpoint (`fault`, `clearFaults`, `defineBlock`, `advance`,
 * `now`, `counters`, `requestLog`, `partUploads`, `seedSharedTask`,
 * `configureQueue`, `reset`). The schemas are used as they are (no JSON
 * codecs added), and bodies are decoded strictly: a key a schema does not
 * name is refused.
 *
 * @since 0.1.0
 * @category api
 */
export const Api = HttpApi.make("@oomol-cloud-task/emulator/Control").add(
  HttpApiGroup.make("control", { topLevel: true }).add(
    HttpApiEndpoint.post("fault", "/faults", {
      disableCodecs: true,
      payload: AddFault,
      success: Schema.Struct({ pending: Schema.Number })
    }),
    HttpApiEndpoint.post("clearFaults", "/faults/clear", {
      disableCodecs: true,
      payload: emptyReadsAs(ClearFaults, {}),
      success: Done
    }),
    HttpApiEndpoint.post("defineBlock", "/blocks", { disableCodecs: true, payload: BlockBehavior, success: Done }),
    HttpApiEndpoint.post("advance", "/advance", { disableCodecs: true, payload: Advance, success: Now }),
    HttpApiEndpoint.get("now", "/clock", { disableCodecs: true, success: Now }),
    HttpApiEndpoint.get("counters", "/counters", { disableCodecs: true, success: Counters }),
    HttpApiEndpoint.get("requestLog", "/requests", {
      disableCodecs: true,
      query: RequestLogQuery.fields,
      success: Schema.Struct({ requests: Schema.Array(RecordedRequest) })
    }),
    HttpApiEndpoint.get("partUploads", "/parts", {
      disableCodecs: true,
      success: Schema.Struct({ parts: Schema.Array(PartUpload) })
    }),
    HttpApiEndpoint.post("seedSharedTask", "/shared-tasks", {
      disableCodecs: true,
      payload: emptyReadsAs(SharedTaskSeed, {}),
      success: Schema.Struct({ taskID: Schema.String })
    }),
    HttpApiEndpoint.post("configureQueue", "/queue", {
      disableCodecs: true,
      payload: emptyReadsAs(QueueSettings, {}),
      // The dashboard as the task API answers it: every field it has.
      success: Wire.tolerant(Queue.Dashboard)
    }),
    HttpApiEndpoint.post("reset", "/reset", { disableCodecs: true, success: Done })
  ).middleware(RequestDecoding).prefix(CONTROL_PREFIX)
).annotate(HttpApi.PayloadParseOptions, { onExcessProperty: "error", errors: "all" })

const endpoints = Api.groups.control.endpoints

/**
 * The control endpoints' paths, from {@link Api}.
 *
 * @since 0.1.0
 * @category paths
 */
export const paths = {
  faults: endpoints.fault.path,
  clearFaults: endpoints.clearFaults.path,
  blocks: endpoints.defineBlock.path,
  advance: endpoints.advance.path,
  clock: endpoints.now.path,
  counters: endpoints.counters.path,
  requests: endpoints.requestLog.path,
  parts: endpoints.partUploads.path,
  sharedTasks: endpoints.seedSharedTask.path,
  queue: endpoints.configureQueue.path,
  reset: endpoints.reset.path
} as const
