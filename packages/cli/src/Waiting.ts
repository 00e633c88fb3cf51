/**
 * Waiting for a task from the command line: `--timeout` and `--interval`, and
 * the wait itself, shown on a progress display.
 *
 * @since 0.1.0
 */
import type { Task } from "@oomol-cloud-task/contract"
import { CloudTaskClient, Polling } from "@oomol-cloud-task/effect"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as CliError from "effect/cli/CliError"
import * as Flag from "effect/cli/Flag"
import * as Progress from "./Progress.js"
import * as SafeText from "./SafeText.js"

const units: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * Reads a duration as people write it: `30s`, `10m`, `1h`, `1.5s`, `250ms`,
 * or a plain number of milliseconds. `undefined` when it is none of these,
 * not above zero, or not a whole number of milliseconds (`0.5ms` would poll
 * thousands of times a second).
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseDuration = (text: string): Duration.Duration | undefined => {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim())
  if (match === null) return undefined
  const millis = Number(match[1]) * units[match[2] ?? "ms"]!
  // Rounding to the nearest millisecond forgives the binary noise of `0.1 * 1000`, not a fraction that was meant.
  const whole = Math.round(millis)
  const noise = Math.abs(millis - whole) <= Math.max(1, whole) * 1e-9
  return whole >= 1 && Number.isSafeInteger(whole) && noise ? Duration.millis(whole) : undefined
}

const duration = (name: string, description: string) =>
  Flag.String(name).pipe(
    Flag.withMetavar("duration"),
    Flag.withDescription(description),
    Flag.mapEffect((text) => {
      const parsed = parseDuration(text)
      return parsed === undefined
        ? Effect.fail(
          new CliError.ValidationError({
            message:
              `--${name} must be a duration above zero, in whole milliseconds, such as 30s, 10m, 1h or a number of milliseconds, not "${
                SafeText.line(text)
              }"`
          })
        )
        : Effect.succeed(parsed)
    }),
    Flag.optional
  )

/**
 * `--timeout` and `--interval`.
 *
 * @since 0.1.0
 * @category flags
 */
export const flags = {
  timeout: duration("timeout", "Give up waiting after this long (exit code 1). Default: wait until the task ends."),
  interval: duration("interval", "Poll the task this often. Default: every 3s, as the official SDK does.")
}

/**
 * The values of {@link flags}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Flags {
  readonly timeout: Option.Option<Duration.Duration>
  readonly interval: Option.Option<Duration.Duration>
}

/**
 * The client's wait options for these flags: a fixed interval when one is
 * given, else the client's default schedule.
 *
 * @since 0.1.0
 * @category waiting
 */
export const awaitOptions = (flags: Flags): Polling.AwaitOptions => ({
  schedule: Option.getOrUndefined(Option.map(flags.interval, Polling.fixed)),
  timeout: Option.getOrUndefined(flags.timeout)
})

/**
 * A task's result as a progress state.
 *
 * @since 0.1.0
 * @category waiting
 */
export const stateOf = (result: Task.TaskResult<unknown>): Progress.State =>
  result.status === "success"
    ? { status: "success", percent: 100 }
    : result.status === "failed"
    ? { status: "failed" }
    : { status: result.status, percent: Progress.percentOf(result.progress) }

/**
 * Waits for `taskID` with the client's `awaitResult`, showing each answer on
 * `progress` and the end (success, failed, timed out).
 *
 * @since 0.1.0
 * @category waiting
 */
export const awaitTask = (taskID: string, flags: Flags, progress: Progress.Progress) =>
  Effect.flatMap(CloudTaskClient.CloudTaskClient, (client) =>
    client.awaitResult(taskID, {
      ...awaitOptions(flags),
      onProgress: (update) => progress.update(stateOf(update))
    }).pipe(
      Effect.tap((result) => progress.update(stateOf(result))),
      Effect.tapError((error) =>
        progress.update({ status: error._tag === "TaskFailed" ? "failed" : error._tag === "PollTimeout" ? "timed out" : "error" })
      )
    ))
