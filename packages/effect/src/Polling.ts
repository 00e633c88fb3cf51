/**
 * Waiting for a task: polling schedules, the stream of a task's statuses, and
 * awaiting its result.
 *
 * A poll that fails for a reason that can heal (no answer, 408, 429, 5xx, a
 * garbled body) is tried again at the next tick; one that cannot (any other
 * 4xx: bad credentials, an unknown task) ends the wait at once.
 *
 * @since 0.1.0
 */
import * as Task from "@oomol-cloud-task/contract/Task"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { type ApiError, PollTimeout, type RequestError, TaskFailed } from "./Errors.js"
import * as Defaults from "./internal/defaults.js"

/**
 * A poll every `interval`, the official `BackoffStrategy.Fixed`.
 *
 * @since 0.1.0
 * @category schedules
 */
export const fixed = (interval: Duration.Input): Schedule.Schedule<unknown> => Schedule.spaced(interval)

/**
 * The official `BackoffStrategy.Exponential`: the n-th wait is
 * `min(cap, base × factor^n)` for n = 1, 2, …
 *
 * @since 0.1.0
 * @category schedules
 */
export const exponential = (options: {
  readonly base: Duration.Input
  readonly cap: Duration.Input
  readonly factor?: number
}): Schedule.Schedule<unknown> => {
  const factor = options.factor ?? Defaults.pollFactor
  const first = Duration.times(Duration.fromInputUnsafe(options.base), factor)
  // `min` recurs while either does and waits the shorter: Effect's own cap.
  return Schedule.min([Schedule.exponential(first, factor), Schedule.spaced(options.cap)])
}

/**
 * The official defaults: exponential from 3000 ms, factor 1.5, capped at
 * 3000 ms (so, with these defaults, a poll every 3 s).
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
  /** Give up after this long with a `PollTimeout`. Default: wait until the task ends. */
  readonly timeout?: Duration.Input | undefined
  /** Decodes a successful task's `resultData`. Default: a list of objects. */
  readonly resultData?: Schema.Codec<A, any> | undefined
  /** Called with every in-progress answer and the task it is about (one callback can serve many tasks). */
  readonly onProgress?: ((update: Task.TaskResultInProgress, taskID: string) => Effect.Effect<void>) | undefined
}

/**
 * A poll failure that no later poll can heal: a 4xx other than 408 and 429.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isPermanent = (error: RequestError): error is ApiError =>
  error._tag === "ApiError" && error.status >= 400 && error.status < 500 && error.status !== 408 &&
  error.status !== 429

// The answers of one wait, one at a time: the first poll at once, each later one
// after the schedule's wait; a failure that can heal is polled through (and
// kept for a timeout's message), a permanent one fails the wait.
const poller = <A>(
  taskID: string,
  poll: Effect.Effect<Task.TaskResult<A>, RequestError>,
  schedule: Schedule.Schedule<unknown, unknown>
) =>
  Effect.map(Schedule.toStepWithSleep(schedule), (step) => {
    let lastError: RequestError | undefined
    // What the schedule was last fed: the answer, or none after a failed poll.
    let input: Option.Option<Task.TaskResult<A>> | undefined
    const giveUp = (timeout: Duration.Duration | undefined) => PollTimeout.after(taskID, timeout, lastError?.message)
    // A schedule that stops before the task ends is a timeout of the caller's making.
    const wait = Effect.suspend(() =>
      input === undefined ? Effect.void : Effect.mapError(step(input), () => giveUp(undefined))
    )
    const next: Effect.Effect<Task.TaskResult<A>, ApiError | PollTimeout> = Effect.andThen(
      wait,
      Effect.flatMap(Effect.result(poll), (answer) => {
        if (Result.isSuccess(answer)) {
          input = Option.some(answer.success)
          return Effect.succeed(answer.success)
        }
        if (isPermanent(answer.failure)) return Effect.fail(answer.failure)
        lastError = answer.failure
        input = Option.none()
        return next
      })
    )
    return { next, giveUp }
  })

const withTimeout = (
  timeout: Duration.Input | undefined,
  giveUp: (timeout: Duration.Duration) => PollTimeout
) =>
<A, E>(waiting: Effect.Effect<A, E>): Effect.Effect<A, E | PollTimeout> => {
  if (timeout === undefined) return waiting
  const duration = Duration.fromInputUnsafe(timeout)
  return Effect.timeoutOrElse(waiting, { duration, orElse: () => Effect.fail(giveUp(duration)) })
}

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
  poll: Effect.Effect<Task.TaskResult<A>, RequestError>,
  options: Omit<AwaitOptions<A>, "resultData"> = {}
): Stream.Stream<Task.TaskResult<A>, ApiError | PollTimeout> =>
  Stream.unwrap(Effect.map(poller(taskID, poll, options.schedule ?? defaultSchedule), ({ giveUp, next }) => {
    const onProgress = options.onProgress
    const statuses = Stream.fromEffectRepeat(next).pipe(
      Stream.takeUntil((result) => Task.isTerminal(result.status)),
      Stream.tap((result) =>
        onProgress === undefined || Task.isTerminal(result.status)
          ? Effect.void
          : onProgress(result as Task.TaskResultInProgress, taskID)
      )
    )
    if (options.timeout === undefined) return statuses
    const timeout = Duration.fromInputUnsafe(options.timeout)
    return Stream.interruptWhen(statuses, Effect.andThen(Effect.sleep(timeout), Effect.fail(giveUp(timeout))))
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
  poll: Effect.Effect<Task.TaskResult<A>, RequestError>,
  options: Omit<AwaitOptions<A>, "resultData"> = {}
): Effect.Effect<Task.TaskResultSuccess<A>, ApiError | PollTimeout | TaskFailed> =>
  Effect.flatMap(poller(taskID, poll, options.schedule ?? defaultSchedule), ({ giveUp, next }) => {
    const onProgress = options.onProgress
    const loop: Effect.Effect<Task.TaskResultSuccess<A>, ApiError | PollTimeout | TaskFailed> = Effect.flatMap(
      next,
      (result) => {
        if (result.status === "success") return Effect.succeed(result)
        if (result.status === "failed") return Effect.fail(TaskFailed.fromResult(taskID, result))
        return onProgress === undefined ? loop : Effect.andThen(onProgress(result, taskID), loop)
      }
    )
    return withTimeout(options.timeout, giveUp)(loop)
  })
