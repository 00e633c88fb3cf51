/**
 * How long a run waits for a create request it finds cut off in flight.
 *
 * A creation attempt records that its request is about to leave and, once
 * answered, how it settled. When the attempt is run again (its runner died,
 * or its shard moved to another runner) and finds the first record without
 * the second, the first execution may still be waiting for its answer on
 * another runner: the attempt waits this long for the record to appear
 * before it calls the creation uncertain. Default 40 s, longer than the
 * client's default request timeout (30 s).
 *
 * `Embedded.layer` sets it to zero: its folder belongs to one process, so an
 * attempt cut off there was cut off by that process's death.
 *
 * @example
 * ```ts
 * import { InFlightGrace } from "@oomol-cloud-task/workflow"
 * import { Layer } from "effect"
 *
 * // Clients built with a 2-minute request timeout: wait longer.
 * const Grace = Layer.succeed(InFlightGrace.InFlightGrace, "150 seconds")
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"

/**
 * @since 0.1.0
 * @category references
 */
export const InFlightGrace = Context.Reference<Duration.Input>("@oomol-cloud-task/workflow/InFlightGrace", {
  defaultValue: () => "40 seconds"
})
