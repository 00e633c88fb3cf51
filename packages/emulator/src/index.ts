/**
 * A local emulator of the OOMOL Cloud Task service: a real HTTP server on
 * loopback with the task API, the logs, the upload API and an object store,
 * scripted blocks, a simulated queue, and fault injection.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Block from "./Block.js"
/** @since 0.1.0 */
export * as Control from "./Control.js"
/** @since 0.1.0 */
export * as Emulator from "./Emulator.js"
/** @since 0.1.0 */
export * as Fault from "./Fault.js"
/** @since 0.1.0 */
export * as Main from "./Main.js"
/** @since 0.1.0 */
export * as Route from "./Route.js"
/** @since 0.1.0 */
export * as Simulation from "./Simulation.js"
/** @since 0.1.0 */
export * as Uploads from "./Uploads.js"
/** @since 0.1.0 */
export { type RunningEmulator, startEmulator } from "./RunningEmulator.js"
/** @since 0.1.0 */
export { connectEmulator, type RemoteEmulator } from "./RemoteEmulator.js"
