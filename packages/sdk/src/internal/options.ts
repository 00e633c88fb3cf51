/**
 * The official SDK's options, read into the Effect client's.
 */
import * as Api from "@oomol-cloud-task/contract/Api"
import type * as CloudTaskClient from "@oomol-cloud-task/effect/CloudTaskClient"
import * as Polling from "@oomol-cloud-task/effect/Polling"
import * as Retry from "@oomol-cloud-task/effect/Retry"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import {
  type AwaitAllOptions,
  type AwaitOptions,
  BackoffStrategy,
  type ClientOptions,
  type LogsOptions
} from "../Options.js"

/** A millisecond option: a finite number ≥ 0 is used, anything else falls back to the default. */
export const millis = (value: number | undefined, fallback: number): number =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : fallback

// The official defaults: every 3000 ms, exponential, capped at 3000 ms.
const DEFAULT_INTERVAL = 3000

/** The polling schedule the official `intervalMs` and `backoff` describe. */
export const schedule = (options: Pick<AwaitOptions, "intervalMs" | "backoff">): Schedule.Schedule<unknown> => {
  const base = millis(options.intervalMs, DEFAULT_INTERVAL)
  return options.backoff?.strategy === BackoffStrategy.Fixed
    ? Polling.fixed(base)
    // The official n-th wait is min(max, intervalMs × 1.5ⁿ) from n = 1: an exponential whose first wait is intervalMs × 1.5.
    : Polling.exponential({ base: base * 1.5, cap: millis(options.backoff?.maxIntervalMs, DEFAULT_INTERVAL) })
}

/**
 * `resultData` as the official SDK treats it: whatever the service sent, typed
 * by the caller, unchecked.
 */
export const resultData: Schema.Codec<unknown> = Schema.Unknown

/** The Effect client's await options for the official ones. */
export const pollingOptions = (options: AwaitOptions | AwaitAllOptions = {}): Polling.AwaitOptions<unknown> => {
  const onProgress = options.onProgress
  return {
    schedule: schedule(options),
    // Only a number > 0 sets a timeout, as in the official SDK.
    timeout: typeof options.timeoutMs === "number" && options.timeoutMs > 0 ? options.timeoutMs : undefined,
    resultData,
    onProgress: onProgress === undefined
      ? undefined
      : (update, taskID) => Effect.sync(() => onProgress(update.progress, update.status, taskID))
  }
}

/** The Effect client's options for `awaitAll`: the polling options, and how many tasks at once (default 16). */
export const awaitAllOptions = (options: AwaitAllOptions = {}) => {
  const concurrency = options.concurrency
  return {
    ...pollingOptions(options),
    concurrency: typeof concurrency === "number" && Number.isFinite(concurrency) && concurrency >= 1
      ? Math.floor(concurrency)
      : 16
  }
}

/** What `logs(…, { follow, intervalMs })` asks of the Effect client: no following, the default schedule, or every `intervalMs`. */
export const follow = (options: LogsOptions = {}): boolean | Schedule.Schedule<unknown> =>
  options.follow !== true
    ? false
    : options.intervalMs === undefined
    ? true
    : Polling.fixed(millis(options.intervalMs, DEFAULT_INTERVAL))

/**
 * The Effect client's options for the official ones (`OomolTaskClient` has
 * already put `OOMOL_BASE_URL` in `baseUrl` when none was given).
 */
export const clientOptions = (options: ClientOptions): CloudTaskClient.Options => ({
  apiKey: options.apiKey === undefined || options.apiKey === "" ? undefined : Redacted.make(options.apiKey),
  baseUrl: options.baseUrl ?? Api.DEFAULT_BASE_URL,
  defaultHeaders: options.defaultHeaders,
  credentials: options.credentials ?? "include",
  retry: typeof options.retries !== "number" || Number.isNaN(options.retries)
    ? undefined
    : options.retries <= 0
    ? Retry.never
    : Retry.make({ times: Math.min(Math.floor(options.retries), 100) }),
  requestTimeout: options.requestTimeoutMs === undefined ? undefined : millis(options.requestTimeoutMs, 30_000)
})
