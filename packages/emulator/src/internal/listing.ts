/**
 * The task listing: newest first, filtered by the query, cut into pages that
 * continue from an opaque `nextToken` (the creation number of the last task
 * given, so tasks created meanwhile never shift a page).
 */
import type * as Task from "@oomol-cloud-task/contract/Task"
import * as Result from "effect/Result"

/** What the listing reads of a task. */
export interface Listed {
  readonly seq: number
  readonly taskType: Task.TaskType
  readonly workload: string
  readonly workloadID: string
  readonly packageID: string | null
  readonly blockName: string
}

const DEFAULT_PAGE_SIZE = 20

const tokenOf = (seq: number) => Buffer.from(`before:${seq}`).toString("base64url")

const seqOf = (token: string): number | undefined => {
  const match = /^before:(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"))
  return match === null ? undefined : Number(match[1])
}

/**
 * One page of `tasks` (in creation order) for `query`; `statusOf` says where a
 * task is now. Fails with a message when `nextToken` is not one a page gave.
 */
export const page = <T extends Listed>(
  tasks: ReadonlyArray<T>,
  query: Task.ListTasksQuery,
  statusOf: (task: T) => Task.TaskStatus
): Result.Result<{ readonly tasks: ReadonlyArray<T>; readonly nextToken: string | null }, string> => {
  let from = tasks.length - 1
  if (query.nextToken !== undefined) {
    const before = seqOf(query.nextToken)
    if (before === undefined) return Result.fail("Invalid nextToken")
    while (from >= 0 && tasks[from]!.seq >= before) from--
  }
  const size = query.size ?? DEFAULT_PAGE_SIZE
  const matches = (task: T) =>
    (query.taskType === undefined || task.taskType === query.taskType) &&
    (query.workload === undefined || task.workload === query.workload) &&
    (query.workloadID === undefined || task.workloadID === query.workloadID) &&
    (query.packageID === undefined || task.packageID === query.packageID) &&
    (query.blockName === undefined || task.blockName === query.blockName) &&
    (query.status === undefined || statusOf(task) === query.status)
  const found: Array<T> = []
  for (let i = from; i >= 0; i--) {
    const task = tasks[i]!
    if (!matches(task)) continue
    if (found.length === size) return Result.succeed({ tasks: found, nextToken: tokenOf(found[found.length - 1]!.seq) })
    found.push(task)
  }
  return Result.succeed({ tasks: found, nextToken: null })
}
