/**
 * The user's queue: limits, counts and pause state.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * Why the queue is paused: by the user, by the system, or for billing.
 *
 * @since 0.1.0
 * @category queue
 */
export const PauseType = Schema.NullOr(Schema.Literals(["user", "system", "billing"]))
/** @since 0.1.0 @category queue */
export type PauseType = typeof PauseType.Type

/**
 * `GET /v3/users/me/dashboard`.
 *
 * @since 0.1.0
 * @category queue
 */
export const Dashboard = Schema.Struct({
  limits: Schema.Struct({ maxConcurrency: Schema.Number, maxQueueSize: Schema.Number }),
  count: Schema.Struct({
    queued: Schema.Number,
    scheduling: Schema.Number,
    scheduled: Schema.Number,
    running: Schema.Number
  }),
  pause: Schema.Struct({ paused: Schema.Boolean, type: PauseType, canResume: Schema.Boolean })
})
/** @since 0.1.0 @category queue */
export type Dashboard = typeof Dashboard.Type

/**
 * The answer of `POST /v3/user/pause` and `POST /v3/user/resume`.
 *
 * @since 0.1.0
 * @category queue
 */
export const PauseResponse = Schema.Struct({ pauseType: PauseType })
/** @since 0.1.0 @category queue */
export type PauseResponse = typeof PauseResponse.Type
