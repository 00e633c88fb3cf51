/**
 * `oomol-task`, the command-line tool for OOMOL Cloud Task API v3, built on
 * the Effect client.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Cli from "./Cli.js"
/** @since 0.1.0 */
export * as Connection from "./Connection.js"
/** @since 0.1.0 */
export * as EmulatorCommand from "./EmulatorCommand.js"
/** @since 0.1.0 */
export * as Failures from "./Failures.js"
/** @since 0.1.0 */
export * as Inputs from "./Inputs.js"
/** @since 0.1.0 */
export * as ListCommands from "./ListCommands.js"
/** @since 0.1.0 */
export * as Output from "./Output.js"
/** @since 0.1.0 */
export * as Progress from "./Progress.js"
/** @since 0.1.0 */
export * as QueueCommands from "./QueueCommands.js"
/** @since 0.2.0 */
export * as SafeText from "./SafeText.js"
/** @since 0.2.0 */
export * as Stdio from "./Stdio.js"
/** @since 0.1.0 */
export * as TaskCommands from "./TaskCommands.js"
/** @since 0.1.0 */
export * as UploadCommand from "./UploadCommand.js"
/** @since 0.1.0 */
export * as Waiting from "./Waiting.js"
