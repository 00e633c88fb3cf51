/**
 * The task endpoints: create, list, latest, detail and result. Each is its
 * method, path, input rules, answer schema and error union; sending is the
 * request module's.
 */
import * as Api from "@oomol-cloud-task/contract/Api"
import * as Task from "@oomol-cloud-task/contract/Task"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Service } from "../CloudTaskClient.js"
import { type ApiError, type NetworkError, type RequestError, TaskMayExist } from "../Errors.js"
import * as Retry from "../Retry.js"
import { jsonBody, validate } from "./input.js"
import * as Request from "./request.js"

/** Checks a task ID before anything is sent. */
export const validateTaskID = validate(Task.TaskID)
const validateQuery = validate(Task.ListTasksQuery)
const validateWorkloadIDs = validate(Task.WorkloadIDs)
const validateCreateBody = validate(Task.CreateTaskBody)

const decodeCreated = Request.decoder(Task.CreateTaskResponse)
const decodeList = Request.decoder(Task.TaskListResponse)
const decodeLatest = Request.decoder(Task.LatestTasksResponse)
const decodeDetail = Request.decoder(Task.TaskDetail)
const decodeDefaultResult = Request.decoder(Task.DefaultTaskResult)

// Decoders of callers' result schemas, built once per schema.
const resultDecoders = new WeakMap<object, Request.Decoder<Task.TaskResult<unknown>>>()

/** The decoder of a result whose `resultData` is `schema`'s (a list of objects when none). */
export const resultDecoder = <A>(schema: Schema.Codec<A, any> | undefined): Request.Decoder<Task.TaskResult<A>> => {
  if (schema === undefined) return decodeDefaultResult as unknown as Request.Decoder<Task.TaskResult<A>>
  let decode = resultDecoders.get(schema)
  if (decode === undefined) {
    decode = Request.decoder(Task.TaskResult(schema)) as Request.Decoder<Task.TaskResult<unknown>>
    resultDecoders.set(schema, decode)
  }
  return decode as Request.Decoder<Task.TaskResult<A>>
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

/** The task endpoints, and `resultOf`, the poll every wait is made of. */
export interface Tasks extends
  Pick<
    Service,
    "createTask" | "listTasks" | "listAllTasks" | "getLatestTasks" | "getTask" | "getTaskDetail" | "getTaskResult"
  >
{
  /** One read of a checked task ID's result. */
  readonly resultOf: <A>(
    taskID: string,
    decode: Request.Decoder<Task.TaskResult<A>>
  ) => Effect.Effect<Task.TaskResult<A>, RequestError>
}

/** The task endpoints over `api`, refusing creation bodies over `maxInputBytes`. */
export const make = (api: Request.Api, maxInputBytes: number): Tasks => {
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
      return yield* api.post(Api.paths.tasks, text, decodeCreated).pipe(
        api.untilTaken,
        // Not taken, or refused (a 4xx, a 3xx): nothing was created. Anything else may have been.
        Effect.catch((error): Effect.Effect<never, ApiError | NetworkError | TaskMayExist> =>
          Retry.isNotTaken(error) || (error._tag === "ApiError" && error.status < 500)
            ? Effect.fail(error as ApiError | NetworkError)
            : Effect.fail(TaskMayExist.fromFailure(error))
        )
      )
    }).pipe(Request.traced("createTask"))

  const listTasks: Service["listTasks"] = (query = {}) =>
    validateQuery(query).pipe(
      Effect.flatMap((valid) => api.get(Api.paths.tasks, decodeList, urlParamsOf(valid))),
      Request.traced("listTasks")
    )

  const listAllTasks: Service["listAllTasks"] = (query = {}) =>
    Stream.paginate(query.nextToken, (nextToken: string | undefined) =>
      Effect.map(listTasks({ ...query, nextToken }), (page) =>
        [
          page.tasks,
          // A token that does not move would page forever.
          page.nextToken === null || page.nextToken === "" || page.nextToken === nextToken
            ? Option.none()
            : Option.some<string | undefined>(page.nextToken)
        ] as const))

  const getLatestTasks: Service["getLatestTasks"] = (workloadIDs) =>
    validateWorkloadIDs(workloadIDList(workloadIDs)).pipe(
      Effect.flatMap((ids) => api.get(Api.paths.latestTasks, decodeLatest, { workloadIDs: ids.join(",") })),
      Request.traced("getLatestTasks")
    )

  const getTask: Service["getTask"] = (taskID) =>
    validateTaskID(taskID).pipe(
      Effect.flatMap((id) => api.get(Api.paths.task(id), decodeDetail)),
      Request.traced("getTask", taskID)
    )

  const resultOf = <A>(taskID: string, decode: Request.Decoder<Task.TaskResult<A>>) =>
    api.get(Api.paths.taskResult(taskID), decode).pipe(Request.traced("getTaskResult", taskID))

  const getTaskResult: Service["getTaskResult"] = (taskID, options) =>
    Effect.flatMap(validateTaskID(taskID), (id) => resultOf(id, resultDecoder(options?.resultData)))

  return {
    createTask,
    listTasks,
    listAllTasks,
    getLatestTasks,
    getTask,
    getTaskDetail: getTask,
    getTaskResult,
    resultOf
  }
}
