/**
 * Commands about many tasks: `list` (the list endpoint's filters, `--all`
 * across pages) and `latest` (the latest task of each workload).
 *
 * @since 0.1.0
 */
import { Task } from "@oomol-cloud-task/contract"
import { CloudTaskClient } from "@oomol-cloud-task/effect"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Argument from "effect/cli/Argument"
import * as Flag from "effect/cli/Flag"
import { service } from "./internal/command.js"
import { nonBlank } from "./internal/flags.js"
import * as Output from "./Output.js"
import * as Progress from "./Progress.js"
import * as SafeText from "./SafeText.js"

const percent = (row: { readonly progress: number }) => `${Math.floor(Progress.percentOf(row.progress))}%`

const taskColumns: ReadonlyArray<Output.Column<Task.TaskListItem>> = [
  { title: "TASK ID", value: (t) => t.taskID },
  { title: "STATUS", value: (t) => t.status },
  { title: "PROGRESS", value: percent, align: "right" },
  { title: "BLOCK", value: (t) => t.blockName ?? "-" },
  { title: "WORKLOAD ID", value: (t) => t.workloadID },
  { title: "CREATED", value: (t) => Output.time(t.createdAt) }
]

const text = (name: string, description: string) =>
  Flag.String(name).pipe(Flag.withDescription(description), nonBlank(name, String, "for no such filter"), Flag.optional)

/**
 * `list`: one page of tasks, or every page with `--all`.
 *
 * @since 0.1.0
 * @category commands
 */
export const list = service(
  "list",
  "List your tasks, newest first: one page, or every page with --all.",
  {
    size: Flag.Int("size").pipe(Flag.withDescription("Tasks per page, 1 to 100."), Flag.optional),
    status: Flag.Literals("status", Task.TaskStatus.literals).pipe(
      Flag.withDescription("Only tasks in this status."),
      Flag.optional
    ),
    taskType: Flag.Literals("task-type", Task.TaskType.literals).pipe(
      Flag.withDescription("Only user or shared tasks."),
      Flag.optional
    ),
    workload: text("workload", "Only tasks of this workload type, e.g. serverless."),
    workloadID: text("workload-id", "Only tasks of this workload."),
    packageID: text("package-id", "Only tasks of this package."),
    blockName: text("block-name", "Only tasks of this block."),
    nextToken: text("next-token", "Start at this page, as a previous list printed."),
    all: Flag.Boolean("all").pipe(Flag.withDescription("Follow nextToken through every page."), Flag.withDefault(false))
  },
  (values) =>
    Effect.gen(function*() {
      const client = yield* CloudTaskClient.CloudTaskClient
      const query: Task.ListTasksQuery = {
        size: Option.getOrUndefined(values.size),
        status: Option.getOrUndefined(values.status),
        taskType: Option.getOrUndefined(values.taskType),
        workload: Option.getOrUndefined(values.workload),
        workloadID: Option.getOrUndefined(values.workloadID),
        packageID: Option.getOrUndefined(values.packageID),
        blockName: Option.getOrUndefined(values.blockName),
        nextToken: Option.getOrUndefined(values.nextToken)
      }
      const page = values.all
        ? { tasks: yield* Stream.runCollect(client.listAllTasks(query)), nextToken: null }
        : yield* client.listTasks(query)
      yield* Output.result(values, page, () => Output.table(taskColumns, page.tasks, "No tasks."))
      if (page.nextToken !== null && page.nextToken !== "") {
        yield* Output.note(values, `more: ${SafeText.command(["oomol-task", "list", "--next-token", page.nextToken])} (or --all)`)
      }
    })
)

const latestColumns: ReadonlyArray<Output.Column<Task.LatestTaskItem>> = [
  { title: "WORKLOAD ID", value: (t) => t.workloadID },
  { title: "TASK ID", value: (t) => t.taskID },
  { title: "STATUS", value: (t) => t.status },
  { title: "PROGRESS", value: percent, align: "right" },
  { title: "CREATED", value: (t) => Output.time(t.createdAt) },
  { title: "ENDED", value: (t) => Output.time(t.endTime) }
]

/**
 * `latest <workloadID…>`: the latest task of each workload.
 *
 * @since 0.1.0
 * @category commands
 */
export const latest = service(
  "latest",
  "Print the latest task of each workload (1 to 50 workload IDs; commas also separate).",
  {
    workloadIDs: Argument.String("workloadID").pipe(
      Argument.withDescription("A workload ID; give one or more."),
      Argument.atLeast(1)
    )
  },
  (values) =>
    Effect.gen(function*() {
      // `a,b c` and `a b c` mean the same: the client splits a comma-joined list.
      const tasks = yield* (yield* CloudTaskClient.CloudTaskClient).getLatestTasks(values.workloadIDs.join(","))
      yield* Output.result(values, tasks, () => Output.table(latestColumns, tasks, "No tasks for these workloads."))
    })
)
