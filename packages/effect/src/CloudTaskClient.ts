/**
 * The client: one service whose every endpoint is an `Effect` (or a `Stream`)
 * with a decoded value and an exact error union. The service is
 * `CloudTaskClient.CloudTaskClient`, named as Effect names its own
 * (`HttpClient.HttpClient`).
 *
 * @example
 * ```ts
 * import { CloudTaskClient } from "@oomol-cloud-task/effect"
 * import { Effect, Layer } from "effect"
 * import { FetchHttpClient } from "effect/http"
 *
 * const queued = CloudTaskClient.CloudTaskClient.use((client) => client.getDashboard())
 * const ClientLive = CloudTaskClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * Effect.runPromise(Effect.provide(queued, ClientLive)).then(({ count }) => console.log(count.queued))
 * ```
 *
 * @since 0.1.0
 */
import type * as Logs from "@oomol-cloud-task/contract/Logs"
import type * as Queue from "@oomol-cloud-task/contract/Queue"
import type * as Task from "@oomol-cloud-task/contract/Task"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Result from "effect/Result"
import type * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type {
  ApiError,
  InvalidInput,
  NetworkError,
  PollTimeout,
  RequestError,
  ResultDataMismatch,
  TaskFailed,
  TaskMayExist
} from "./Errors.js"
import * as Client from "./internal/client.js"
import * as Defaults from "./internal/defaults.js"
import type * as Polling from "./Polling.js"
import type * as Retry from "./Retry.js"
import type * as Upload from "./Upload.js"

/**
 * A task to create. Only serverless tasks exist: `type` is always sent as
 * `"serverless"`; `webhookUrl` and `metadata` are accepted for old callers and
 * never sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface CreateTaskRequest {
  readonly type?: "serverless" | undefined
  readonly packageName: string
  readonly packageVersion: string
  readonly blockName: string
  readonly inputValues?: Readonly<Record<string, unknown>> | undefined
  /** @deprecated Ignored: never sent. */
  readonly webhookUrl?: string | undefined
  /** @deprecated Ignored: never sent. */
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
}

/**
 * How one task of {@link Service.awaitAll} settled.
 *
 * @since 0.1.0
 * @category models
 */
export interface Settled<A = Task.DefaultResultData> {
  readonly taskID: string
  readonly result: Result.Result<Task.TaskResultSuccess<A>, AwaitError>
}

/**
 * What waiting for a task can fail with: a task ID that breaks the rules, a
 * poll refused for good (`ApiError`), the task's failure, a success whose
 * data does not match its schema, or the timeout.
 *
 * @since 0.1.0
 * @category errors
 */
export type AwaitError = InvalidInput | ApiError | TaskFailed | ResultDataMismatch | PollTimeout

/**
 * What creating a task can fail with. `ApiError` and `NetworkError` mean it was
 * not created; `TaskMayExist` means it may have been.
 *
 * @since 0.1.0
 * @category errors
 */
export type CreateError = InvalidInput | ApiError | NetworkError | TaskMayExist

