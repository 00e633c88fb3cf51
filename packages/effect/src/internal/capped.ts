/**
 * A schedule's waits capped: what `Schedule.min([schedule, Schedule.spaced(cap)])`
 * waits (the two recur forever, so only the waits differ), by
 * `Schedule.modifyDelay`. `Schedule.min` steps its schedules with `Effect.all`,
 * which would bring Effect's match machinery into every browser bundle.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"

/** `schedule`, waiting never longer than `cap`. */
export const capped = <Output, Input, Error, Env>(
  schedule: Schedule.Schedule<Output, Input, Error, Env>,
  cap: Duration.Input
): Schedule.Schedule<Output, Input, Error, Env> => {
  const max = Duration.fromInputUnsafe(cap)
  return Schedule.modifyDelay(schedule, ({ duration }) => Effect.succeed(Duration.min(duration, max)))
}
