/**
 * How a failure is told: one readable line on stderr, an exit code a script
 * can branch on, and with `--json` an `{ "error": … }` document on stdout.
 *
 * | code | meaning |
 * | --- | --- |
 * | 0 | success |
 * | 1 | the task failed or the wait timed out (also: an unexpected error) |
 * | 2 | usage: bad flags, arguments or input, nothing was sent (incl. `InvalidInput`); an emulator port in use |
 * | 3 | the service or the way to it: 401/403, no connection, any other API error (404, 5xx after retries), an unreadable answer, a failed upload, a creation of unknown fate |
 * | 130 | interrupted (Ctrl-C) |
 *
 * @since 0.1.0
 */
import { Errors } from "@oomol-cloud-task/effect"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as PlatformError from "effect/PlatformError"
import * as Schema from "effect/Schema"
import type { Mode } from "./Output.js"

/**
 * The exit codes of `oomol-task`.
 *
 * @since 0.1.0
 * @category exit codes
 */
export const ExitCode = {
  success: 0,
  taskFailed: 1,
  usage: 2,
  service: 3,
  interrupted: 130
} as const

/**
 * A command ended in failure, already reported; `exitCode` is what the process
 * exits with.
 *
 * @since 0.1.0
 * @category errors
 */
export class CommandFailed extends Schema.TaggedError<CommandFailed>()("CommandFailed", {
  exitCode: Schema.Number
}) {}

/**
 * A failure as it is shown.
 *
 * @since 0.1.0
 * @category models
 */
export interface Report {
  readonly exitCode: number
  readonly message: string
  /** The `error` of the `--json` document: `type`, `message` and the error's own plain fields. */
  readonly json: Readonly<Record<string, unknown>>
}

const isServeError = (error: unknown): error is { readonly cause: unknown } =>
  typeof error === "object" && error !== null && (error as { _tag?: string })._tag === "ServeError"

const exitCodeOf = (error: Errors.CloudTaskError): number => {
  switch (error._tag) {
    case "TaskFailed":
    case "PollTimeout":
      return ExitCode.taskFailed
    case "InvalidInput":
      return ExitCode.usage
    default:
      return ExitCode.service
  }
}

const messageOf = (error: Errors.CloudTaskError): string => {
  switch (error._tag) {
    case "TaskFailed":
      return `task ${error.taskID} failed: ${error.reason ?? "Unknown error"}${error.code ? ` (${error.code})` : ""}`
    case "PollTimeout":
      return `task ${error.taskID}: ${error.message}`
    case "ApiError":
      return error.status === 401 || error.status === 403
        ? `${error.message} (HTTP ${error.status}): check the API key (--api-key or OOMOL_API_KEY)`
        : error.message.endsWith(String(error.status))
        ? error.message
        : `${error.message} (HTTP ${error.status})`
    case "NetworkError":
      return `${error.message} (check --base-url or OOMOL_BASE_URL, and the network)`
    default:
      return error.message
  }
}

// Only plain values: a transport error's cause or a raw body stays out of the document.
const plainFields = (error: object): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(error).filter(([key, value]) =>
      key !== "_tag" && key !== "cause" && key !== "body" && key !== "detail" &&
      (value === null || ["string", "number", "boolean"].includes(typeof value))
    )
  )

/**
 * How `error` is shown and which code the process exits with.
 *
 * @since 0.1.0
 * @category reporting
 */
export const describe = (error: unknown): Report => {
  if (Errors.isCloudTaskError(error)) {
    const message = messageOf(error)
    return { exitCode: exitCodeOf(error), message, json: { type: error._tag, ...plainFields(error), message } }
  }
  // A file that cannot be read (a directory, no permission) fails with a platform error.
  if (PlatformError.isPlatformError(error)) {
    return { exitCode: ExitCode.usage, message: error.message, json: { type: "UsageError", message: error.message } }
  }
  if (isServeError(error)) {
    // The emulator's port is taken or not ours to use: a matter of the command line.
    const reason = error.cause instanceof Error ? error.cause.message : String(error.cause)
    const message = `the emulator could not start: ${reason}`
    return { exitCode: ExitCode.usage, message, json: { type: "UsageError", message } }
  }
  const message = `unexpected error: ${error instanceof Error ? error.message : String(error)}`
  return { exitCode: ExitCode.taskFailed, message, json: { type: "UnexpectedError", message } }
}

/**
 * Reports any failure of `effect` (one line on stderr; the full cause too with
 * `--verbose`; the error document on stdout with `--json`) and fails with
 * {@link CommandFailed}. Interruption passes through untouched.
 *
 * @since 0.1.0
 * @category reporting
 */
export const report = (mode: Mode) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, CommandFailed, R> =>
  Effect.catchCause(effect, (cause) => {
    if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
    const first = Cause.findErrorOption(cause)
    const error = Option.isSome(first) ? first.value : Cause.squash(cause)
    const shown = describe(error)
    return Effect.gen(function*() {
      if (mode.json) yield* Console.log(JSON.stringify({ error: shown.json }, null, 2))
      yield* Console.error(`oomol-task: ${shown.message}`)
      if (mode.verbose) yield* Console.error(Cause.pretty(cause))
      return yield* Effect.fail(new CommandFailed({ exitCode: shown.exitCode }))
    })
  })
