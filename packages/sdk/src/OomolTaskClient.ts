/**
 * The client a plain-code user calls: the official SDK's class, method for
 * method, running the Effect client underneath.
 *
 * @since 0.1.0
 */
import type { Engine } from "./internal/engine.js"
import * as Loader from "./internal/loader.js"
import type {
  AwaitAllOptions,
  AwaitOptions,
  ClientOptions,
  LogsOptions,
  RequestOptions,
  SettledTask,
  TaskLogsOptions,
  UploadInput,
  UploadOptions
} from "./Options.js"
import type {
  CreateAndWaitResponse,
  CreateTaskRequest,
  CreateTaskResponse,
  DashboardResponse,
  LatestTasksResponse,
  ListTasksQuery,
  LogEntry,
  SetTasksPauseResponse,
  TaskDetailResponse,
  TaskListItem,
  TaskListResponse,
  TaskLogsResponse,
  TaskResultData,
  TaskResultResponse
} from "./Types.js"

// Declared as @types/node and TypeScript's esnext lib declare it, so the
// `[Symbol.asyncDispose]` below type-checks for callers with either or neither.
declare global {
  interface SymbolConstructor {
    readonly asyncDispose: unique symbol
  }
}

// A browser has no `process`; a Node program may set the base URL for every client.
const environmentBaseUrl = (): string | undefined => {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
  const value = env?.OOMOL_BASE_URL
  return value === undefined || value.trim() === "" ? undefined : value
}

// An iterator whose first `next()` waits for the engine; `return()` and
// `throw()` reach the engine's own iterator once it has started.
async function* waitFor<A>(engine: Promise<Engine>, iterate: (engine: Engine) => AsyncIterableIterator<A>) {
  yield* iterate(await engine)
}

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
  // The Effect client under this one, with its runtime. Its module is loaded
  // by the first client created (see `internal/loader.ts`): calls made until
  // then wait for it, in the order they were made; later ones go straight to
  // it, as if there were no loading at all.
  readonly #engine: Promise<Engine>
  #ready: Engine | undefined

  constructor(options: ClientOptions = {}) {
    // Read now, as the options were always read: each option, and OOMOL_BASE_URL.
    const settings: ClientOptions = {
      apiKey: options.apiKey,
      baseUrl: options.baseUrl ?? environmentBaseUrl(),
      fetch: options.fetch,
      defaultHeaders: options.defaultHeaders,
      credentials: options.credentials,
      retries: options.retries,
      requestTimeoutMs: options.requestTimeoutMs
    }
    this.#engine = Loader.engine().then(({ Engine }) => (this.#ready = new Engine(settings)))
    // A client never called does not report a failed load; its calls do.
    this.#engine.catch(() => {})
  }

  #call<A>(use: (engine: Engine) => Promise<A>): Promise<A> {
    const ready = this.#ready
    return ready === undefined ? this.#engine.then(use) : use(ready)
  }

  #iterate<A>(use: (engine: Engine) => AsyncIterableIterator<A>): AsyncIterableIterator<A> {
    const ready = this.#ready
    return ready === undefined ? waitFor(this.#engine, use) : use(ready)
  }

  /** Creates a task. `type` is always sent as `"serverless"`; `webhookUrl` and `metadata` are dropped. */
  createTask(request: CreateTaskRequest, options?: RequestOptions): Promise<CreateTaskResponse> {
    return this.#call((engine) => engine.createTask(request, options))
  }

  /** Creates a task and waits until it succeeds (its result) or fails (`TaskFailedError`). */
  createAndWait<T = TaskResultData>(
    request: CreateTaskRequest,
    awaitOptions?: AwaitOptions
  ): Promise<CreateAndWaitResponse<T>> {
    return this.#call((engine) => engine.createAndWait<T>(request, awaitOptions))
  }

  /** One page of the current user's tasks. `size` must be an integer from 1 to 100. */
  listTasks(query?: ListTasksQuery, options?: RequestOptions): Promise<TaskListResponse> {
    return this.#call((engine) => engine.listTasks(query, options))
  }

  /** The latest task of each workload: 1 to 50 IDs, as an array or a comma-separated string. */
  getLatestTasks(workloadIDs: ReadonlyArray<string> | string, options?: RequestOptions): Promise<LatestTasksResponse> {
    return this.#call((engine) => engine.getLatestTasks(workloadIDs, options))
  }

  /** A task's details. */
  getTask(taskID: string, options?: RequestOptions): Promise<TaskDetailResponse> {
    return this.#call((engine) => engine.getTask(taskID, options))
  }

  /** Alias of {@link getTask}. */
  getTaskDetail(taskID: string, options?: RequestOptions): Promise<TaskDetailResponse> {
    return this.getTask(taskID, options)
  }

  /** A task's current result state. */
  getTaskResult<T = TaskResultData>(taskID: string, signal?: AbortSignal): Promise<TaskResultResponse<T>> {
    return this.#call((engine) => engine.getTaskResult<T>(taskID, signal))
  }

  /**
   * Polls until the task succeeds (its result) or fails (`TaskFailedError`).
   * Polling failures that can heal are polled through; a 401, 403 or 404 ends
   * the wait as an `ApiError`.
   */
  awaitResult<T = TaskResultData>(taskID: string, options?: AwaitOptions): Promise<TaskResultResponse<T>> {
    return this.#call((engine) => engine.awaitResult<T>(taskID, options))
  }

  /** Limits, queue counts and pause state. */
  getDashboard(options?: RequestOptions): Promise<DashboardResponse> {
    return this.#call((engine) => engine.getDashboard(options))
  }

  /** Pauses (`true`) or resumes (`false`) the current user's queue. */
  setTasksPause(paused: boolean, options?: RequestOptions): Promise<SetTasksPauseResponse> {
    return this.#call((engine) => engine.setTasksPause(paused, options))
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
    return this.#call((engine) => engine.getTaskLogs(taskID, options))
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
    return this.#iterate((engine) => engine.tasks(query, options))
  }

  /**
   * Every in-progress result of a task as it is polled, then its terminal one
   * (`success` or `failed`, yielded, not thrown). Takes the options of
   * {@link awaitResult}. Not in the official SDK.
   */
  watch<T = TaskResultData>(taskID: string, options?: AwaitOptions): AsyncIterableIterator<TaskResultResponse<T>> {
    return this.#iterate((engine) => engine.watch<T>(taskID, options))
  }

  /**
   * Every log entry of a task, across pages; with `follow`, keeps reading
   * until the task has ended and its last entries are in. Not in the official
   * SDK.
   */
  logs(taskID: string, options?: LogsOptions): AsyncIterableIterator<LogEntry> {
    return this.#iterate((engine) => engine.logs(taskID, options))
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
    return this.#iterate((engine) => engine.awaitAll<T>(taskIDs, options))
  }

  /**
   * Uploads a file and resolves with the URL it can be downloaded from (for a
   * day). Takes a `File` or `Blob`, bytes, or in Node a file path (read part
   * by part: memory stays near `concurrency × part size`). At most
   * `concurrency` parts are in flight; each is tried `retries` times.
   */
  uploadFile(file: UploadInput, options?: UploadOptions): Promise<string> {
    return this.#call((engine) => engine.uploadFile(file, options))
  }

  /**
   * Ends every call still running (they reject with `ClientDisposedError`) and
   * frees the client's runtime. Later calls reject with `ClientDisposedError`.
   */
  dispose(): Promise<void> {
    return this.#call((engine) => engine.dispose())
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
