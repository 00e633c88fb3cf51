/**
 * Commands about one task: `run`, `create`, `wait`, `result`, `get` and `logs`.
 *
 * @since 0.1.0
 */
import type { Logs, Task } from "@oomol-cloud-task/contract"
import { CloudTaskClient, Polling } from "@oomol-cloud-task/effect"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Argument from "effect/cli/Argument"
import * as Flag from "effect/cli/Flag"
import * as Failures from "./Failures.js"
import * as Inputs from "./Inputs.js"
import { type Common, progress, service } from "./internal/command.js"
import * as Output from "./Output.js"
import * as Progress from "./Progress.js"
import * as SafeText from "./SafeText.js"
import * as Stdio from "./Stdio.js"
import * as Waiting from "./Waiting.js"

const taskID = Argument.String("taskID").pipe(Argument.withDescription("The task's ID, as create or run printed it."))

const successText = (id: string, result: Task.TaskResultSuccess<unknown>): string =>
  [
    Output.fields([["task", id], ["status", "success"], ["result URL", result.resultURL ?? undefined]]),
    ...(result.resultData === undefined ? [] : ["result data:", Output.pretty(result.resultData)])
  ].join("\n")

const waited = (mode: Output.Mode, id: string, result: Task.TaskResultSuccess<unknown>) =>
  Output.result(mode, { taskID: id, result }, () => successText(id, result))

const watchTask = (mode: Common, id: string, flags: Waiting.Flags, initial: Progress.State) =>
  Effect.scoped(Effect.flatMap(progress(mode, `task ${id}`, initial), (shown) => Waiting.awaitTask(id, flags, shown)))

// Ctrl-C during a creation: the request may have reached the service.
const stoppedCreating = (values: Output.Mode & Inputs.Values) =>
  Failures.onInterrupt(values, {
    message: "interrupted while the task was being created: it may have been created. Look for it before creating it again with",
    resume: ["oomol-task", "list", "--block-name", values.block]
  })

// Ctrl-C stops the wait, not the task: say so, and how to wait again.
const stoppedWaiting = (mode: Output.Mode, id: string) =>
  Failures.onInterrupt(mode, {
    message: `stopped waiting for task ${SafeText.line(id)}; it goes on running on the service. Wait for it again with`,
    taskID: id,
    resume: ["oomol-task", "wait", id]
  })

/**
 * `run <package>@<version> <block>`: creates a task and waits for it.
 *
 * @since 0.1.0
 * @category commands
 */
export const run = service(
  "run",
  "Create a task and wait for it, showing its progress; prints its result.",
  { ...Inputs.args, ...Inputs.flags, ...Waiting.flags },
  (values) =>
    Effect.gen(function*() {
      const client = yield* CloudTaskClient.CloudTaskClient
      const { taskID: id } = yield* client.createTask(Inputs.request(values)).pipe(stoppedCreating(values))
      const result = yield* watchTask(values, id, values, { status: "created" }).pipe(stoppedWaiting(values, id))
      yield* waited(values, id, result)
    })
)

/**
 * `create <package>@<version> <block>`: creates a task and prints its ID.
 *
 * @since 0.1.0
 * @category commands
 */
export const create = service(
  "create",
  "Create a task and print its ID without waiting.",
  { ...Inputs.args, ...Inputs.flags },
  (values) =>
    Effect.gen(function*() {
      const created = yield* (yield* CloudTaskClient.CloudTaskClient).createTask(Inputs.request(values)).pipe(
        stoppedCreating(values)
      )
      yield* Output.result(values, created, () => SafeText.line(created.taskID))
      yield* Output.note(values, `wait for it with: ${Failures.waitCommand(created.taskID)}`)
    })
)

/**
 * `wait <taskID>`: waits for a task to end.
 *
 * @since 0.1.0
 * @category commands
 */
export const wait = service(
  "wait",
  "Wait for a task to end, showing its progress; prints its result.",
  { taskID, ...Waiting.flags },
  (values) =>
    Effect.gen(function*() {
      // One answer before the wait: polling retries a missing connection forever, a first read does not.
      const result = yield* Effect.flatMap(
        Effect.flatMap(CloudTaskClient.CloudTaskClient, (client) => client.getTaskResult(values.taskID)),
        (first) => watchTask(values, values.taskID, values, Waiting.stateOf(first))
      ).pipe(stoppedWaiting(values, values.taskID))
      yield* waited(values, values.taskID, result)
    })
)

const resultText = (id: string, result: Task.TaskResult<unknown>): string => {
  switch (result.status) {
    case "success":
      return successText(id, result)
    case "failed":
      return Output.fields([["task", id], ["status", "failed"], ["error", result.error ?? "Unknown error"]])
    default:
      return Output.fields([["task", id], ["status", result.status], [
        "progress",
        `${Math.floor(Progress.percentOf(result.progress))}%`
      ]])
  }
}

