/**
 * Tasks on the wire: statuses, list items, details, results, and the bodies and
 * queries of the task endpoints.
 *
 * Response schemas accept unknown extra fields (decode them with
 * `Wire.decodeResponse` to keep them); request schemas describe exactly what is
 * sent (`Wire.decodeRequest` refuses anything else).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Rules from "./internal/inputRules.js"

/**
 * Where a task is in its life: the first four are in progress, `success` and
 * `failed` are terminal.
 *
 * @since 0.1.0
 * @category status
 */
export const TaskStatus = Schema.Literals(["queued", "scheduling", "scheduled", "running", "success", "failed"])
/** @since 0.1.0 @category status */
export type TaskStatus = typeof TaskStatus.Type

/** @since 0.1.0 @category status */
export const InProgressStatus = Schema.Literals(["queued", "scheduling", "scheduled", "running"])
/** @since 0.1.0 @category status */
export type InProgressStatus = typeof InProgressStatus.Type

/** @since 0.1.0 @category status */
export const TerminalStatus = /* @__PURE__ */ Schema.Literals(["success", "failed"])
/** @since 0.1.0 @category status */
export type TerminalStatus = typeof TerminalStatus.Type

/**
 * `true` for `success` and `failed`, the two states a task never leaves.
 *
 * @since 0.1.0
 * @category status
 */
export const isTerminal = (status: TaskStatus): status is TerminalStatus =>
  status === "success" || status === "failed"

/** @since 0.1.0 @category status */
export const TaskType = Schema.Literals(["user", "shared"])
/** @since 0.1.0 @category status */
export type TaskType = typeof TaskType.Type

/**
 * The only workload this API creates. Listings may show other workloads made
 * elsewhere (applets, web tasks), so responses accept any string.
 *
 * @since 0.1.0
 * @category status
 */
export const WorkloadType = Schema.Literal("serverless")
/** @since 0.1.0 @category status */
export type WorkloadType = typeof WorkloadType.Type

const Millis = Schema.Number.annotate({ description: "epoch milliseconds" })
const NullableMillis = Schema.NullOr(Millis)
const Progress = Schema.Number.annotate({ description: "0..100 or 0..1; never assume one scale" })
const SchedulerPayload = Schema.Record(Schema.String, Schema.Unknown)

/**
 * A task ID as a caller passes it: any text but an empty one, `.` or `..`,
 * which a URL would read as a path step instead of a task, and `latest`,
 * whose detail path is the latest-tasks endpoint's. Anything but a string is
 * refused with the same message.
 *
 * @since 0.1.0
 * @category status
 */
export const TaskID = Rules.TaskID

/**
 * One task of a listing.
 *
 * @since 0.1.0
 * @category list
 */
export const TaskListItem = Schema.Struct({
  taskID: Schema.String,
  taskType: TaskType,
  ownerID: Schema.String,
  subscriptionID: Schema.NullOr(Schema.String),
  packageID: Schema.NullOr(Schema.String),
  blockName: Schema.optional(Schema.String),
  status: TaskStatus,
  progress: Progress,
  workload: Schema.String,
  workloadID: Schema.String,
  resultURL: Schema.NullOr(Schema.String),
  failedMessage: Schema.NullOr(Schema.String),
  createdAt: Millis,
  updatedAt: Millis,
  startTime: NullableMillis,
  endTime: NullableMillis,
  schedulerPayload: SchedulerPayload
})
/** @since 0.1.0 @category list */
export type TaskListItem = typeof TaskListItem.Type

/**
 * A page of the task listing; `nextToken` is `null` on the last page.
 *
 * @since 0.1.0
 * @category list
 */
export const TaskListResponse = Schema.Struct({
  tasks: Schema.Array(TaskListItem),
  nextToken: Schema.NullOr(Schema.String)
})
/** @since 0.1.0 @category list */
export type TaskListResponse = typeof TaskListResponse.Type

/**
 * The listing's page size: the service takes 1 to 100. As in the official
 * SDK, any other value (`null`, `"20"`, `1.5`) is refused with one message.
 *
 * @since 0.1.0
 * @category list
 */
export const PageSize = Rules.PageSize

/**
 * The query of `GET /v3/users/me/tasks`. Absent or empty values are not sent.
 *
 * @since 0.1.0
 * @category list
 */
export const ListTasksQuery = Schema.Struct({
  size: Schema.optional(PageSize),
  nextToken: Schema.optional(Schema.String),
  status: Schema.optional(TaskStatus),
  taskType: Schema.optional(TaskType),
  workload: Schema.optional(Schema.String),
  workloadID: Schema.optional(Schema.String),
  packageID: Schema.optional(Schema.String),
  blockName: Schema.optional(Schema.String)
})
/** @since 0.1.0 @category list */
export type ListTasksQuery = typeof ListTasksQuery.Type

/**
 * The latest task of one workload.
 *
 * @since 0.1.0
 * @category list
 */
export const LatestTaskItem = Schema.Struct({
  taskID: Schema.String,
  workloadID: Schema.String,
  status: TaskStatus,
  progress: Progress,
  createdAt: Millis,
  startTime: NullableMillis,
  endTime: NullableMillis
})
/** @since 0.1.0 @category list */
export type LatestTaskItem = typeof LatestTaskItem.Type

/** @since 0.1.0 @category list */
export const LatestTasksResponse = Schema.Array(LatestTaskItem)
/** @since 0.1.0 @category list */
export type LatestTasksResponse = typeof LatestTasksResponse.Type

