/**
 * What a facade client runs: the Effect client in a runtime of its own
 * (`runner.ts`), and each operation of `OomolTaskClient` on it, as a Promise
 * or an async iterator. In Node it is loaded when the first client is
 * created, not when the package is imported (see `loader.ts`).
 */
import * as CloudTaskClient from "@oomol-cloud-task/effect/CloudTaskClient"
import type * as Errors from "@oomol-cloud-task/effect/Errors"
import type * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
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
} from "../Options.js"
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
  TaskResultResponse,
  TaskResultSuccess
} from "../Types.js"
import { InvalidInputError } from "../Errors.js"
import { fromClientError } from "./failure.js"
import { awaitAllOptions, follow, pollingOptions, resultData } from "./options.js"
import * as Runner from "./runner.js"
import * as Transport from "./transport.js"
import * as Upload from "./upload.js"

type Service = CloudTaskClient.Service

const isIterable = (value: unknown): value is Iterable<unknown> =>
  typeof value === "object" && value !== null && typeof (value as Iterable<unknown>)[Symbol.iterator] === "function"

/** An iterator whose first `next()` rejects with `error`. */
async function* refused<A>(error: Error): AsyncGenerator<A, void, undefined> {
  throw error
}

/**
 * The operations of one facade client, each as `OomolTaskClient` documents it.
 * Options given as `null` (from JavaScript) are no options, as `undefined` is.
 */
export class Engine {
  readonly #runner: Runner.Runner

  constructor(options: ClientOptions) {
    this.#runner = Runner.make(Transport.clientLayer(options))
  }

  #call<A>(use: (client: Service) => Effect.Effect<A, Errors.CloudTaskError>, signal?: AbortSignal): Promise<A> {
    return this.#runner.run(CloudTaskClient.CloudTaskClient.use(use), signal)
  }

  #stream<A, B = A>(
    use: (client: Service) => Stream.Stream<A, Errors.CloudTaskError>,
    signal?: AbortSignal,
    each?: (item: A) => B
  ) {
    return this.#runner.iterate(Stream.unwrap(CloudTaskClient.CloudTaskClient.useSync(use)), signal, each)
  }

  createTask(request: CreateTaskRequest, options?: RequestOptions): Promise<CreateTaskResponse> {
    return this.#call((c) => c.createTask(request), options?.signal)
  }

  createAndWait<T>(request: CreateTaskRequest, given?: AwaitOptions | null): Promise<CreateAndWaitResponse<T>> {
    const options = given ?? undefined
    return this.#call((c) => c.createAndWait(request, pollingOptions(options)), options?.signal) as Promise<
      CreateAndWaitResponse<T>
    >
  }

  listTasks(query?: ListTasksQuery, options?: RequestOptions): Promise<TaskListResponse> {
    return this.#call((c) => c.listTasks(query), options?.signal) as Promise<TaskListResponse>
  }

  getLatestTasks(workloadIDs: ReadonlyArray<string> | string, options?: RequestOptions): Promise<LatestTasksResponse> {
    return this.#call((c) => c.getLatestTasks(workloadIDs), options?.signal) as Promise<LatestTasksResponse>
  }

  getTask(taskID: string, options?: RequestOptions): Promise<TaskDetailResponse> {
    return this.#call((c) => c.getTask(taskID), options?.signal) as Promise<TaskDetailResponse>
  }

  getTaskResult<T>(taskID: string, signal?: AbortSignal): Promise<TaskResultResponse<T>> {
    return this.#call((c) => c.getTaskResult(taskID, { resultData }), signal) as Promise<TaskResultResponse<T>>
  }

  awaitResult<T>(taskID: string, given?: AwaitOptions | null): Promise<TaskResultResponse<T>> {
    const options = given ?? undefined
    return this.#call((c) => c.awaitResult(taskID, pollingOptions(options)), options?.signal) as Promise<
      TaskResultResponse<T>
    >
  }

  getDashboard(options?: RequestOptions): Promise<DashboardResponse> {
    return this.#call((c) => c.getDashboard(), options?.signal) as Promise<DashboardResponse>
  }

  setTasksPause(paused: boolean, options?: RequestOptions): Promise<SetTasksPauseResponse> {
    return this.#call((c) => c.setTasksPause(paused), options?.signal) as Promise<SetTasksPauseResponse>
  }

  getTaskLogs(taskID: string, options?: TaskLogsOptions): Promise<TaskLogsResponse> {
    return this.#call((c) => c.getTaskLogs(taskID, { page: options?.page }), options?.signal) as Promise<
      TaskLogsResponse
    >
  }

  tasks(query?: ListTasksQuery, options?: RequestOptions): AsyncIterableIterator<TaskListItem> {
    return this.#stream((c) => c.listAllTasks(query), options?.signal) as AsyncIterableIterator<TaskListItem>
  }

  watch<T>(taskID: string, given?: AwaitOptions | null): AsyncIterableIterator<TaskResultResponse<T>> {
    const options = given ?? undefined
    return this.#stream((c) => c.watch(taskID, pollingOptions(options)), options?.signal) as AsyncIterableIterator<
      TaskResultResponse<T>
    >
  }

  logs(taskID: string, given?: LogsOptions | null): AsyncIterableIterator<LogEntry> {
    const options = given ?? undefined
    return this.#stream((c) => c.logs(taskID, { follow: follow(options) }), options?.signal) as AsyncIterableIterator<
      LogEntry
    >
  }

  awaitAll<T>(taskIDs: Iterable<string>, given?: AwaitAllOptions | null): AsyncIterableIterator<SettledTask<T>> {
    const options = given ?? undefined
    // A string is iterable (TypeScript takes one), but its characters are not task IDs.
    if (typeof taskIDs === "string" || !isIterable(taskIDs)) {
      return refused(new InvalidInputError("taskIDs must be an array or other iterable of task IDs, not a string"))
    }
    return this.#stream(
      (c) => c.awaitAll(taskIDs, awaitAllOptions(options)),
      options?.signal,
      ({ result, taskID }): SettledTask<T> =>
        result._tag === "Success"
          ? { taskID, status: "fulfilled", value: result.success as TaskResultSuccess<T> }
          : { taskID, status: "rejected", reason: fromClientError(result.failure) }
    )
  }

  uploadFile(file: UploadInput, options?: UploadOptions | null): Promise<string> {
    return Upload.uploadFile((use, signal) => this.#call(use, signal), file, options ?? undefined)
  }

  dispose(): Promise<void> {
    return this.#runner.dispose()
  }
}
