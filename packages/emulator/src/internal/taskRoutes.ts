/** The task API: create, list, latest, detail, result, logs, dashboard, pause and resume. */
import * as Logs from "@oomol-cloud-task/contract/Logs"
import * as Queue from "@oomol-cloud-task/contract/Queue"
import * as Task from "@oomol-cloud-task/contract/Task"
import * as Effect from "effect/Effect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type { SimTask } from "../Simulation.js"
import type { Engine } from "./engine.js"
import { authenticate, decode, decodeBody, encode, jsonError, type Refusal, searchParams } from "./http.js"
import * as Views from "./views.js"

const AnyTaskResult = Task.TaskResult(Schema.Unknown)
const listFields = Object.keys(Task.ListTasksQuery.fields)

/** The query as the schema reads it: every value a string but `size`, and no empty values. */
const listQuery = (params: URLSearchParams): Effect.Effect<Record<string, unknown>, Refusal> => {
  const query: Record<string, unknown> = {}
  for (const [key, value] of params) {
    if (value === "") return Effect.fail(jsonError(400, `${key} must not be empty`))
    query[key] = key === "size" && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value
  }
  return Effect.succeed(query)
}

export const make = (engine: Engine) => {
  const { simulation } = engine
  const authorized = <A, R>(serve: Effect.Effect<A, Refusal, R>) =>
    Effect.andThen(
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => authenticate(request, engine.options)),
      serve
    )
  const task = Effect.gen(function*() {
    const { taskID } = yield* HttpRouter.params
    const id = yield* decode(Task.TaskID, taskID ?? "", "taskID")
    const found = simulation.get(id, engine.now())
    if (found === undefined) return yield* Effect.fail(jsonError(404, `Task ${id} not found`))
    return found
  })
  const withTask = <A>(view: (task: SimTask, now: number) => A, schema: Schema.Codec<A, unknown>) =>
    authorized(Effect.flatMap(task, (found) => encode(schema, view(found, engine.now()))))

  return {
    createTask: authorized(Effect.gen(function*() {
      const body = yield* decodeBody(Task.CreateTaskBody)
      const created = simulation.create({
        taskType: "user",
        packageName: body.packageName,
        packageVersion: body.packageVersion,
        blockName: body.blockName,
        inputValues: body.inputValues,
        packageID: body.packageName,
        subscriptionID: null,
        script: engine.blocks.resolve(body.packageName, body.blockName, body.packageVersion)
      }, engine.now())
      if (Result.isFailure(created)) return yield* Effect.fail(jsonError(429, created.failure))
      return yield* encode(Task.CreateTaskResponse, { taskID: created.success.taskID })
    })),

    listTasks: authorized(Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const raw = yield* listQuery(searchParams(request))
      const unknown = Object.keys(raw).filter((key) => !listFields.includes(key))
      if (unknown.length > 0) {
        return yield* Effect.fail(jsonError(400, unknown.map((key) => `${key} is not a known field`).join("; ")))
      }
      const query = yield* decode(Task.ListTasksQuery, raw, "query")
      const now = engine.now()
      const page = simulation.list(query, now)
      if (Result.isFailure(page)) return yield* Effect.fail(jsonError(400, page.failure))
      return yield* encode(Task.TaskListResponse, {
        tasks: page.success.tasks.map((item) => Views.listItem(item, now)),
        nextToken: page.success.nextToken
      })
    })),

    latestTasks: authorized(Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      // Absent, empty or blank: no workload named (`workloadIDs cannot be empty`).
      const workloadIDs = yield* decode(Task.WorkloadIDs, searchParams(request).get("workloadIDs") ?? "", "workloadIDs")
      const now = engine.now()
      return yield* encode(
        Task.LatestTasksResponse,
        simulation.latest(workloadIDs, now).map((item) => Views.latestItem(item, now))
      )
    })),

    getTask: withTask(Views.detail, Task.TaskDetail),

    getTaskResult: withTask(Views.result, AnyTaskResult),

    getTaskLogs: authorized(Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const param = searchParams(request).get("page")
      const page = yield* decode(Logs.LogsPage, param === null ? 1 : Number(param), "page")
      const found = yield* task
      return yield* encode(Logs.LogsResponse, { logs: Views.logPage(found, engine.now(), page) })
    })),

    dashboard: authorized(Effect.suspend(() => encode(Queue.Dashboard, simulation.dashboard(engine.now())))),

    pause: authorized(Effect.gen(function*() {
      yield* decodeBody(Schema.Struct({}))
      return yield* encode(Queue.PauseResponse, { pauseType: simulation.pause("user", engine.now()) })
    })),

    resume: authorized(Effect.gen(function*() {
      yield* decodeBody(Schema.Struct({}))
      const resumed = simulation.resume(engine.now())
      if (Result.isFailure(resumed)) return yield* Effect.fail(jsonError(403, resumed.failure))
      return yield* encode(Queue.PauseResponse, { pauseType: resumed.success })
    }))
  }
}
