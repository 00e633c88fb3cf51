/**
 * Waiting for a task: polling schedules, the stream of a task's statuses, and
 * awaiting its result.
 *
 * A poll that fails for a reason that can heal (no answer, 408, 429, 5xx, a
 * garbled body) is tried again at the next tick; one that cannot (a refusal:
 * any other 4xx such as bad credentials or an unknown task, or a redirect; a
 * success whose data does not match its schema) ends the wait at once.
 *
 * @since 0.1.0
 */
import * as Task from "@oomol-cloud-task/contract/Task"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { type ApiError, PollTimeout, type RequestError, type ResultDataMismatch, TaskFailed } from "./Errors.js"
import * as Attempts from "./internal/attempts.js"
import { capped } from "./internal/capped.js"
import * as Defaults from "./internal/defaults.js"
import { within } from "./internal/within.js"

/**
 * A poll every `interval`, the official `BackoffStrategy.Fixed`.
 *
 * @since 0.1.0
 * @category schedules
 */
export const fixed = (interval: Duration.Input): Schedule.Schedule<unknown> => Schedule.spaced(interval)

/**
 * Exponential waits, as Effect's own `Schedule.exponential`: the first wait
 * is `base`, each next one `factor` (default 1.5) times longer, none longer
 * than `cap`. The n-th wait is `min(cap, base × factorⁿ)` for n = 0, 1, …
 *
 * The official `BackoffStrategy.Exponential` starts one step later
 * (`min(max, intervalMs × 1.5ⁿ)` for n = 1, 2, …): it is
 * `exponential({ base: intervalMs × 1.5, cap: maxIntervalMs })`.
 *
 * @since 0.1.0
 * @category schedules
 */
export const exponential = (options: {
  readonly base: Duration.Input
  readonly cap: Duration.Input
  readonly factor?: number
}): Schedule.Schedule<unknown> =>
  capped(Schedule.exponential(options.base, options.factor ?? Defaults.pollFactor), options.cap)

/**
 * The official defaults: a poll every 3 s (the official exponential from
 * 3000 ms, factor 1.5, capped at 3000 ms, never waits anything else).
 *
 * @since 0.1.0
 * @category schedules
 */
export const defaultSchedule: Schedule.Schedule<unknown> = exponential({ base: Defaults.pollBase, cap: Defaults.pollCap })

/**
 * How to wait for a task.
 *
 * @since 0.1.0
 * @category options
 */
export interface AwaitOptions<A = Task.DefaultResultData> {
  /** When to poll again after each answer or failed poll. Default {@link defaultSchedule}. */
  readonly schedule?: Schedule.Schedule<unknown, unknown> | undefined
  /**
   * Give up with a `PollTimeout` once more than this has passed (the official
   * rule: a poll due exactly at the timeout still goes out). Default: wait
   * until the task ends.
   */
  readonly timeout?: Duration.Input | undefined
  /** Decodes a successful task's `resultData`. Default: a list of objects. */
  readonly resultData?: Schema.Codec<A, any> | undefined
  /** Called with every in-progress answer and the task it is about (one callback can serve many tasks). */
  readonly onProgress?: ((update: Task.TaskResultInProgress, taskID: string) => Effect.Effect<void>) | undefined
}

/**
 * What one poll can fail with: a request failure, or a success whose data
 * does not match its schema.
 *
 * @since 0.2.0
 * @category errors
 */
export type PollError = RequestError | ResultDataMismatch

