/**
 * The client: one service whose every endpoint is an `Effect` (or a `Stream`)
 * with a decoded value and an exact error union.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { CloudTaskClient } from "@oomol-cloud-task/effect"
 * import { Effect, Redacted } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const client = yield* CloudTaskClient.CloudTaskClient
 *   const { taskID, result } = yield* client.createAndWait({
 *     packageName: "@oomol/my-package",
 *     packageVersion: "1.0.0",
 *     blockName: "main",
 *     inputValues: { text: "hello" }
 *   })
 *   yield* Effect.log(taskID, result.resultData)
 * })
 *
 * program.pipe(
 *   Effect.provide(CloudTaskClient.layer({ apiKey: Redacted.make("key") })),
 *   Effect.provide(FetchHttpClient.layer),
 *   Effect.runPromise
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Api, Logs, Queue, Task } from "@oomol-cloud-task/contract"
import * as Chunk from "effect/Chunk"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { identity } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import {
  type ApiError,
  InvalidInput,
  type NetworkError,
  type PollTimeout,
  type RequestError,
  type TaskFailed,
  TaskMayExist
} from "./Errors.js"
import * as Http from "./internal/http.js"
import { httpUrl, jsonBody, validate } from "./internal/input.js"
import * as LogPages from "./internal/logs.js"
import * as RequestTimeout from "./internal/requestTimeout.js"
import * as Polling from "./Polling.js"
import * as Retry from "./Retry.js"
import * as Upload from "./Upload.js"

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
  readonly result: Either.Either<Task.TaskResultSuccess<A>, AwaitError>
}

/**
 * What waiting for a task can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type AwaitError = InvalidInput | ApiError | TaskFailed | PollTimeout

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
  /** A task's current result state; `resultData` decoded by `options.resultData` when given. */
  readonly getTaskResult: <A = Task.DefaultResultData>(
    taskID: string,
    options?: { readonly resultData?: Schema.Schema<A, any, never> | undefined }
  ) => Effect.Effect<Task.TaskResult<A>, InvalidInput | RequestError>
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
  ) => Stream.Stream<Task.TaskResult<A>, InvalidInput | ApiError | PollTimeout>
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
export class CloudTaskClient extends Context.Tag("@oomol-cloud-task/effect/CloudTaskClient")<
  CloudTaskClient,
  Service
>() {}

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
  /** Headers for every request to the task and upload APIs (never to presigned part URLs). */
  readonly defaultHeaders?: Readonly<Record<string, string>> | undefined
  /** The fetch `credentials` mode. Default `"include"`, so a browser sends its session cookie. */
  readonly credentials?: RequestCredentials | undefined
  /** When a failed request is tried again. Default `Retry.defaultPolicy`. */
  readonly retry?: Retry.RetryPolicy | undefined
  /**
   * How long one request may take before it counts as failed. Default 30 s.
   * On `UndiciHttpClient` its timer per request keeps this one too (the
   * shorter of the two applies). `false`, zero or infinity leave timeouts to
   * the `HttpClient` (`UndiciHttpClient`'s `timeout`, an undici dispatcher's
   * `headersTimeout` and `bodyTimeout`); a timer waits at most about 24.8 days.
   */
  readonly requestTimeout?: Duration.DurationInput | false | undefined
  /** The largest task creation body, in bytes. Default 8 MiB. */
  readonly maxInputBytes?: number | undefined
}

/**
 * The settings a client runs with, once read and checked.
 *
 * @since 0.1.0
 * @category options
 */
export interface Settings {
  readonly baseUrl: string
  readonly uploadBaseUrl: string
  /** Sent with every request to the two APIs; printed (inspected, as JSON, logged) with the values hidden. */
  readonly headers: Readonly<Record<string, string>>
  readonly http: Http.Http
  /** The `HttpClient` underneath, without trace headers: presigned part PUTs go through it bare. */
  readonly client: HttpClient.HttpClient
  readonly retry: Retry.RetryPolicy
}

// The headers as sent, but printed (inspected, as JSON, in a log line) with every
// value hidden: they carry the key, and default headers may carry credentials too.
const hiddenWhenPrinted = (headers: Record<string, string>): Readonly<Record<string, string>> => {
  const shown = () => Object.fromEntries(Object.keys(headers).map((name) => [name, "<redacted>"]))
  return Object.defineProperties(headers, {
    toJSON: { value: shown },
    [Symbol.for("nodejs.util.inspect.custom")]: { value: shown }
  })
}