/**
 * `result <taskID>`: a task's result state now, without waiting.
 *
 * @since 0.1.0
 * @category commands
 */
export const result = service(
  "result",
  "Print a task's result state now (in progress, success with its data, or failed) without waiting.",
  { taskID },
  (values) =>
    Effect.flatMap(
      Effect.flatMap(CloudTaskClient.CloudTaskClient, (client) => client.getTaskResult(values.taskID)),
      (state) => Output.result(values, state, () => resultText(values.taskID, state))
    )
)

const detailText = (detail: Task.TaskDetail): string =>
  Output.fields([
    ["task", detail.taskID],
    ["type", detail.taskType],
    ["status", detail.status],
    ["progress", `${Math.floor(Progress.percentOf(detail.progress))}%`],
    ...(detail.taskType === "user"
      ? [["workload", detail.workload], ["workload ID", detail.workloadID]] as const
      : [["package ID", detail.packageID ?? "-"], ["subscription ID", detail.subscriptionID ?? "-"]] as const),
    ["created", Output.time(detail.createdAt)],
    ["started", Output.time(detail.startTime)],
    ["ended", Output.time(detail.endTime)],
    ["result URL", detail.resultURL ?? undefined],
    ["failed", detail.failedMessage ?? undefined]
  ])

/**
 * `get <taskID>`: a task's detail.
 *
 * @since 0.1.0
 * @category commands
 */
export const get = service(
  "get",
  "Print a task's detail: status, progress, workload, times.",
  { taskID },
  (values) =>
    Effect.flatMap(
      Effect.flatMap(CloudTaskClient.CloudTaskClient, (client) => client.getTask(values.taskID)),
      (detail) => Output.result(values, detail, () => detailText(detail))
    )
)

const text = (value: unknown): string | undefined =>
  value === undefined ? undefined : typeof value === "string" ? value : JSON.stringify(value)

// A log text safe to show; the lines after its first are indented, so that
// every entry, and only an entry, starts a line with `[`.
const logText = (value: string | undefined): string | undefined =>
  value === undefined ? undefined : SafeText.lines(value).replace(/\n+$/, "").replaceAll("\n", "\n  ")

/**
 * A log entry as one line: `[BlockLog] pkg/blocks/main: Running block`. The
 * text is the entry's `log` or `message` when it has one, else its error,
 * output or result. The entry's text is safe to show: control characters are
 * escaped, and a text of many lines continues on indented lines.
 *
 * @since 0.1.0
 * @category formatting
 */
export const logLine = (entry: Logs.LogEntry): string => {
  const fields = entry as Readonly<Record<string, unknown>>
  const body = logText(
    text(fields.log) ?? text(fields.message) ??
      (fields.error === undefined || fields.error === null ? undefined : `error: ${text(fields.error)}`) ??
      text(fields.outputs) ?? text(fields.output) ?? text(fields.result)
  )
  const where = text(fields.block_path ?? undefined) ?? text(fields.session_id)
  // An event of a kind the contract does not describe keeps its own type as `kind`.
  const kind = fields.type === "Unknown" && typeof fields.kind === "string" ? fields.kind : String(fields.type)
  return [
    `[${SafeText.line(kind)}]`,
    where === undefined ? "" : `${SafeText.line(where)}${body === undefined ? "" : ":"}`,
    body ?? ""
  ]
    .filter((part) => part !== "")
    .join(" ")
}

/**
 * `logs <taskID>`: every log entry, across pages; with `--follow`, until the
 * task ends.
 *
 * @since 0.1.0
 * @category commands
 */
export const logs = service(
  "logs",
  "Print a task's logs, every page; with --follow, keep reading until the task has ended.",
  {
    taskID,
    follow: Flag.Boolean("follow").pipe(
      Flag.withAlias("f"),
      Flag.withDescription("Keep reading new entries until the task ends (every --interval, default 3s)."),
      Flag.withDefault(false)
    ),
    interval: Waiting.flags.interval
  },
  (values) =>
    Effect.gen(function*() {
      const client = yield* CloudTaskClient.CloudTaskClient
      const follow = values.follow ? Option.match(values.interval, { onNone: () => true, onSome: Polling.fixed }) : false
      const entries = client.logs(values.taskID, { follow })
      // Each line as it comes: a reader that stops reading (`| head`) ends the command at the next line.
      const printed = values.json
        ? Effect.flatMap(Stream.runCollect(entries), (all) => Output.result(values, all, () => all.map(logLine).join("\n")))
        : Stream.runForEach(entries, (entry) => Stdio.out(`${logLine(entry)}\n`))
      yield* values.follow
        ? printed.pipe(Failures.onInterrupt(values, {
          message: `stopped following the logs of task ${SafeText.line(values.taskID)}; follow them again with`,
          taskID: values.taskID,
          resume: ["oomol-task", "logs", values.taskID, "--follow"]
        }))
        : printed
    })
)
