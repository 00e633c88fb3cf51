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
import { Task } from "@oomol-cloud-task/contract"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { type ApiError, PollTimeout, type RequestError, TaskFailed } from "./Errors.js"

/**
 * A poll every `interval`, the official `BackoffStrategy.Fixed`.
 *
 * @since 0.1.0
 * @category schedules
 */
export const fixed = (interval: Duration.DurationInput): Schedule.Schedule<unknown> =>
  Schedule.asVoid(Schedule.spaced(interval))

/**
 * The official `BackoffStrategy.Exponential`: the n-th wait is
 * `min(cap, base × factor^n)` for n = 1, 2, …
 *
 * @since 0.1.0
 * @category schedules
 */
export const exponential = (options: {
  readonly base: Duration.DurationInput
  readonly cap: Duration.DurationInput
  readonly factor?: number
}): Schedule.Schedule<unknown> => {
  const factor = options.factor ?? 1.5
  return Schedule.exponential(Duration.times(Duration.decode(options.base), factor), factor).pipe(
    Schedule.union(Schedule.spaced(options.cap)),
    Schedule.asVoid
  )
}

/**
 * The official defaults: exponential from 3000 ms, factor 1.5, capped at
 * 3000 ms (so, with these defaults, a poll every 3 s).
 *
 * @since 0.1.0
 * @category schedules
 */
export const defaultSchedule: Schedule.Schedule<unknown> = exponential({ base: "3 seconds", cap: "3 seconds" })

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
  readonly timeout?: Duration.DurationInput | undefined
  /** Decodes a successful task's `resultData`. Default: a list of objects. */
  readonly resultData?: Schema.Schema<A, any, never> | undefined
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

const isInProgress = <A>(result: Task.TaskResult<A>): result is Task.TaskResultInProgress =>
  !Task.isTerminal(result.status)

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
  Stream.suspend(() => {
    const lastError = Ref.unsafeMake(Option.none<RequestError>())
    const lastMessage = Effect.map(Ref.get(lastError), Option.map((e) => e.message))
    const giveUp = (timeout: Duration.Duration | undefined) =>
      Effect.flatMap(lastMessage, (last) => Effect.fail(PollTimeout.after(taskID, timeout, Option.getOrUndefined(last))))

    const tick = Effect.either(poll).pipe(
      Effect.flatMap(Either.match({
        onLeft: (error) =>
          isPermanent(error)
            ? Effect.fail(error)
            : Effect.as(Ref.set(lastError, Option.some(error)), Option.none<Task.TaskResult<A>>()),
        onRight: (result) => Effect.succeed(Option.some(result))
      }))
    )

    const onProgress = options.onProgress
    const ended = Ref.unsafeMake(false)
    const statuses = Stream.repeatEffectWithSchedule(tick, options.schedule ?? defaultSchedule).pipe(
      Stream.filterMap((result) => result),
      Stream.takeUntil((result) => Task.isTerminal(result.status)),
      Stream.tap((result) =>
        isInProgress(result) ? (onProgress === undefined ? Effect.void : onProgress(result, taskID)) : Ref.set(ended, true)
      ),
      // A schedule that stops before the task ends is a timeout of the caller's making.
      Stream.concat(Stream.execute(Effect.flatMap(Ref.get(ended), (done) => (done ? Effect.void : giveUp(undefined)))))
    )
    if (options.timeout === undefined) return statuses
    const timeout = Duration.decode(options.timeout)
    return Stream.interruptWhen(statuses, Effect.zipRight(Effect.sleep(timeout), giveUp(timeout)))
  })

/**
 * The success of a task: the last status {@link watch} reports, or a
 * `TaskFailed` when the task failed.
 *
 * The same polls, schedule and failures as `watch`, as one loop instead of a
 * stream: an await that is only waiting holds a fiber, the schedule's state
 * and a sleep, about a fifth of the memory the stream's stages take
 * (`pnpm bench`).
 *
 * @since 0.1.0
 * @category waiting
 */
export const awaitResult = <A>(
  taskID: string,
  poll: Effect.Effect<Task.TaskResult<A>, RequestError>,
  options: Omit<AwaitOptions<A>, "resultData"> = {}
): Effect.Effect<Task.TaskResultSuccess<A>, ApiError | PollTimeout | TaskFailed> =>
  Effect.suspend(() => {
    let lastError: RequestError | undefined
    const giveUp = (timeout: Duration.Duration | undefined) => PollTimeout.after(taskID, timeout, lastError?.message)
    const onProgress = options.onProgress
    const polling = Effect.flatMap(Schedule.driver(options.schedule ?? defaultSchedule), (driver) => {
      // The schedule sees what watch's does: the answer, or none after a failure that can heal.
      const next = (input: Option.Option<Task.TaskResult<A>>) =>
        Effect.matchEffect(driver.next(input), {
          // A schedule that stops before the task ends is a timeout of the caller's making.
          onFailure: () => Effect.fail(giveUp(undefined)),
          onSuccess: () => tick
        })
      const tick: Effect.Effect<Task.TaskResultSuccess<A>, ApiError | PollTimeout | TaskFailed> = Effect.flatMap(
        Effect.either(poll),
        (answer) => {
          if (Either.isLeft(answer)) {
            if (isPermanent(answer.left)) return Effect.fail(answer.left)
            lastError = answer.left
            return next(Option.none())
          }
          const result = answer.right
          if (result.status === "success") return Effect.succeed(result)
          if (result.status === "failed") return Effect.fail(TaskFailed.fromResult(taskID, result))
          return onProgress === undefined
            ? next(Option.some(result))
            : Effect.zipRight(onProgress(result, taskID), next(Option.some(result)))
        }
      )
      return tick
    })
    if (options.timeout === undefined) return polling
    const timeout = Duration.decode(options.timeout)
    return Effect.timeoutFail(polling, { duration: timeout, onTimeout: () => giveUp(timeout) })
  })
