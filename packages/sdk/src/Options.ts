/**
 * The options and callbacks of the official SDK's methods.
 *
 * @since 0.1.0
 */
import type { InProgressTaskStatus, TaskResultData, TaskResultSuccess } from "./Types.js"

/**
 * How polling intervals grow: `"fixed"` polls every `intervalMs`; `"exp"`
 * waits `min(maxIntervalMs, intervalMs × 1.5ⁿ)` after the n-th poll.
 *
 * @since 0.1.0
 * @category options
 */
export const BackoffStrategy = {
  Fixed: "fixed",
  Exponential: "exp"
} as const
/** @since 0.1.0 @category options */
export type BackoffStrategy = (typeof BackoffStrategy)[keyof typeof BackoffStrategy]
/** Lets `BackoffStrategy.Fixed` name a type too, as an enum member would. @since 0.1.0 */
export declare namespace BackoffStrategy {
  /** @since 0.1.0 */
  export type Fixed = typeof BackoffStrategy.Fixed
  /** @since 0.1.0 */
  export type Exponential = typeof BackoffStrategy.Exponential
}

/** @since 0.1.0 @category options */
export interface BackoffOptions {
  /** Default `BackoffStrategy.Exponential`. */
  strategy?: BackoffStrategy | undefined
  /** The longest wait between polls. Default 3000. */
  maxIntervalMs?: number | undefined
}

/**
 * Called with every in-progress answer while waiting.
 *
 * @since 0.1.0
 * @category options
 */
export type ProgressCallback = (progress: number, status: InProgressTaskStatus) => void

/**
 * How {@link OomolTaskClient.awaitResult} and `createAndWait` wait.
 *
 * @since 0.1.0
 * @category options
 */
export interface AwaitOptions {
  /** The base polling interval. Default 3000. */
  intervalMs?: number | undefined
  /** Give up with a `TimeoutError` after this long; only a number > 0 sets a timeout. */
  timeoutMs?: number | undefined
  /** Aborting it rejects at once with an `AbortError`, also between polls. */
  signal?: AbortSignal | undefined
  /** Called with every in-progress answer. */
  onProgress?: ProgressCallback | undefined
  /** How the interval grows. Default: exponential, capped at 3000 ms. */
  backoff?: BackoffOptions | undefined
}

/**
 * Options of the calls that send one request: an `AbortSignal` to cancel it.
 *
 * @since 0.1.0
 * @category options
 */
export interface RequestOptions {
  signal?: AbortSignal | undefined
}

/**
 * Options of {@link OomolTaskClient.uploadFile}.
 *
 * @since 0.1.0
 * @category options
 */
export interface UploadOptions {
  /** The upload API. Default `https://llm.oomol.com/api/tasks/files/remote-cache`. */
  uploadBaseUrl?: string | undefined
  /** Tries of each part in all, 1 s then twice as long apart (at most 30 s). Default 3. */
  retries?: number | undefined
  /** Called with an integer 0..100 that never goes back; 100 only once the file's URL is in hand. */
  onProgress?: ((progress: number) => void) | undefined
  /** Aborting it stops every part at once; the upload rejects with `UploadError` code `UPLOAD_CANCELLED`. */
  signal?: AbortSignal | undefined
  /** Parts sent at once. Default 4. Not in the official SDK, which sends them all at once. */
  concurrency?: number | undefined
  /** The name the file is stored under (its extension matters). Default: the `File`'s or the path's name. */
  fileName?: string | undefined
}

/**
 * What {@link OomolTaskClient.uploadFile} accepts: a `File` or `Blob`; bytes
 * (`Uint8Array`, a Node `Buffer`, `ArrayBuffer`); in Node, a file path, read
 * part by part so a file of any size uploads in little memory.
 *
 * @since 0.1.0
 * @category options
 */
export type UploadInput = Blob | Uint8Array | ArrayBuffer | string

/** @since 0.1.0 @category options */
export type UploadProgressCallback = (progress: number) => void

/**
 * How a client reaches the service.
 *
 * @since 0.1.0
 * @category options
 */
export interface ClientOptions {
  /** Sent as `Authorization: Bearer <apiKey>`. Without it, a browser relies on its session cookie. */
  apiKey?: string | undefined
  /**
   * The task API. Default: the `OOMOL_BASE_URL` environment variable where
   * there is one, else `https://cloud-task.oomol.com`. A trailing `/`, `/v1`
   * or `/v3` is ignored.
   */
  baseUrl?: string | undefined
  /**
   * A `fetch` to send every request with. Default: the global `fetch` in a
   * browser; in Node, undici directly (cheaper per request than Node's `fetch`).
   */
  fetch?: typeof globalThis.fetch | undefined
  /** Headers for every request (never for presigned upload URLs). */
  defaultHeaders?: Record<string, string> | undefined
  /** The fetch `credentials` mode. Default `"include"`. */
  credentials?: RequestCredentials | undefined
  /**
   * How many more times a request that failed for a passing reason (no
   * answer, 408, 429, 5xx) is tried. Default 3; `0` never retries. A task
   * creation is only sent again when the service cannot have taken it.
   */
  retries?: number | undefined
  /** How long one request may take, in milliseconds. Default 30000; `0` sets no timeout. */
  requestTimeoutMs?: number | undefined
}

/**
 * Options of {@link OomolTaskClient.getTaskLogs}.
 *
 * @since 0.1.0
 * @category options
 */
export interface TaskLogsOptions extends RequestOptions {
  /** 1-based; about 100 entries a page. Default 1. */
  page?: number | undefined
}

/**
 * Options of {@link OomolTaskClient.logs}.
 *
 * @since 0.1.0
 * @category options
 */
export interface LogsOptions extends RequestOptions {
  /** Keep reading until the task has ended and its last entries are in. */
  follow?: boolean | undefined
  /** How often to read again when following. Default 3000. */
  intervalMs?: number | undefined
}

/**
 * Options of {@link OomolTaskClient.awaitAll}: every {@link AwaitOptions}
 * (applied to each task), how many tasks to poll at once, and a progress
 * callback that names the task.
 *
 * @since 0.1.0
 * @category options
 */
export interface AwaitAllOptions extends Omit<AwaitOptions, "onProgress"> {
  /** How many tasks are polled at once. Default 16. */
  concurrency?: number | undefined
  onProgress?: ((progress: number, status: InProgressTaskStatus, taskID: string) => void) | undefined
}

/**
 * How one task of {@link OomolTaskClient.awaitAll} settled, in the spirit of
 * `Promise.allSettled`, with the task's ID.
 *
 * @since 0.1.0
 * @category responses
 */
export type SettledTask<T = TaskResultData> =
  | { taskID: string; status: "fulfilled"; value: TaskResultSuccess<T> }
  | { taskID: string; status: "rejected"; reason: Error }