/**
 * Every endpoint of OOMOL Cloud Task API v3, and the ways of waiting built on them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** `POST /v3/users/me/tasks`. Never sent twice once the service may have taken it. */
  readonly createTask: (request: CreateTaskRequest) => Effect.Effect<Task.CreateTaskResponse, CreateError>
  /** One page of the current user's tasks. */
  readonly listTasks: (query?: Task.ListTasksQuery) => Effect.Effect<Task.TaskListResponse, InvalidInput | RequestError>
  /** Every task matching `query`, following `nextToken` across pages. */
  readonly listAllTasks: (query?: Task.ListTasksQuery) => Stream.Stream<Task.TaskListItem, InvalidInput | RequestError>
  /** The latest task of each workload: 1 to 50 IDs, as an array or comma-separated. */
  readonly getLatestTasks: (
    workloadIDs: ReadonlyArray<string> | string
  ) => Effect.Effect<Task.LatestTasksResponse, InvalidInput | RequestError>
  /** A task's detail. */
  readonly getTask: (taskID: string) => Effect.Effect<Task.TaskDetail, InvalidInput | RequestError>
  /** Alias of `getTask`. */
  readonly getTaskDetail: (taskID: string) => Effect.Effect<Task.TaskDetail, InvalidInput | RequestError>
  /**
   * A task's current result state. A success's `resultData` is decoded by
   * `options.resultData` (a list of objects when none is given); data that
   * does not match is a `ResultDataMismatch`.
   */
  readonly getTaskResult: <A = Task.DefaultResultData>(
    taskID: string,
    options?: { readonly resultData?: Schema.Codec<A, any> | undefined }
  ) => Effect.Effect<Task.TaskResult<A>, InvalidInput | RequestError | ResultDataMismatch>
  /** One page (1-based, about 100 entries) of a task's logs. */
  readonly getTaskLogs: (
    taskID: string,
    options?: { readonly page?: number | undefined }
  ) => Effect.Effect<Logs.LogsResponse, InvalidInput | RequestError>
  /**
   * Every log entry of a task, across pages. With `follow`, keeps reading on
   * the schedule (default every 3 s) until the task has ended and its last
   * entries are in.
   */
  readonly logs: (
    taskID: string,
    options?: { readonly follow?: boolean | Schedule.Schedule<unknown, unknown> | undefined }
  ) => Stream.Stream<Logs.LogEntry, InvalidInput | RequestError>
  /** Limits, queue counts and pause state. */
  readonly getDashboard: () => Effect.Effect<Queue.Dashboard, RequestError>
  /** Pauses (`true`) or resumes (`false`) the current user's queue. */
  readonly setTasksPause: (paused: boolean) => Effect.Effect<Queue.PauseResponse, RequestError>
  /** Pauses the current user's queue. */
  readonly pauseUserQueue: () => Effect.Effect<Queue.PauseResponse, RequestError>
  /** Resumes the current user's queue. */
  readonly resumeUserQueue: () => Effect.Effect<Queue.PauseResponse, RequestError>
  /** Every in-progress status of a task, then its terminal one. */
  readonly watch: <A = Task.DefaultResultData>(
    taskID: string,
    options?: Polling.AwaitOptions<A>
  ) => Stream.Stream<Task.TaskResult<A>, InvalidInput | ApiError | ResultDataMismatch | PollTimeout>
  /** Polls until the task succeeds (its result) or fails (`TaskFailed`). */
  readonly awaitResult: <A = Task.DefaultResultData>(
    taskID: string,
    options?: Polling.AwaitOptions<A>
  ) => Effect.Effect<Task.TaskResultSuccess<A>, AwaitError>
  /** Creates a task and waits for it. */
  readonly createAndWait: <A = Task.DefaultResultData>(
    request: CreateTaskRequest,
    options?: Polling.AwaitOptions<A>
  ) => Effect.Effect<
    { readonly taskID: string; readonly result: Task.TaskResultSuccess<A> },
    CreateError | AwaitError
  >
  /** Waits for many tasks, `concurrency` at a time; each settles in the order it ends. */
  readonly awaitAll: <A = Task.DefaultResultData>(
    taskIDs: Iterable<string>,
    options?: Polling.AwaitOptions<A> & { readonly concurrency?: number | "unbounded" | undefined }
  ) => Stream.Stream<Settled<A>>
  /** Uploads a file (init, a PUT per part, its URL) and returns where it can be downloaded. See `Upload`. */
  readonly upload: Upload.Uploader["upload"]
  /** The same upload as a stream: `Progress` (bytes sent) as parts go, then `Done` with the file. */
  readonly uploadWithProgress: Upload.Uploader["uploadWithProgress"]
}

/**
 * The client service.
 *
 * @since 0.1.0
 * @category tags
 */
export class CloudTaskClient extends Context.Service<CloudTaskClient, Service>()(
  "@oomol-cloud-task/effect/CloudTaskClient"
) {}

/**
 * The fetch `credentials` modes (the DOM's `RequestCredentials`, spelled out so
 * that these declarations need no DOM library).
 *
 * @since 0.2.0
 * @category options
 */
export type Credentials = "include" | "omit" | "same-origin"

/**
 * How the client reaches the service.
 *
 * @since 0.1.0
 * @category options
 */
