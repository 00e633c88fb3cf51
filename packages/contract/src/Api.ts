/**
 * Where the service lives: hosts, paths, and how a user's base URL is read.
 *
 * @since 0.1.0
 */

/**
 * The task API.
 *
 * @since 0.1.0
 * @category hosts
 */
export const DEFAULT_BASE_URL = "https://cloud-task.oomol.com"

/**
 * The upload API, on another host than the task API.
 *
 * @since 0.1.0
 * @category hosts
 */
export const DEFAULT_UPLOAD_BASE_URL = "https://llm.oomol.com/api/tasks/files/remote-cache"

/**
 * The cookie a browser session authenticates with when no API key is set.
 *
 * @since 0.1.0
 * @category hosts
 */
export const SESSION_COOKIE = "oomol-token"

/**
 * A base URL as the client uses it: trailing slashes and a trailing `/v1` or
 * `/v3` removed, so `https://host/v3/` and `https://host` mean the same.
 *
 * @since 0.1.0
 * @category hosts
 */
export const normalizeBaseUrl = (url: string): string => url.trim().replace(/\/+$/, "").replace(/\/v[13]$/, "")

/**
 * A task ID as one path segment: `/`, `?`, `#` and spaces can never reach
 * another route. (`.`, `..` and `latest` are refused by `Task.TaskID` before this.)
 *
 * @since 0.1.0
 * @category paths
 */
export const taskSegment = (taskID: string): string => encodeURIComponent(taskID)

/**
 * Every path of the task API and the upload API, relative to its base URL.
 *
 * @since 0.1.0
 * @category paths
 */
export const paths = {
  tasks: "/v3/users/me/tasks",
  latestTasks: "/v3/users/me/tasks/latest",
  task: (taskID: string) => `/v3/users/me/tasks/${taskSegment(taskID)}`,
  taskResult: (taskID: string) => `/v3/users/me/tasks/${taskSegment(taskID)}/result`,
  taskLogs: (taskID: string) => `/v3/users/me/tasks/${taskSegment(taskID)}/logs`,
  dashboard: "/v3/users/me/dashboard",
  pause: "/v3/user/pause",
  resume: "/v3/user/resume",
  uploadInit: "/init",
  uploadUrl: (uploadID: string) => `/${encodeURIComponent(uploadID)}/url`
} as const
