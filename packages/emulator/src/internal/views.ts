/** A simulated task as the wire shows it: list items, details, results, logs. */
import { Logs, type Task } from "@oomol-cloud-task/contract"
import type { SimTask } from "../Simulation.js"
import { stateAt } from "../Simulation.js"

const schedulerPayload = (task: SimTask) => ({
  packageName: task.packageName,
  packageVersion: task.packageVersion,
  blockName: task.blockName,
  ...(task.inputValues === undefined ? {} : { inputValues: task.inputValues })
})

const outcome = (task: SimTask, now: number) => {
  const state = stateAt(task, now)
  return {
    state,
    resultURL: state.status === "success" ? task.script.resultURL : null,
    failedMessage: state.status === "failed" ? task.script.fail ?? null : null
  }
}

// Reporter events carry more fields than the contract names (`log`, `error`, `create_at`).
const entry = (fields: { readonly type: string } & Record<string, unknown>): Logs.LogEntry =>
  fields as unknown as Logs.LogEntry

/** What a successful task returns: its script's data, or `[inputValues]`. */
export const resultData = (task: SimTask): unknown =>
  task.script.resultData === undefined ? [task.inputValues ?? {}] : task.script.resultData.value

export const listItem = (task: SimTask, now: number): Task.TaskListItem => {
  const { failedMessage, resultURL, state } = outcome(task, now)
  return {
    taskID: task.taskID,
    taskType: task.taskType,
    ownerID: task.ownerID,
    subscriptionID: task.subscriptionID,
    packageID: task.packageID,
    blockName: task.blockName,
    status: state.status,
    progress: state.progress,
    workload: task.workload,
    workloadID: task.workloadID,
    resultURL,
    failedMessage,
    createdAt: task.createdAt,
    updatedAt: state.updatedAt,
    startTime: state.startTime,
    endTime: state.endTime,
    schedulerPayload: schedulerPayload(task)
  }
}

export const detail = (task: SimTask, now: number): Task.TaskDetail => {
  const { failedMessage, resultURL, state } = outcome(task, now)
  const common = {
    taskID: task.taskID,
    status: state.status,
    progress: state.progress,
    schedulerPayload: schedulerPayload(task),
    createdAt: task.createdAt,
    startTime: state.startTime,
    endTime: state.endTime,
    resultURL,
    failedMessage
  }
  return task.taskType === "user"
    ? { taskType: "user", ...common, workload: task.workload, workloadID: task.workloadID }
    : { taskType: "shared", ...common, packageID: task.packageID, subscriptionID: task.subscriptionID }
}

export const result = (task: SimTask, now: number): Task.TaskResult<unknown> => {
  const { failedMessage, resultURL, state } = outcome(task, now)
  switch (state.status) {
    case "success":
      return { status: "success", resultURL, resultData: resultData(task) }
    case "failed":
      return { status: "failed", error: failedMessage }
    default:
      return { status: state.status, progress: state.progress }
  }
}

export const latestItem = (task: SimTask, now: number): Task.LatestTaskItem => {
  const state = stateAt(task, now)
  return {
    taskID: task.taskID,
    workloadID: task.workloadID,
    status: state.status,
    progress: state.progress,
    createdAt: task.createdAt,
    startTime: state.startTime,
    endTime: state.endTime
  }
}

/**
 * Page `page` (1-based) of the reporter events written by `now`: the block's
 * log lines spread over its run, then its outputs, its end and the session's
 * end. Nested values become JSON text, as the service sends them, when the
 * contract's `LogEntry` encodes them.
 */
export const logPage = (task: SimTask, now: number, page: number): ReadonlyArray<Logs.LogEntry> => {
  const { script } = task
  if (task.admittedAt === null) return []
  const elapsed = now - task.admittedAt - script.logsLag
  const running = script.total - script.runningAt
  const lineAt = (i: number) => script.runningAt + Math.floor((running * (i + 1)) / (script.logLines + 1))
  const finished = elapsed >= script.total
  const base = {
    session_id: task.taskID,
    job_id: `${task.taskID}:${task.blockName}`,
    block_path: `${task.packageName}/blocks/${task.blockName}`,
    stacks: [{ session_id: task.taskID, flow_job_id: task.taskID, flow: task.packageName, node_id: task.blockName }]
  }
  const at = (offset: number) => task.admittedAt! + script.logsLag + offset
  const data = resultData(task)
  const end = at(script.total)
  const ending: ReadonlyArray<Logs.LogEntry> = [
    ...(script.fail === undefined
      ? [
        entry({ type: "BlockOutputs", ...base, outputs: data, create_at: end }),
        entry({ type: "BlockFinished", ...base, result: data, create_at: end })
      ]
      : [entry({ type: "BlockFinished", ...base, error: script.fail, create_at: end })]),
    entry({ type: "SessionFinished", session_id: task.taskID, create_at: end })
  ]
  const entries: Array<Logs.LogEntry> = []
  const first = (page - 1) * Logs.LOGS_PAGE_SIZE
  for (let i = first; i < first + Logs.LOGS_PAGE_SIZE; i++) {
    if (i < script.logLines) {
      if (lineAt(i) > elapsed) break
      entries.push(entry({ type: "BlockLog", ...base, log: script.logLine(i), create_at: at(lineAt(i)) }))
    } else {
      const last = ending[i - script.logLines]
      if (last === undefined || !finished) break
      entries.push(last)
    }
  }
  return entries
}
