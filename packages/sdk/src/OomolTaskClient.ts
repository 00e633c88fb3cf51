/**
 * The client a plain-code user calls: the official SDK's class, method for
 * method, running the Effect client underneath.
 *
 * @since 0.1.0
 */
import { CloudTaskClient } from "@oomol-cloud-task/effect"
import type * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Stream from "effect/Stream"
import type { Errors } from "@oomol-cloud-task/effect"
import { fromClientError } from "./internal/failure.js"
import { awaitAllOptions, follow, pollingOptions, resultData } from "./internal/options.js"
import * as Runner from "./internal/runner.js"
import * as Transport from "./internal/transport.js"
import * as Upload from "./internal/upload.js"
import type {
  AwaitAllOptions,
  AwaitOptions,
  ClientOptions,
  CreateAndWaitResponse,
  CreateTaskRequest,
  CreateTaskResponse,
  DashboardResponse,
  LatestTasksResponse,
  ListTasksQuery,
  LogEntry,
  LogsOptions,
  RequestOptions,
  SetTasksPauseResponse,
  SettledTask,
  TaskDetailResponse,
  TaskListItem,
  TaskListResponse,
  TaskLogsOptions,
  TaskLogsResponse,
  TaskResultData,
  TaskResultResponse,
  TaskResultSuccess,
  UploadInput,
  UploadOptions
} from "./Types.js"

// Declared as @types/node and TypeScript's esnext lib declare it, so the
// `[Symbol.asyncDispose]` below type-checks for callers with either or neither.
declare global {
  interface SymbolConstructor {
    readonly asyncDispose: unique symbol
  }
}

type Service = CloudTaskClient.Service

/**
 * A client of OOMOL Cloud Task API v3, a drop-in for the official
 * `oomol-cloud-task-sdk` 1.1.0. Each instance owns its runtime: `dispose()`
 * it (or `await using` it) when done.
 *
 * @example
 * ```ts
 * import { OomolTaskClient } from "oomol-cloud-task-sdk"
 *
 * const client = new OomolTaskClient({ apiKey: process.env.OOMOL_API_KEY })
 * const { taskID, result } = await client.createAndWait({
 *   packageName: "@oomol/my-package",
 *   packageVersion: "1.0.0",
 *   blockName: "main",
 *   inputValues: { text: "hello" }
 * })
 * ```
 *
 * @since 0.1.0
 * @category client
 */
export class OomolTaskClient {
  readonly #runner: Runner.Runner

  constructor(options: ClientOptions = {}) {
    this.#runner = Runner.make(Transport.clientLayer(options))
  }

