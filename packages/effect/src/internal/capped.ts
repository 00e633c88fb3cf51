/**
 * A schedule's bounds, as the client's retries and polls take them: its waits
 * capped, and its count of recurrences. Effect's own (`Schedule.min` with a
 * spaced schedule, `Schedule.upTo({ times })`) would bring Effect's match
 * machinery and duration limits into every browser bundle.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"

/**
 * `schedule`, waiting never longer than `cap`: what
 * `Schedule.min([schedule, Schedule.spaced(cap)])` waits (the two recur
 * forever, so only the waits differ).
 */
export const capped = <Output, Input, Error, Env>(
  schedule: Schedule.Schedule<Output, Input, Error, Env>,
  cap: Duration.Input
): Schedule.Schedule<Output, Input, Error, Env> => {
  const max = Duration.fromInputUnsafe(cap)
  return Schedule.modifyDelay(schedule, ({ duration }) => Effect.succeed(Duration.min(duration, max)))
}

/** `schedule`, recurring at most `times` times, as `Schedule.upTo({ times })` counts. */
export const upTo = (times: number) =>
<Output, Input, Error, Env>(schedule: Schedule.Schedule<Output, Input, Error, Env>): Schedule.Schedule<Output, Input, Error, Env> =>
  Schedule.while(schedule, ({ attempt }) => attempt <= times)
