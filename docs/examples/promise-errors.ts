// Every rejection, from the finest class to the official one it extends.
import {
  ApiError,
  ClientDisposedError,
  InvalidInputError,
  MalformedResponseError,
  NetworkError,
  OomolTaskClient,
  RunTaskErrorCode,
  TaskFailedError,
  TaskMayExistError,
  TimeoutError
} from "oomol-cloud-task-sdk"

const client = new OomolTaskClient({ apiKey: process.env.OOMOL_API_KEY, retries: 3 })
const request = { packageName: "@oomol/my-package", packageVersion: "1.0.0", blockName: "main" }

export const describeFailure = (error: unknown): string => {
  // Subclasses first: each is also the official class after it.
  if (error instanceof TaskMayExistError) return `maybe created (${error.reason}); list tasks before creating it again`
  if (error instanceof MalformedResponseError) return `unexpected answer (${error.status}): ${error.message}`
  if (error instanceof ApiError) return `refused with ${error.status}: ${error.message}`
  if (error instanceof NetworkError) return `no answer (sent: ${error.requestSent}): ${error.message}`
  if (error instanceof TaskFailedError) {
    return error.code === RunTaskErrorCode.INSUFFICIENT_QUOTA ? "out of quota" : `failed: ${error.message}`
  }
  if (error instanceof TimeoutError) return error.message
  if (error instanceof InvalidInputError) return `bad input: ${error.message}`
  if (error instanceof ClientDisposedError) return "client disposed"
  if (error instanceof DOMException && error.name === "AbortError") return "cancelled"
  return String(error)
}

try {
  await client.createAndWait(request, { timeoutMs: 60_000 })
} catch (error) {
  console.error(describeFailure(error))
  if (error instanceof TaskMayExistError) {
    // Look before creating it again: a second creation could run (and bill) the task twice.
    const recent = await client.listTasks({ size: 10, status: "queued" })
    console.log(recent.tasks.map((task) => task.taskID))
  }
}
