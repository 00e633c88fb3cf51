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
