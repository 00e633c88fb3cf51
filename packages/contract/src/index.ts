/**
 * The OOMOL Cloud Task API v3 wire format, described once.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Api from "./Api.js"
/** @since 0.1.0 */
export * as Failure from "./Failure.js"
/** @since 0.1.0 */
export * as Logs from "./Logs.js"
/** @since 0.1.0 */
export * as Queue from "./Queue.js"
/** @since 0.1.0 */
export * as Task from "./Task.js"
/** @since 0.1.0 */
export * as Upload from "./Upload.js"
/** @since 0.1.0 */
export * as Wire from "./Wire.js"
