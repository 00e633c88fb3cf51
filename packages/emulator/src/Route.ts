/**
 * The routes the emulator serves, by name: faults and request counters are kept
 * per route.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * Every route a client calls: the task API, the upload API, the presigned part
 * PUT and the download of an uploaded file.
 *
 * @since 0.1.0
 * @category routes
 */
export const RouteName = Schema.Literals([
  "createTask",
  "listTasks",
  "latestTasks",
  "getTask",
  "getTaskResult",
  "getTaskLogs",
  "dashboard",
  "pause",
  "resume",
  "uploadInit",
  "uploadPart",
  "uploadUrl",
  "download"
])
/** @since 0.1.0 @category routes */
export type RouteName = typeof RouteName.Type

/**
 * All route names, in the order above.
 *
 * @since 0.1.0
 * @category routes
 */
export const routeNames: ReadonlyArray<RouteName> = RouteName.literals

/**
 * Where presigned part PUTs go: an object store's path, not the upload API's
 * (`/_store/<uploadID>/<part>?X-Expires=…&X-Signature=…`).
 *
 * @since 0.1.0
 * @category routes
 */
export const STORE_PREFIX = "/_store"

/**
 * Where uploaded files are downloaded from (`/_files/<uploadID>/<fileName>`).
 *
 * @since 0.1.0
 * @category routes
 */
export const FILES_PREFIX = "/_files"

/**
 * Where the control endpoints live; they need no credentials.
 *
 * @since 0.1.0
 * @category routes
 */
export const CONTROL_PREFIX = "/_emulator"
