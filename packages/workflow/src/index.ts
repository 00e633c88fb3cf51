/**
 * Durable OOMOL Cloud Task runs on `effect/workflow` and `effect/cluster`.
 *
 * `Cluster` (runners sharing PostgreSQL) is not re-exported here: it needs
 * `@effect/platform-node`, an optional peer. Import it as
 * `@oomol-cloud-task/workflow/Cluster`.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Embedded from "./Embedded.js"
/** @since 0.1.0 */
export * as Errors from "./Errors.js"
/** @since 0.1.0 */
export * as InFlightGrace from "./InFlightGrace.js"
/** @since 0.1.0 */
export * as PollSchedule from "./PollSchedule.js"
/** @since 0.1.0 */
export * as TaskRuns from "./TaskRuns.js"