/**
 * A poll failure that no later poll can heal: a `ResultDataMismatch` (a
 * finished task's data never changes), or an `ApiError` below 500 other than
 * 408 and 429 (a refusal such as 401, 403 or 404, or a redirect, which the
 * client never follows).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isPermanent = (error: PollError): error is ApiError | ResultDataMismatch =>
  error._tag === "ResultDataMismatch" ||
  (error._tag === "ApiError" && error.status < 500 && error.status !== 408 && error.status !== 429)

// The answers of one wait, one at a time: the first poll at once, each later one
// after the schedule's wait; a failure that can heal is polled through (and kept
// for a timeout's message), a permanent one fails the wait. With a timeout, a
// poll due at or before the deadline goes out; when the next one would come
// after it, the wait gives up at the deadline instead of sleeping on.
const poller = <A>(
  taskID: string,
  poll: Effect.Effect<Task.TaskResult<A>, PollError>,
  options: Pick<AwaitOptions<A>, "schedule" | "timeout">
) =>
  Effect.clockWith((clock) =>
    Effect.map(Schedule.toStep(options.schedule ?? defaultSchedule), (step) => {
      const timeout = options.timeout === undefined ? undefined : Duration.fromInputUnsafe(options.timeout)
      const deadline = timeout === undefined ? Infinity : clock.currentTimeMillisUnsafe() + Duration.toMillis(timeout)
      let lastError: RequestError | undefined
      // Every failed try, a retried one too: a timeout that strikes while a
      // poll is tried again still names what went wrong.
      const listened = Effect.provideService(poll, Attempts.FailedAttempt, (error) => {
        lastError = error
      })
      // What the schedule was last fed: the answer, or none after a failed poll.
      let input: Option.Option<Task.TaskResult<A>> | undefined
      const giveUp = (after: Duration.Duration | undefined) => PollTimeout.after(taskID, after, lastError)
      const timedOut = Effect.suspend(() => Effect.fail(giveUp(timeout)))
      const wait = Effect.suspend(() => {
        if (input === undefined) return Effect.void
        const now = clock.currentTimeMillisUnsafe()
        return step(now, input).pipe(
          // A schedule that stops before the task ends is a timeout of the caller's making.
          Effect.mapError(() => giveUp(undefined)),
          Effect.flatMap(([, delay]) =>
            now + Duration.toMillis(delay) > deadline
              ? Effect.andThen(Effect.sleep(Duration.millis(Math.max(0, deadline - now))), timedOut)
              : Effect.sleep(delay)
          )
        )
      })
      const next: Effect.Effect<Task.TaskResult<A>, ApiError | ResultDataMismatch | PollTimeout> = Effect.andThen(
        wait,
        // (Effect.catch rather than Effect.result, whose match machinery no other browser code needs.)
        Effect.catch(
          Effect.map(listened, (success) => {
            input = Option.some(success)
            return success
          }),
          (failure) => {
            if (isPermanent(failure)) return Effect.fail(failure)
            lastError = failure
            input = Option.none()
            return next
          }
        )
      )
      // What is still running once more than `timeout` has passed (a request,
      // a callback) is cut off then: a millisecond after the deadline, so a
      // poll due at the deadline is never struck as it goes out.
      // (In milliseconds: `Duration.sum` would follow it into every browser bundle.)
      const cutOff = timeout === undefined ? undefined : Duration.millis(Duration.toMillis(timeout) + 1)
      return { next, cutOff, timedOut }
    })
  )

/**
 * The statuses of a task as `poll` reports them: every in-progress answer,
 * then the terminal one, and the stream ends. Fails with the first permanent
 * poll failure, or a `PollTimeout` (carrying the last poll failure) when
 * `timeout` passes or the schedule ends first.
 *
 * @since 0.1.0
 * @category waiting
 */
export const watch = <A>(
  taskID: string,
  poll: Effect.Effect<Task.TaskResult<A>, PollError>,
  options: Omit<AwaitOptions<A>, "resultData"> = {}
): Stream.Stream<Task.TaskResult<A>, ApiError | ResultDataMismatch | PollTimeout> =>
  Stream.unwrap(Effect.map(poller(taskID, poll, options), ({ cutOff, next, timedOut }) => {
    const onProgress = options.onProgress
    // The callback runs in the repeated poll rather than through `Stream.tap`,
    // whose concurrent machinery would follow it into every browser bundle.
    const reported = onProgress === undefined ? next : Effect.flatMap(next, (result) =>
      Task.isTerminal(result.status)
        ? Effect.succeed(result)
        : Effect.as(onProgress(result as Task.TaskResultInProgress, taskID), result))
    // The terminal status is the last: the next pull ends the stream
    // (rather than `Stream.takeUntil`, which no other browser code needs).
    let ended = false
    const statuses = Stream.fromEffectRepeat(
      Effect.suspend<Task.TaskResult<A>, ApiError | ResultDataMismatch | PollTimeout | Cause.Done, never>(() =>
        ended ? Cause.done() : Effect.map(reported, (result) => {
          ended = Task.isTerminal(result.status)
          return result
        })
      )
    )
    return cutOff === undefined ? statuses : Stream.interruptWhen(statuses, Effect.andThen(Effect.sleep(cutOff), timedOut))
  }))

/**
 * The success of a task: the last status {@link watch} reports, or a
 * `TaskFailed` when the task failed. The same polls as `watch`, as one loop
 * instead of a stream: an await that is only waiting holds a fiber, the
 * schedule's state and a sleep (`pnpm bench` measures it).
 *
 * @since 0.1.0
 * @category waiting
 */
export const awaitResult = <A>(
  taskID: string,
  poll: Effect.Effect<Task.TaskResult<A>, PollError>,
  options: Omit<AwaitOptions<A>, "resultData"> = {}
): Effect.Effect<Task.TaskResultSuccess<A>, ApiError | ResultDataMismatch | PollTimeout | TaskFailed> =>
  Effect.flatMap(poller(taskID, poll, options), ({ cutOff, next, timedOut }) => {
    const onProgress = options.onProgress
    const loop: Effect.Effect<Task.TaskResultSuccess<A>, ApiError | ResultDataMismatch | PollTimeout | TaskFailed> =
      Effect.flatMap(
        next,
        (result) => {
          if (result.status === "success") return Effect.succeed(result)
          if (result.status === "failed") return Effect.fail(TaskFailed.fromResult(taskID, result))
          return onProgress === undefined ? loop : Effect.andThen(onProgress(result, taskID), loop)
        }
      )
    return cutOff === undefined ? loop : within(loop, cutOff, () => timedOut)
  })