  #call<A>(use: (client: Service) => Effect.Effect<A, Errors.CloudTaskError>, signal?: AbortSignal): Promise<A> {
    return this.#runner.run(CloudTaskClient.CloudTaskClient.use(use), signal)
  }

  #stream<A>(use: (client: Service) => Stream.Stream<A, Errors.CloudTaskError>, signal?: AbortSignal) {
    return this.#runner.iterate(Stream.unwrap(CloudTaskClient.CloudTaskClient.useSync(use)), signal)
  }

  /** Creates a task. `type` is always sent as `"serverless"`; `webhookUrl` and `metadata` are dropped. */
  createTask(request: CreateTaskRequest, options?: RequestOptions): Promise<CreateTaskResponse> {
    return this.#call((c) => c.createTask(request), options?.signal)
  }

  /** Creates a task and waits until it succeeds (its result) or fails (`TaskFailedError`). */
  createAndWait<T = TaskResultData>(
    request: CreateTaskRequest,
    awaitOptions?: AwaitOptions
  ): Promise<CreateAndWaitResponse<T>> {
    return this.#call((c) => c.createAndWait(request, pollingOptions(awaitOptions)), awaitOptions?.signal) as Promise<
      CreateAndWaitResponse<T>
    >
  }

  /** One page of the current user's tasks. `size` must be an integer from 1 to 100. */
  listTasks(query?: ListTasksQuery, options?: RequestOptions): Promise<TaskListResponse> {
    return this.#call((c) => c.listTasks(query), options?.signal) as Promise<TaskListResponse>
  }

  /** The latest task of each workload: 1 to 50 IDs, as an array or a comma-separated string. */
  getLatestTasks(workloadIDs: ReadonlyArray<string> | string, options?: RequestOptions): Promise<LatestTasksResponse> {
    return this.#call((c) => c.getLatestTasks(workloadIDs), options?.signal) as Promise<LatestTasksResponse>
  }

  /** A task's details. */
  getTask(taskID: string, options?: RequestOptions): Promise<TaskDetailResponse> {
    return this.#call((c) => c.getTask(taskID), options?.signal) as Promise<TaskDetailResponse>
  }

  /** Alias of {@link getTask}. */
  getTaskDetail(taskID: string, options?: RequestOptions): Promise<TaskDetailResponse> {
    return this.getTask(taskID, options)
  }

  /** A task's current result state. */
  getTaskResult<T = TaskResultData>(taskID: string, signal?: AbortSignal): Promise<TaskResultResponse<T>> {
    return this.#call((c) => c.getTaskResult(taskID, { resultData }), signal) as Promise<TaskResultResponse<T>>
  }

  /**
   * Polls until the task succeeds (its result) or fails (`TaskFailedError`).
   * Polling failures that can heal are polled through; a 401, 403 or 404 ends
   * the wait as an `ApiError`.
   */
  awaitResult<T = TaskResultData>(taskID: string, options?: AwaitOptions): Promise<TaskResultResponse<T>> {
    return this.#call((c) => c.awaitResult(taskID, pollingOptions(options)), options?.signal) as Promise<
      TaskResultResponse<T>
    >
  }

  /** Limits, queue counts and pause state. */
  getDashboard(options?: RequestOptions): Promise<DashboardResponse> {
    return this.#call((c) => c.getDashboard(), options?.signal) as Promise<DashboardResponse>
  }

  /** Pauses (`true`) or resumes (`false`) the current user's queue. */
  setTasksPause(paused: boolean, options?: RequestOptions): Promise<SetTasksPauseResponse> {
    return this.#call((c) => c.setTasksPause(paused), options?.signal) as Promise<SetTasksPauseResponse>
  }

  /** Pauses the current user's queue. */
  pauseUserQueue(options?: RequestOptions): Promise<SetTasksPauseResponse> {
    return this.setTasksPause(true, options)
  }

  /** Resumes the current user's queue. */
  resumeUserQueue(options?: RequestOptions): Promise<SetTasksPauseResponse> {
    return this.setTasksPause(false, options)
  }

  /** One page (1-based, about 100 entries) of a task's logs. Not in the official SDK. */
  getTaskLogs(taskID: string, options?: TaskLogsOptions): Promise<TaskLogsResponse> {
    return this.#call((c) => c.getTaskLogs(taskID, { page: options?.page }), options?.signal) as Promise<
      TaskLogsResponse
    >
  }

  /**
   * Every task matching `query`, across pages, fetched as you iterate. Not in
   * the official SDK.
   *
   * @example
   * ```ts
   * for await (const task of client.tasks({ status: "failed" })) console.log(task.taskID)
   * ```
   */
  tasks(query?: ListTasksQuery, options?: RequestOptions): AsyncIterableIterator<TaskListItem> {
    return this.#stream((c) => c.listAllTasks(query), options?.signal) as AsyncIterableIterator<TaskListItem>
  }

  /**
   * Every in-progress result of a task as it is polled, then its terminal one
   * (`success` or `failed`, yielded, not thrown). Takes the options of
   * {@link awaitResult}. Not in the official SDK.
   */
  watch<T = TaskResultData>(taskID: string, options?: AwaitOptions): AsyncIterableIterator<TaskResultResponse<T>> {
    return this.#stream((c) => c.watch(taskID, pollingOptions(options)), options?.signal) as AsyncIterableIterator<
      TaskResultResponse<T>
    >
  }

  /**
   * Every log entry of a task, across pages; with `follow`, keeps reading
   * until the task has ended and its last entries are in. Not in the official
   * SDK.
   */
  logs(taskID: string, options?: LogsOptions): AsyncIterableIterator<LogEntry> {
    return this.#stream((c) => c.logs(taskID, { follow: follow(options) }), options?.signal) as AsyncIterableIterator<
      LogEntry
    >
  }

  /**
   * Waits for many tasks, `concurrency` at a time (default 16), yielding each
   * as it settles, in the order they end. A task's failure is yielded as
   * `{ status: "rejected", reason }`, never thrown; an abort ends the
   * iteration. Not in the official SDK.
   */
  awaitAll<T = TaskResultData>(
    taskIDs: Iterable<string>,
    options?: AwaitAllOptions
  ): AsyncIterableIterator<SettledTask<T>> {
    return this.#stream(
      (c) =>
        Stream.map(
          c.awaitAll(taskIDs, awaitAllOptions(options)),
          ({ result, taskID }): SettledTask<T> =>
            Result.match(result, {
              onFailure: (error) => ({ taskID, status: "rejected", reason: fromClientError(error) }),
              onSuccess: (value) => ({ taskID, status: "fulfilled", value: value as TaskResultSuccess<T> })
            })
        ),
      options?.signal
    )
  }

  /**
   * Uploads a file and resolves with the URL it can be downloaded from (for a
   * day). Takes a `File` or `Blob`, bytes, or in Node a file path (read part
   * by part: memory stays near `concurrency × part size`). At most
   * `concurrency` parts are in flight; each is tried `retries` times.
   */
  uploadFile(file: UploadInput, options?: UploadOptions): Promise<string> {
    return Upload.uploadFile((use, signal) => this.#call(use, signal), file, options)
  }

  /**
   * Ends every call still running (they reject with `ClientDisposedError`) and
   * frees the client's runtime. Later calls reject with `ClientDisposedError`.
   */
  dispose(): Promise<void> {
    return this.#runner.dispose()
  }

  /** `await using client = new OomolTaskClient(…)` disposes it at the end of the block. */
  declare [Symbol.asyncDispose]: () => Promise<void>
}

// Defined only where the runtime has the symbol; elsewhere `dispose()` is the way.
if (typeof Symbol.asyncDispose === "symbol") {
  Object.defineProperty(OomolTaskClient.prototype, Symbol.asyncDispose, {
    value(this: OomolTaskClient) {
      return this.dispose()
    },
    writable: true,
    configurable: true
  })
}
