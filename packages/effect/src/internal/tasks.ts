/**
 * The task endpoints: create, list, latest, detail and result. Each is its
 * method, path, input rules, answer schema and error union; sending is the
 * request module's.
 */
import * as Api from "@oomol-cloud-task/contract/Api"
import * as Task from "@oomol-cloud-task/contract/Task"
import * as Wire from "@oomol-cloud-task/contract/Wire"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Service } from "../CloudTaskClient.js"
import {
  type ApiError,
  InvalidInput,
  type NetworkError,
  type RequestError,
  ResultDataMismatch,
  TaskMayExist
} from "../Errors.js"
import * as Retry from "../Retry.js"
import { validate } from "./input.js"
import { jsonBody } from "./jsonBody.js"
import * as Request from "./request.js"

/** Checks a task ID before anything is sent. */
export const validateTaskID = validate(Task.TaskID)
const validateQuery = validate(Task.ListTasksQuery, "query")
// An array or one comma-separated text: the contract's rule trims, splits and checks both.
const validateWorkloadIDs = validate(Task.WorkloadIDs, "workloadIDs")
const validateCreateBody = validate(Task.CreateTaskBody)

const decodeCreated = Request.decoder(Task.CreateTaskResponse)
const decodeList = Request.decoder(Task.TaskListResponse)
const decodeLatest = Request.decoder(Task.LatestTasksResponse)
const decodeDetail = Request.decoder(Task.TaskDetail)
// A result is read in two steps: its envelope (the status, and the data as it
// came), then a success's data. A broken envelope may be a garbled answer, but
// a finished task's data never changes: a mismatch there is its own error.
const decodeResult = Request.decoder(Task.TaskResult(Schema.Unknown))
const decodeDefaultData = Request.decoder(Task.DefaultResultData)

// Decoders of callers' result data schemas, built once per schema.
const dataDecoders = new WeakMap<object, Request.Decoder<unknown>>()

/** The decoder of a successful task's `resultData`: `schema`'s, or a list of objects when none. */
export const dataDecoder = <A>(schema: Schema.Codec<A, any> | undefined): Request.Decoder<A> => {
  if (schema === undefined) return decodeDefaultData as unknown as Request.Decoder<A>
  let decode = dataDecoders.get(schema)
  if (decode === undefined) {
    decode = Request.decoder(schema) as Request.Decoder<unknown>
    dataDecoders.set(schema, decode)
  }
  return decode as Request.Decoder<A>
}

const urlParamsOf = (query: Task.ListTasksQuery): Record<string, string> => {
  const params: Record<string, string> = {}
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== "") params[key] = String(value)
  }
  return params
}

/** The task endpoints, and `resultOf`, the poll every wait is made of. */
export interface Tasks extends
  Pick<
    Service,
    "createTask" | "listTasks" | "listAllTasks" | "getLatestTasks" | "getTask" | "getTaskDetail" | "getTaskResult"
  >
{
  /** One read of a checked task ID's result, a success's data decoded by `data`. */
  readonly resultOf: <A>(
    taskID: string,
    data: Request.Decoder<A>
  ) => Effect.Effect<Task.TaskResult<A>, RequestError | ResultDataMismatch>
  /** One read of a checked task ID's status, its data left as it came. */
  readonly statusOf: (taskID: string) => Effect.Effect<Task.TaskResult<unknown>, RequestError>
}

/** The task endpoints over `api`, refusing creation bodies over `maxInputBytes`. */
export const make = (api: Request.Api, maxInputBytes: number): Tasks => {
  const createTask: Service["createTask"] = (request) =>
    Effect.gen(function*() {
      // JavaScript callers may pass anything.
      if (typeof request !== "object" || request === null) {
        return yield* new InvalidInput({ message: "the task to create must be an object" })
      }
      const body = yield* validateCreateBody({
        type: "serverless",
        packageName: request.packageName,
        packageVersion: request.packageVersion,
        blockName: request.blockName,
        ...(request.inputValues === undefined ? {} : { inputValues: request.inputValues })
      })
      // The caller's own inputValues, not the checked copy: a copy made by
      // assignment loses a `__proto__` key, and JSON is what toJSON makes of them.
      const sent = request.inputValues === undefined ? body : { ...body, inputValues: request.inputValues }
      const text = yield* jsonBody(sent, "the task's input", maxInputBytes)
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
    // Checked first, as listTasks checks it: a query that is no object (from JavaScript) is InvalidInput.
    Stream.unwrap(Effect.map(validateQuery(query), (valid) =>
      Stream.paginate(valid.nextToken, (nextToken: string | undefined) =>
        Effect.map(listTasks({ ...valid, nextToken }), (page) =>
          [
            page.tasks,
            // A token that does not move would page forever.
            page.nextToken === null || page.nextToken === "" || page.nextToken === nextToken
              ? Option.none()
              : Option.some<string | undefined>(page.nextToken)
          ] as const))))

  const getLatestTasks: Service["getLatestTasks"] = (workloadIDs) =>
    validateWorkloadIDs(workloadIDs).pipe(
      Effect.flatMap((ids) => api.get(Api.paths.latestTasks, decodeLatest, { workloadIDs: ids.join(",") })),
      Request.traced("getLatestTasks")
    )

  const getTask: Service["getTask"] = (taskID) =>
    validateTaskID(taskID).pipe(
      Effect.flatMap((id) => api.get(Api.paths.task(id), decodeDetail)),
      Request.traced("getTask", taskID)
    )

  const statusOf = (taskID: string) => api.get(Api.paths.taskResult(taskID), decodeResult)

  const resultOf = <A>(
    taskID: string,
    data: Request.Decoder<A>
  ): Effect.Effect<Task.TaskResult<A>, RequestError | ResultDataMismatch> =>
    statusOf(taskID).pipe(
      Effect.flatMap((result): Effect.Effect<Task.TaskResult<A>, ResultDataMismatch> => {
        if (result.status !== "success" || result.resultData === undefined) return Effect.succeed(result as Task.TaskResult<A>)
        const raw = result.resultData
        const decoded = data(raw)
        return decoded._tag === "Success"
          ? Effect.succeed({ ...result, resultData: decoded.success })
          : Effect.fail(ResultDataMismatch.fromIssue(taskID, Wire.describeSchemaError(decoded.failure), raw))
      }),
      Request.traced("getTaskResult", taskID)
    )

  const getTaskResult: Service["getTaskResult"] = (taskID, options) =>
    Effect.flatMap(validateTaskID(taskID), (id) => resultOf(id, dataDecoder(options?.resultData)))

  return {
    createTask,
    listTasks,
    listAllTasks,
    getLatestTasks,
    getTask,
    getTaskDetail: getTask,
    getTaskResult,
    resultOf,
    statusOf: (taskID) => statusOf(taskID).pipe(Request.traced("getTaskResult", taskID))
  }
}