/**
 * The workload IDs of `GET /v3/users/me/tasks/latest`, as a caller passes
 * them (an array, or one comma-separated text) and as the `workloadIDs`
 * query carries them: 1 to 50 IDs, each trimmed, none empty. Decodes to the
 * list; encodes to the comma-joined text that is sent. The refusals are the
 * official SDK's, in its order: `workloadIDs cannot be empty` (no IDs, `""`
 * or a blank text), `workloadIDs cannot exceed 50 items`, `workloadIDs must
 * not contain empty items`; and `workloadIDs items must not contain commas`.
 *
 * @since 0.1.0
 * @category list
 */
export const WorkloadIDs = Rules.WorkloadIDs

// What a task's detail says whoever created it.
const detailFields = {
  taskID: Schema.String,
  status: TaskStatus,
  progress: Progress,
  schedulerPayload: SchedulerPayload,
  createdAt: Millis,
  startTime: NullableMillis,
  endTime: NullableMillis,
  resultURL: Schema.NullOr(Schema.String),
  failedMessage: Schema.NullOr(Schema.String)
}

/**
 * The detail of a task the user created.
 *
 * @since 0.1.0
 * @category detail
 */
export const UserTaskDetail = Schema.Struct({
  taskType: Schema.Literal("user"),
  workload: Schema.String,
  workloadID: Schema.String,
  ...detailFields
})

/**
 * The detail of a task run through a shared package subscription.
 *
 * @since 0.1.0
 * @category detail
 */
export const SharedTaskDetail = Schema.Struct({
  taskType: Schema.Literal("shared"),
  packageID: Schema.NullOr(Schema.String),
  subscriptionID: Schema.NullOr(Schema.String),
  ...detailFields
})

/**
 * `GET /v3/users/me/tasks/{taskID}`, discriminated by `taskType`.
 *
 * @since 0.1.0
 * @category detail
 */
export const TaskDetail = Schema.Union([UserTaskDetail, SharedTaskDetail])
/** @since 0.1.0 @category detail */
export type TaskDetail = typeof TaskDetail.Type

/**
 * What a successful task returns when no schema is given for it: a list of
 * objects.
 *
 * @since 0.1.0
 * @category result
 */
export const DefaultResultData = Schema.Array(Schema.Record(Schema.String, Schema.Unknown))
/** @since 0.1.0 @category result */
export type DefaultResultData = typeof DefaultResultData.Type

/** @since 0.1.0 @category result */
export const TaskResultInProgress = Schema.Struct({
  status: InProgressStatus,
  progress: Progress
})
/** @since 0.1.0 @category result */
export type TaskResultInProgress = typeof TaskResultInProgress.Type

/** @since 0.1.0 @category result */
export const TaskResultFailed = Schema.Struct({
  status: Schema.Literal("failed"),
  error: Schema.NullOr(Schema.String)
})
/** @since 0.1.0 @category result */
export type TaskResultFailed = typeof TaskResultFailed.Type

/**
 * The success answer of `…/result`, with `resultData` decoded by `data`.
 *
 * @since 0.1.0
 * @category result
 */
export const TaskResultSuccess = <A, I>(data: Schema.Codec<A, I>) =>
  Schema.Struct({
    status: Schema.Literal("success"),
    resultURL: Schema.NullOr(Schema.String),
    resultData: Schema.optional(data)
  })
/** @since 0.1.0 @category result */
export interface TaskResultSuccess<A = DefaultResultData> {
  readonly status: "success"
  readonly resultURL: string | null
  readonly resultData?: A
}

/**
 * `GET /v3/users/me/tasks/{taskID}/result`, discriminated by `status`.
 * `resultData` is decoded by `data`, a list of objects by default.
 *
 * @example
 * ```ts
 * import { Task } from "@oomol-cloud-task/contract"
 * import { Schema } from "effect"
 *
 * const Summary = Task.TaskResult(Schema.Struct({ pages: Schema.Number }))
 * ```
 *
 * @since 0.1.0
 * @category result
 */
export const TaskResult = <A, I>(data: Schema.Codec<A, I>) =>
  Schema.Union([TaskResultInProgress, TaskResultSuccess(data), TaskResultFailed])
/** @since 0.1.0 @category result */
export type TaskResult<A = DefaultResultData> = TaskResultInProgress | TaskResultSuccess<A> | TaskResultFailed

/** @since 0.1.0 @category result */
export const DefaultTaskResult = /* @__PURE__ */ TaskResult(DefaultResultData)

/**
 * The body of `POST /v3/users/me/tasks`: only serverless tasks exist, and
 * nothing else is sent.
 *
 * @since 0.1.0
 * @category create
 */
export const CreateTaskBody = Schema.Struct({
  type: WorkloadType,
  packageName: Rules.nonEmpty("packageName"),
  packageVersion: Rules.nonEmpty("packageVersion"),
  blockName: Rules.nonEmpty("blockName"),
  inputValues: Schema.optional(Schema.Record(Schema.String, Schema.Unknown))
})
/** @since 0.1.0 @category create */
export type CreateTaskBody = typeof CreateTaskBody.Type

/** @since 0.1.0 @category create */
export const CreateTaskResponse = Schema.Struct({ taskID: Schema.String })
/** @since 0.1.0 @category create */
export type CreateTaskResponse = typeof CreateTaskResponse.Type
