/**
 * Effect-native client for OOMOL Cloud Task API v3.
 *
 * The modules are namespaces (`CloudTaskClient.layer`, `Errors.PollTimeout`),
 * as Effect's own are. The shapes the service answers with, which the
 * client's signatures name, are exported here as types, so a program names
 * them without adding `@oomol-cloud-task/contract`.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as CloudTaskClient from "./CloudTaskClient.js"
/** @since 0.1.0 */
export * as Errors from "./Errors.js"
/** @since 0.1.0 */
export * as Polling from "./Polling.js"
/** @since 0.1.0 */
export * as Retry from "./Retry.js"
/** @since 0.1.0 */
export * as Upload from "./Upload.js"
/** @since 0.2.0 */
export * as UndiciHttpClient from "./UndiciHttpClient.js"

export type {
  /** @since 0.2.0 */
  CreateTaskResponse,
  /** @since 0.2.0 */
  DefaultResultData,
  /** @since 0.2.0 */
  InProgressStatus,
  /** @since 0.2.0 */
  LatestTaskItem,
  /** @since 0.2.0 */
  LatestTasksResponse,
  /** @since 0.2.0 */
  ListTasksQuery,
  /** @since 0.2.0 */
  TaskDetail,
  /** @since 0.2.0 */
  TaskListItem,
  /** @since 0.2.0 */
  TaskListResponse,
  /** @since 0.2.0 */
  TaskResult,
  /** @since 0.2.0 */
  TaskResultFailed,
  /** @since 0.2.0 */
  TaskResultInProgress,
  /** @since 0.2.0 */
  TaskResultSuccess,
  /** @since 0.2.0 */
  TaskStatus,
  /** @since 0.2.0 */
  TaskType,
  /** @since 0.2.0 */
  TerminalStatus
} from "@oomol-cloud-task/contract/Task"

export type {
  /** @since 0.2.0 */
  BlockFinished,
  /** @since 0.2.0 */
  BlockLog,
  /** @since 0.2.0 */
  BlockOutput,
  /** @since 0.2.0 */
  BlockOutputs,
  /** @since 0.2.0 */
  LogEntry,
  /** @since 0.2.0 */
  LogEventType,
  /** @since 0.2.0 */
  LogsResponse,
  /** @since 0.2.0 */
  SessionFinished,
  /** @since 0.2.0 */
  SubflowBlockFinished,
  /** @since 0.2.0 */
  UnknownLogEntry
} from "@oomol-cloud-task/contract/Logs"

export type {
  /** @since 0.2.0 */
  Dashboard,
  /** @since 0.2.0 */
  PauseResponse,
  /** @since 0.2.0 */
  PauseType
} from "@oomol-cloud-task/contract/Queue"

export type {
  /** @since 0.2.0 */
  UploadUrlResponse
} from "@oomol-cloud-task/contract/Upload"

export type {
  /** @since 0.2.0 */
  RunTaskErrorCode,
  /** @since 0.2.0 */
  UploadErrorCode
} from "@oomol-cloud-task/contract/Failure"