/**
 * Reads and checks options into the settings every endpoint shares.
 *
 * @since 0.1.0
 * @category constructors
 */
export const settings = (options: Options = {}): Effect.Effect<Settings, InvalidInput, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const baseUrl = yield* httpUrl("baseUrl", options.baseUrl ?? Api.DEFAULT_BASE_URL)
    const uploadBaseUrl = yield* httpUrl("uploadBaseUrl", options.uploadBaseUrl ?? Api.DEFAULT_UPLOAD_BASE_URL)
    // The endpoint's own span says what a request was for; an HTTP span per
    // request would double the cost of tracing, and its trace headers would
    // make every browser request preflighted.
    const untraced = HttpClient.withTracerDisabledWhen(() => true)
    const given = yield* HttpClient.HttpClient
    // A transport that keeps a timer per request (UndiciHttpClient) keeps the
    // request timeout too, so a request does not carry a second one.
    const timeout = options.requestTimeout === false
      ? undefined
      : RequestTimeout.asTimer(Duration.decode(options.requestTimeout ?? "30 seconds"))
    const api = RequestTimeout.handOver(given, timeout ?? false)
    const headers: Record<string, string> = { ...options.defaultHeaders, accept: "application/json" }
    if (options.apiKey !== undefined) headers.authorization = `Bearer ${Redacted.value(options.apiKey)}`
    return {
      baseUrl,
      uploadBaseUrl,
      headers: hiddenWhenPrinted(headers),
      http: Http.make({
        client: untraced(api.client),
        credentials: options.credentials ?? "include",
        followRedirects: false,
        timeout: api.timeout
      }),
      client: untraced(given),
      retry: options.retry ?? Retry.defaultPolicy
    }
  })

const builtInTracer = Effect.runSync(Effect.tracer)

const validateTaskID = validate(Task.TaskID)
const validateQuery = validate(Task.ListTasksQuery)
const validateWorkloadIDs = validate(Task.WorkloadIDs)
const validateCreateBody = validate(Task.CreateTaskBody)
const validateLogsPage = validate(Logs.LogsPage)

const decodeCreated = Http.decoder(Task.CreateTaskResponse)
const decodeList = Http.decoder(Task.TaskListResponse)
const decodeLatest = Http.decoder(Task.LatestTasksResponse)
const decodeDetail = Http.decoder(Task.TaskDetail)
const decodeDefaultResult = Http.decoder(Task.DefaultTaskResult)
const decodeLogs = Http.decoder(Logs.LogsResponse)
const decodeDashboard = Http.decoder(Queue.Dashboard)
const decodePause = Http.decoder(Queue.PauseResponse)

// Decoders of callers' result schemas, built once per schema.
const resultDecoders = new WeakMap<object, Http.Decoder<Task.TaskResult<unknown>>>()
const resultDecoder = <A>(schema: Schema.Schema<A, any, never> | undefined): Http.Decoder<Task.TaskResult<A>> => {
  if (schema === undefined) return decodeDefaultResult as unknown as Http.Decoder<Task.TaskResult<A>>
  let decode = resultDecoders.get(schema)
  if (decode === undefined) {
    decode = Http.decoder(Task.TaskResult(schema)) as Http.Decoder<Task.TaskResult<unknown>>
    resultDecoders.set(schema, decode)
  }
  return decode as Http.Decoder<Task.TaskResult<A>>
}

const urlParamsOf = (query: Task.ListTasksQuery): Record<string, string> => {
  const params: Record<string, string> = {}
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== "") params[key] = String(value)
  }
  return params
}

const workloadIDList = (workloadIDs: ReadonlyArray<string> | string): ReadonlyArray<string> =>
  (typeof workloadIDs === "string" ? workloadIDs.split(",") : workloadIDs).map((id) =>
    typeof id === "string" ? id.trim() : id
  )

