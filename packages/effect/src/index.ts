/**
 * Effect-native client for OOMOL Cloud Task API v3.
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
