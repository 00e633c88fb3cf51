/**
 * When a failed request is tried again, and how long to wait first.
 *
 * The policy is a `Schedule` fed with each failure, so a caller can replace it
 * with any schedule. Which failures are tried again is fixed by the kind of
 * request: an idempotent request (every GET, pause, resume) on any transient
 * failure; a task creation only when the service provably did not take it.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type { RequestError } from "./Errors.js"
import { capped, upTo } from "./internal/capped.js"
import * as Defaults from "./internal/defaults.js"
import * as Sent from "./internal/requestSent.js"

/**
 * A retry policy: a schedule whose input is the failure just seen.
 *
 * @since 0.1.0
 * @category policy
 */
export type RetryPolicy = Schedule.Schedule<unknown, RequestError>

const transientStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

/**
 * A failure worth another try of an idempotent request: no answer, or a 408,
 * 429, 500, 502, 503 or 504. Not a failure that sending again cannot heal (a
 * certificate no one trusts, a port the platform blocks, a request it refuses
 * to build).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransient = (error: RequestError): boolean =>
  (error._tag === "NetworkError" && !Sent.cannotHeal(error.cause)) ||
  (error._tag === "ApiError" && transientStatuses.has(error.status))

/**
 * A failure after which sending a task creation again cannot create a second
 * task: the connection was never made, or the service refused the request
 * before taking it (408 Request Timeout, 429 Too Many Requests).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isNotTaken = (error: RequestError): boolean =>
  (error._tag === "NetworkError" && !error.requestSent) ||
  (error._tag === "ApiError" && (error.status === 408 || error.status === 429))

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category policy
 */
export interface RetryOptions {
  /** Tries after the first. Default 3. */
  readonly times?: number
  /** The first wait, doubled each time. Default 500 ms. */
  readonly base?: Duration.Input
  /** No wait is longer. Default 10 s. */
  readonly cap?: Duration.Input
  /**
   * A `Retry-After` longer than this ends the retries (the error keeps the
   * wait the service asked for). Default 60 s.
   */
  readonly maxRetryAfter?: Duration.Input
}

const retryAfterOf = (error: RequestError) => (error._tag === "ApiError" ? error.retryAfter : undefined)

/**
 * Capped exponential backoff with jitter that honours `Retry-After`: waits
 * `base × 2ⁿ` (±20 % jitter, never above `cap`), at most `times` times; when
 * the service sent `Retry-After`, waits at least that long, and gives up when
 * it asks for more than `maxRetryAfter`.
 *
 * @since 0.1.0
 * @category policy
 */
export const make = (options: RetryOptions = {}): RetryPolicy => {
  const maxRetryAfter = Duration.fromInputUnsafe(options.maxRetryAfter ?? Defaults.maxRetryAfter)
  // Typed by its input, failures of a request, as `Schedule.setInputType` would.
  const backoff: Schedule.Schedule<Duration.Duration, RequestError> = Schedule.jittered(
    Schedule.exponential(options.base ?? Defaults.retryBase, 2)
  )
  return capped(backoff, options.cap ?? Defaults.retryCap).pipe(
    upTo(options.times ?? Defaults.retryTimes),
    Schedule.while(({ input }) => {
      const wait = retryAfterOf(input)
      return wait === undefined || Duration.isLessThanOrEqualTo(wait, maxRetryAfter)
    }),
    Schedule.modifyDelay(({ duration, input }) => {
      const wait = retryAfterOf(input)
      // The longer of the two (no `Duration.max`, which no other browser code needs).
      return Effect.succeed(wait === undefined || Duration.toMillis(wait) <= Duration.toMillis(duration) ? duration : wait)
    })
  )
}

/**
 * The policy used unless a client is given another: {@link make} with its
 * defaults (3 more tries, 500 ms doubling, 10 s cap, `Retry-After` up to 60 s).
 *
 * @since 0.1.0
 * @category policy
 */
export const defaultPolicy: RetryPolicy = make()

/**
 * A policy that never tries again.
 *
 * @since 0.1.0
 * @category policy
 */
export const never: RetryPolicy = Schedule.while(Schedule.spaced(0), () => false) // ends at once, as Schedule.recurs(0)

/**
 * Reads a `Retry-After` header: delay-seconds or an HTTP date (relative to
 * `now`). Anything else is ignored.
 *
 * @since 0.1.0
 * @category headers
 */
export const parseRetryAfter = (value: string | undefined, now: number): Duration.Duration | undefined => {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Duration.seconds(Number(text))
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Duration.millis(Math.max(0, date - now))
}

/**
 * Runs an effect, trying it again on `policy` while `shouldRetry` holds
 * (`Effect.retry` with the policy, the predicate built in once).
 *
 * @since 0.1.0
 * @category policy
 */
export const retrying = (policy: RetryPolicy, shouldRetry: (error: RequestError) => boolean) => {
  const schedule = Schedule.while(policy, ({ input }) => shouldRetry(input))
  return <A, E extends RequestError, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.retry(effect, schedule)
}
