/**
 * When a durable run polls its task: a schedule written as data, so it is
 * stored with the run and gives the same waits when the run is replayed
 * after a restart (an Effect `Schedule` is code, and may be random).
 *
 * @example
 * ```ts
 * import { PollSchedule } from "@oomol-cloud-task/workflow"
 *
 * // 3 s, 4.5 s, 6.75 s, … never more than a minute between polls
 * const patient = PollSchedule.exponential({ base: "3 seconds", cap: "1 minute" })
 * ```
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"

const Millis = Schema.Number.check(Schema.isFinite(), Schema.isGreaterThanOrEqualTo(0))

/**
 * A poll every `interval` milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export const Fixed = Schema.TaggedStruct("Fixed", { interval: Millis })

/**
 * The n-th wait (n = 0, 1, …) is `min(cap, base × factorⁿ)` milliseconds, as
 * the client's `Polling.exponential` (and Effect's `Schedule.exponential`).
 *
 * @since 0.1.0
 * @category models
 */
export const Exponential = Schema.TaggedStruct("Exponential", {
  base: Millis,
  cap: Millis,
  factor: Schema.Number.check(Schema.isFinite(), Schema.isGreaterThanOrEqualTo(1))
})

/**
 * A run's polling schedule.
 *
 * @since 0.1.0
 * @category models
 */
export const PollSchedule = Schema.Union([Fixed, Exponential])

/**
 * @since 0.1.0
 * @category models
 */
export type PollSchedule = typeof PollSchedule.Type

const millisOf = (input: Duration.Input): number => Duration.toMillis(Duration.fromInputUnsafe(input))

/**
 * A poll every `interval`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fixed = (interval: Duration.Input): PollSchedule => Fixed.make({ interval: millisOf(interval) })

/**
 * Waits from `base`, each `factor` (default 1.5) times longer, never above `cap`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const exponential = (options: {
  readonly base: Duration.Input
  readonly cap: Duration.Input
  readonly factor?: number | undefined
}): PollSchedule =>
  Exponential.make({ base: millisOf(options.base), cap: millisOf(options.cap), factor: options.factor ?? 1.5 })

/**
 * The client's default (`Polling.defaultSchedule`): a poll every 3 s (the
 * official exponential from 3 s by 1.5, capped at 3 s).
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultSchedule: PollSchedule = exponential({ base: "3 seconds", cap: "3 seconds" })

/**
 * The wait after poll number `n` (n = 1, 2, …), before the next one.
 *
 * @since 0.1.0
 * @category utils
 */
export const delay = (schedule: PollSchedule, n: number): Duration.Duration => {
  if (schedule._tag === "Fixed") return Duration.millis(schedule.interval)
  // Past the cap the power no longer matters; stop it before it overflows.
  const exponent = Math.min(n - 1, 1_000)
  return Duration.millis(Math.min(schedule.cap, schedule.base * schedule.factor ** exponent))
}