export interface Options {
  /** Sent as `Authorization: Bearer <key>`. Without it, a browser relies on its session cookie. */
  readonly apiKey?: Redacted.Redacted<string> | undefined
  /** The task API. Default `https://cloud-task.oomol.com`; a trailing `/`, `/v1` or `/v3` is ignored. */
  readonly baseUrl?: string | undefined
  /** The upload API. Default `https://llm.oomol.com/api/tasks/files/remote-cache`. */
  readonly uploadBaseUrl?: string | undefined
  /**
   * Headers for every request to the task and upload APIs (never to presigned
   * part URLs). Their values are hidden wherever a request is printed.
   */
  readonly defaultHeaders?: Readonly<Record<string, string>> | undefined
  /** The fetch `credentials` mode. Default `"include"`, so a browser sends its session cookie. */
  readonly credentials?: Credentials | undefined
  /** When a failed request is tried again. Default `Retry.defaultPolicy`. */
  readonly retry?: Retry.RetryPolicy | undefined
  /**
   * How long one request may take, from sending to the last byte of its
   * answer, before it is aborted and counts as failed (a `NetworkError`, tried
   * again like any). Default 30 s, on the Effect `Clock`. `false`, zero or
   * infinity leave timeouts to the `HttpClient` (`UndiciHttpClient`'s
   * `timeout`, an undici dispatcher's `headersTimeout` and `bodyTimeout`),
   * whose own timeouts apply as well; a timer waits at most about 24.8 days.
   */
  readonly requestTimeout?: Duration.Input | false | undefined
  /** The largest task creation body, in bytes. Default 8 MiB. */
  readonly maxInputBytes?: number | undefined
  /**
   * The largest answer body read, in bytes. Default 16 MiB. A larger answer is
   * refused without being read into memory: a 2xx as `MalformedResponse`, any
   * other status as its `ApiError` (without the body).
   */
  readonly maxResponseBytes?: number | undefined
}

/**
 * Builds the service on the `HttpClient` in context. That client is configured
 * here, once, for every request to the two APIs: the base URL, the bearer
 * token, the default headers, `accept: application/json`, fetch's
 * `credentials`, no redirect, no trace headers. Presigned part PUTs go
 * through an `Upload.PartClient` when one is provided, else through the same
 * `HttpClient`, bare.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, InvalidInput, HttpClient.HttpClient> =>
  Client.make(options)

/**
 * The client as a layer. It still needs an `HttpClient`: `FetchHttpClient.layer`
 * in a browser or Node, or any other.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<CloudTaskClient, InvalidInput, HttpClient.HttpClient> =>
  Layer.effect(CloudTaskClient, make(options))

/**
 * Where {@link layerConfig} reads each option of {@link layer}: a `Config` per
 * option (`Config.succeed(value)` for a fixed one).
 *
 * @since 0.2.0
 * @category options
 */
export type ConfigOptions = { readonly [K in keyof Options]?: Config.Config<Options[K]> | undefined }

/**
 * The client with its options read from `Config`, when the layer is built. By
 * default the API key is `Config.Redacted("OOMOL_API_KEY")`, required: a key
 * that is missing (or blank) fails the layer with a `ConfigError` naming the
 * variable, before any request. `OOMOL_BASE_URL` and `OOMOL_UPLOAD_BASE_URL`
 * are optional (blank counts as unset). Any option of {@link layer} can be
 * given as a `Config` of its own, replacing its default.
 *
 * @example
 * ```ts
 * import { CloudTaskClient } from "@oomol-cloud-task/effect"
 * import { Config, Layer } from "effect"
 * import { FetchHttpClient } from "effect/http"
 *
 * const ClientLive = CloudTaskClient.layerConfig({
 *   apiKey: Config.Redacted("MY_APP_OOMOL_KEY"),
 *   requestTimeout: Config.Duration("MY_APP_OOMOL_TIMEOUT").pipe(Config.withDefault("10 seconds")),
 *   defaultHeaders: Config.succeed({ "x-client": "my-app" })
 * }).pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  configs: ConfigOptions = {}
): Layer.Layer<CloudTaskClient, InvalidInput | Config.ConfigError, HttpClient.HttpClient> => {
  const all: Record<string, Config.Config<unknown>> = { ...Defaults.configs() }
  for (const [option, config] of Object.entries(configs)) {
    if (config !== undefined) all[option] = config
  }
  // Each `Config` is typed by its option in `ConfigOptions`.
  return Layer.effect(CloudTaskClient, Effect.flatMap(Config.all(all), (options) => make(options as Options)))
}
