/**
 * The types of the official SDK, derived from the wire contract's schemas.
 *
 * Schema types are deeply `readonly`; the official SDK's are not, and code
 * written for it may push to a returned array or pass it where a mutable one is
 * expected. So every response type here is the contract's type made writable.
 *
 * @since 0.1.0
 */
import type * as Logs from "@oomol-cloud-task/contract/Logs"
import type * as Queue from "@oomol-cloud-task/contract/Queue"
import type * as Task from "@oomol-cloud-task/contract/Task"

/** A contract type as the official SDK spells it: writable all the way down, `unknown` left alone. */
type Writable<T> = unknown extends T ? T
  : T extends ReadonlyArray<infer A> ? Array<Writable<A>>
  : T extends object ? { -readonly [K in keyof T]: Writable<T[K]> }
  : T

/**
 * Where a task is in its life: `queued`, `scheduling`, `scheduled`,
 * `running`, then `success` or `failed`.
 *
 * @since 0.1.0
 * @category models
 */
export type TaskStatus = Task.TaskStatus

/** @since 0.1.0 @category models */
export type InProgressTaskStatus = Task.InProgressStatus

/** @since 0.1.0 @category models */
export type TaskTerminalStatus = Task.TerminalStatus

/** @since 0.1.0 @category models */
export type TaskType = Task.TaskType

/** @since 0.1.0 @category models */
export type WorkloadType = Task.WorkloadType

/** Why a queue is paused. @since 0.1.0 @category models */
export type QueuePauseType = NonNullable<Queue.PauseType>

/**
 * What a successful task returns unless you name another type: a list of
 * objects.
 *
 * @since 0.1.0
 * @category models
 */
export type TaskResultData = Writable<Task.DefaultResultData>

/**
 * A task to create. Only serverless tasks exist: `type` is always sent as
 * `"serverless"`; `webhookUrl` and `metadata` are accepted for old callers and
 * never sent.
 *
 * @since 0.1.0
 * @category requests
 */
export type CreateTaskRequest = Omit<Writable<Task.CreateTaskBody>, "type"> & {
  type?: "serverless" | undefined
  /** @deprecated Ignored: never sent. */
  webhookUrl?: string | undefined
  /** @deprecated Ignored: never sent. */
  metadata?: Record<string, unknown> | undefined
}

/** @since 0.1.0 @category responses */
export type CreateTaskResponse = Writable<Task.CreateTaskResponse>

/** @since 0.1.0 @category responses */
export type TaskCreateResponse = CreateTaskResponse

/**
 * Filters of {@link OomolTaskClient.listTasks}: `size` is an integer from 1 to
 * 100; empty values are not sent.
 *
 * @since 0.1.0
 * @category requests
 */
export type ListTasksQuery = Writable<Task.ListTasksQuery>

/** @since 0.1.0 @category responses */
export type TaskListItem = Writable<Task.TaskListItem>

/** @since 0.1.0 @category responses */
export type TaskListResponse = Writable<Task.TaskListResponse>

/** @since 0.1.0 @category responses */
export type LatestTaskItem = Writable<Task.LatestTaskItem>

/** @since 0.1.0 @category responses */
export type LatestTasksResponse = Writable<Task.LatestTasksResponse>

/** @since 0.1.0 @category responses */
export type UserTaskDetail = Writable<typeof Task.UserTaskDetail.Type>

/** @since 0.1.0 @category responses */
export type SharedTaskDetail = Writable<typeof Task.SharedTaskDetail.Type>

/** @since 0.1.0 @category responses */
export type TaskDetailResponse = Writable<Task.TaskDetail>

/** @since 0.1.0 @category responses */
export type TaskResultInProgress = Writable<Task.TaskResultInProgress>

/** @since 0.1.0 @category responses */
export type TaskResultFailed = Writable<Task.TaskResultFailed>

/**
 * A successful result. `resultData` has the type you name; it is passed
 * through unchecked, as the official SDK does.
 *
 * @since 0.1.0
 * @category responses
 */
export type TaskResultSuccess<T = TaskResultData> = { -readonly [K in keyof Task.TaskResultSuccess<T>]: Task.TaskResultSuccess<T>[K] }

/**
 * A task's result state, discriminated by `status`.
 *
 * @since 0.1.0
 * @category responses
 */
export type TaskResultResponse<T = TaskResultData> = TaskResultInProgress | TaskResultSuccess<T> | TaskResultFailed

/** @since 0.1.0 @category responses */
export type TaskResult<T = TaskResultData> = TaskResultResponse<T>

/** @since 0.1.0 @category responses */
export interface CreateAndWaitResponse<T = TaskResultData> {
  taskID: string
  result: TaskResultResponse<T>
}

/** @since 0.1.0 @category responses */
export type DashboardResponse = Writable<Queue.Dashboard>

/** @since 0.1.0 @category responses */
export type SetTasksPauseResponse = Writable<Queue.PauseResponse>

/**
 * One reporter event of a task's logs (`BlockLog`, `BlockOutput`, …); nested
 * values the service sends as JSON text arrive parsed.
 *
 * @since 0.1.0
 * @category responses
 */
export type LogEntry = Writable<Logs.LogEntry>

/** @since 0.1.0 @category responses */
export type TaskLogsResponse = Writable<Logs.LogsResponse>

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