/**
 * Builds the service from checked settings.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromSettings = (config: Settings, options: Pick<Options, "maxInputBytes"> = {}): Service => {
  const { baseUrl, headers, http, retry } = config
  const maxInputBytes = options.maxInputBytes ?? 8 * 1024 * 1024
  const url = (path: string) => baseUrl + path

  const idempotent = Retry.retrying(retry, Retry.isTransient)
  const untilTaken = Retry.retrying(retry, Retry.isNotTaken)
  const get = <A>(path: string, decode: Http.Decoder<A>, urlParams?: Record<string, string>) =>
    idempotent(http.json(HttpClientRequest.get(url(path), { headers, ...(urlParams && { urlParams }) }), decode))
  const post = <A>(path: string, body: string, decode: Http.Decoder<A>) =>
    http.json(HttpClientRequest.post(url(path), { headers, body: HttpBody.text(body, "application/json") }), decode)

  // Spans cost as much as the rest of a request, so they are made only when a
  // tracer other than Effect's built-in one listens.
  const span = (name: string, taskID?: string) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.tracerWith((tracer) =>
      tracer === builtInTracer
        ? effect
        : Effect.withSpan(effect, `CloudTaskClient.${name}`, {
          kind: "client",
          captureStackTrace: false,
          ...(taskID === undefined ? {} : { attributes: { "oomol.task.id": taskID } })
        })
    )

  const createTask: Service["createTask"] = (request) =>
    Effect.gen(function*() {
      const body = yield* validateCreateBody({
        type: "serverless",
        packageName: request.packageName,
        packageVersion: request.packageVersion,
        blockName: request.blockName,
        ...(request.inputValues === undefined ? {} : { inputValues: request.inputValues })
      })
      const text = yield* jsonBody(body, "the task's input", maxInputBytes)
      return yield* post(Api.paths.tasks, text, decodeCreated).pipe(
        untilTaken,
        Effect.catchAll((error): Effect.Effect<never, ApiError | NetworkError | TaskMayExist> =>
          Retry.isNotTaken(error) || (error._tag === "ApiError" && error.status < 500)
            ? Effect.fail(error as ApiError | NetworkError)
            : Effect.fail(TaskMayExist.fromFailure(error))
        )
      )
    }).pipe(span("createTask"))

  const listTasks: Service["listTasks"] = (query = {}) =>
    validateQuery(query).pipe(
      Effect.flatMap((valid) => get(Api.paths.tasks, decodeList, urlParamsOf(valid))),
      span("listTasks")
    )

  const listAllTasks: Service["listAllTasks"] = (query = {}) =>
    Stream.paginateChunkEffect(query.nextToken, (nextToken) =>
      Effect.map(listTasks({ ...query, nextToken }), (page) =>
        [
          Chunk.unsafeFromArray(page.tasks as Array<Task.TaskListItem>),
          // A token that does not move would page forever.
          page.nextToken === null || page.nextToken === "" || page.nextToken === nextToken
            ? Option.none()
            : Option.some<string | undefined>(page.nextToken)
        ] as const))

  const getLatestTasks: Service["getLatestTasks"] = (workloadIDs) =>
    validateWorkloadIDs(workloadIDList(workloadIDs)).pipe(
      Effect.flatMap((ids) => get(Api.paths.latestTasks, decodeLatest, { workloadIDs: ids.join(",") })),
      span("getLatestTasks")
    )

  const getTask: Service["getTask"] = (taskID) =>
    validateTaskID(taskID).pipe(
      Effect.flatMap((id) => get(Api.paths.task(id), decodeDetail)),
      span("getTask", taskID)
    )

  const resultOf = <A>(taskID: string, decode: Http.Decoder<Task.TaskResult<A>>) =>
    get(Api.paths.taskResult(taskID), decode).pipe(span("getTaskResult", taskID))

  const getTaskResult: Service["getTaskResult"] = (taskID, options) =>
    Effect.flatMap(validateTaskID(taskID), (id) => resultOf(id, resultDecoder(options?.resultData)))

  const getTaskLogs: Service["getTaskLogs"] = (taskID, options = {}) =>
    Effect.all([validateTaskID(taskID), validateLogsPage(options.page ?? 1)]).pipe(
      Effect.flatMap(([id, page]) => get(Api.paths.taskLogs(id), decodeLogs, { page: String(page) })),
      span("getTaskLogs", taskID)
    )

  const logs: Service["logs"] = (taskID, options = {}) =>
    Stream.unwrap(Effect.map(validateTaskID(taskID), (id) => {
      const page = (n: number) =>
        get(Api.paths.taskLogs(id), decodeLogs, { page: String(n) }).pipe(span("getTaskLogs", id))
      const decodeStatus = resultDecoder(undefined)
      const ended = Effect.map(resultOf(id, decodeStatus), (result) => Task.isTerminal(result.status))
      const follow = options.follow === true
        ? Polling.defaultSchedule
        : options.follow === false ? undefined : options.follow
      return LogPages.entries(page, ended, follow)
    }))

  const getDashboard: Service["getDashboard"] = () => get(Api.paths.dashboard, decodeDashboard).pipe(span("getDashboard"))

  // Pausing twice leaves the queue paused: safe to send again.
  const setTasksPause: Service["setTasksPause"] = (paused) =>
    idempotent(post(paused ? Api.paths.pause : Api.paths.resume, "{}", decodePause)).pipe(
      span(paused ? "pauseUserQueue" : "resumeUserQueue")
    )

  const watch: Service["watch"] = (taskID, options = {}) =>
    Stream.unwrap(Effect.map(validateTaskID(taskID), (id) =>
      Polling.watch(id, resultOf(id, resultDecoder(options.resultData)), options)))

  const awaitResult: Service["awaitResult"] = (taskID, options = {}) =>
    validateTaskID(taskID).pipe(
      Effect.flatMap((id) => Polling.awaitResult(id, resultOf(id, resultDecoder(options.resultData)), options)),
      span("awaitResult", taskID)
    )

  const createAndWait: Service["createAndWait"] = (request, options) =>
    Effect.flatMap(createTask(request), ({ taskID }) =>
      Effect.map(awaitResult(taskID, options), (result) => ({ taskID, result })))

  const awaitAll: Service["awaitAll"] = (taskIDs, options = {}) =>
    Stream.fromIterable(taskIDs).pipe(
      Stream.mapEffect(
        (taskID) => Effect.map(Effect.either(awaitResult(taskID, options)), (result) => ({ taskID, result })),
        { concurrency: options.concurrency ?? 16, unordered: true }
      )
    )

  return {
    createTask,
    listTasks,
    listAllTasks,
    getLatestTasks,
    getTask,
    getTaskDetail: getTask,
    getTaskResult,
    getTaskLogs,
    logs,
    getDashboard,
    setTasksPause,
    pauseUserQueue: () => setTasksPause(true),
    resumeUserQueue: () => setTasksPause(false),
    watch,
    awaitResult,
    createAndWait,
    awaitAll,
    ...Upload.make(config)
  }
}

/**
 * Builds the service on the `HttpClient` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, InvalidInput, HttpClient.HttpClient> =>
  Effect.map(settings(options), (config) => fromSettings(config, options))

/**
 * The client as a layer. It still needs an `HttpClient`: `FetchHttpClient.layer`
 * in a browser or Node, or any other.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<CloudTaskClient, InvalidInput, HttpClient.HttpClient> =>
  Layer.effect(CloudTaskClient, make(options))

// A variable set to blank text counts as unset, as a shell's `VAR=` means.
const setting = <A>(config: Config.Config<A>, text: (value: A) => string): Config.Config<A | undefined> =>
  Config.map(Config.option(config), (value) =>
    Option.getOrUndefined(Option.filter(value, (v) => text(v).trim() !== "")))

/**
 * The client configured from the environment: `OOMOL_API_KEY` (kept
 * `Redacted`), `OOMOL_BASE_URL` and `OOMOL_UPLOAD_BASE_URL`, all optional (a
 * blank one counts as unset); `options` fills in the rest.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<Options, "apiKey" | "baseUrl" | "uploadBaseUrl"> = {}
): Layer.Layer<CloudTaskClient, InvalidInput | ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    CloudTaskClient,
    Effect.flatMap(
      Config.all({
        apiKey: setting(Config.redacted("OOMOL_API_KEY"), (key) => Redacted.value(key)),
        baseUrl: setting(Config.string("OOMOL_BASE_URL"), identity),
        uploadBaseUrl: setting(Config.string("OOMOL_UPLOAD_BASE_URL"), identity)
      }),
      (env) => make({ ...options, ...env })
    )
  )
