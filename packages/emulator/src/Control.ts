/**
 * The control endpoints under `/_emulator/…`: the same operations as the
 * Effect and Promise APIs, over HTTP for tests in another process (a CLI run,
 * a real browser). They need no credentials and answer JSON.
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
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Fault } from "./Fault.js"
import { CONTROL_PREFIX, RouteName } from "./Route.js"

/**
 * The control endpoints' paths.
 *
 * @since 0.1.0
 * @category paths
 */
export const paths = {
  faults: `${CONTROL_PREFIX}/faults`,
  clearFaults: `${CONTROL_PREFIX}/faults/clear`,
  blocks: `${CONTROL_PREFIX}/blocks`,
  advance: `${CONTROL_PREFIX}/advance`,
  clock: `${CONTROL_PREFIX}/clock`,
  counters: `${CONTROL_PREFIX}/counters`,
  requests: `${CONTROL_PREFIX}/requests`,
  parts: `${CONTROL_PREFIX}/parts`,
  sharedTasks: `${CONTROL_PREFIX}/shared-tasks`,
  queue: `${CONTROL_PREFIX}/queue`,
  reset: `${CONTROL_PREFIX}/reset`
} as const

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
