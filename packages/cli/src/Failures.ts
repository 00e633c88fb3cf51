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
 * | 4 | the output could not be written (stdout failed: a full disk, an I/O error) |
 * | 130 | interrupted (Ctrl-C), with the command that resumes the wait |
 * | 141 | stdout was closed by its reader (`\| head`): ended quietly, as `128 + SIGPIPE` |
 *
 * Every text from elsewhere in a message (the service's words, IDs, names) is
 * made safe to show first (`SafeText`).
 *
 * @since 0.1.0
 */
import { Errors } from "@oomol-cloud-task/effect"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as PlatformError from "effect/PlatformError"
import * as Schema from "effect/Schema"
import type { Mode } from "./Output.js"
import * as SafeText from "./SafeText.js"
import * as Stdio from "./Stdio.js"

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
  outputFailed: 4,
  interrupted: 130,
  outputClosed: 141
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

const safe = SafeText.line

/**
 * The command that waits for `taskID` again, as it is shown.
 *
 * @since 0.2.0
 * @category reporting
 */
export const waitCommand = (taskID: string): string => SafeText.command(["oomol-task", "wait", taskID])

// The last polling error's words (the error, or its message as older clients gave it).
const lastErrorText = (lastError: unknown): string =>
  typeof lastError === "string" ? lastError : String((lastError as { readonly message?: unknown }).message)

// The CLI's own words: the time the user gave, and how to wait on (the task is not stopped).
const timeoutMessage = (error: Errors.PollTimeout): string => {
  const within = error.timeout === undefined ? safe(error.message) : `did not end within ${Duration.format(error.timeout)} (--timeout)`
  const last = error.lastError === undefined ? "" : `; the last poll failed: ${safe(lastErrorText(error.lastError))}`
  return `task ${safe(error.taskID)} ${within}${last}. It goes on running on the service; wait for it again with: ${
    waitCommand(error.taskID)
  }`
}

const messageOf = (error: Errors.CloudTaskError): string => {
  switch (error._tag) {
    case "TaskFailed":
      return `task ${safe(error.taskID)} failed: ${safe(error.reason ?? "Unknown error")}${error.code ? ` (${safe(error.code)})` : ""}`
    case "PollTimeout":
      return timeoutMessage(error)
    case "ApiError":
      return error.status === 401 || error.status === 403
        ? `${safe(error.message)} (HTTP ${error.status}): check the API key (--api-key or OOMOL_API_KEY)`
        : error.message.endsWith(String(error.status))
        ? safe(error.message)
        : `${safe(error.message)} (HTTP ${error.status})`
    case "NetworkError":
      return `${safe(error.message)} (check --base-url or OOMOL_BASE_URL, and the network)`
    default:
      return safe(error.message)
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
    const resume = error._tag === "PollTimeout"
      ? {
        ...(error.lastError === undefined ? {} : { lastError: lastErrorText(error.lastError) }),
        resume: waitCommand(error.taskID)
      }
      : {}
    return { exitCode: exitCodeOf(error), message, json: { type: error._tag, ...plainFields(error), message, ...resume } }
  }
  if (error instanceof Stdio.OutputError) {
    return { exitCode: Stdio.exitCodeOf(error), message: error.message, json: { type: "OutputError", message: error.message } }
  }
  // A file that cannot be read (a directory, no permission) fails with a platform error.
  if (PlatformError.isPlatformError(error)) {
    const message = safe(error.message)
    return { exitCode: ExitCode.usage, message, json: { type: "UsageError", message } }
  }
  if (isServeError(error)) {
    // The emulator's port is taken or not ours to use: a matter of the command line.
    const reason = error.cause instanceof Error ? error.cause.message : String(error.cause)
    const message = `the emulator could not start: ${safe(reason)}`
    return { exitCode: ExitCode.usage, message, json: { type: "UsageError", message } }
  }
  const message = `unexpected error: ${safe(error instanceof Error ? error.message : String(error))}`
  return { exitCode: ExitCode.taskFailed, message, json: { type: "UnexpectedError", message } }
}

// With `--json`, the document on stdout (unless stdout itself has failed); the line on stderr.
const tell = (mode: Mode, message: string, json: Readonly<Record<string, unknown>>): Effect.Effect<void> =>
  Effect.andThen(
    mode.json && Stdio.stdoutFailed() === undefined ? Effect.ignore(Stdio.out(`${SafeText.json({ error: json })}\n`)) : Effect.void,
    Stdio.err(`oomol-task: ${message}\n`)
  )

/**
 * Reports any failure of `effect` (one line on stderr; the full cause too with
 * `--verbose`; the error document on stdout with `--json`) and fails with
 * {@link CommandFailed}. A failed stdout was told when it failed: it only
 * sets the exit code. Interruption passes through untouched.
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
    if (error instanceof Stdio.OutputError) return Effect.fail(new CommandFailed({ exitCode: shown.exitCode }))
    return Effect.gen(function*() {
      yield* tell(mode, shown.message, shown.json)
      if (mode.verbose) yield* Stdio.err(`${SafeText.lines(Cause.pretty(cause))}\n`)
      return yield* Effect.fail(new CommandFailed({ exitCode: shown.exitCode }))
    })
  })

/**
 * What an interrupted command leaves behind: what goes on without it, and the
 * command that takes up where it stopped (its words, unquoted).
 *
 * @since 0.2.0
 * @category models
 */
export interface Interruption {
  readonly message: string
  readonly taskID?: string | undefined
  readonly resume?: ReadonlyArray<string> | undefined
}

/**
 * Tells `interruption` when `effect` is interrupted (Ctrl-C, SIGTERM): one
 * line on stderr ending with the command that resumes, and with `--json` an
 * `{ "error": { "type": "Interrupted", … } }` document on stdout carrying the
 * task ID. The interruption itself goes on (exit 130).
 *
 * @since 0.2.0
 * @category reporting
 */
export const onInterrupt = (mode: Mode, interruption: Interruption) =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.onInterrupt(effect, () => {
    const resume = interruption.resume === undefined ? undefined : SafeText.command(interruption.resume)
    const message = resume === undefined ? interruption.message : `${interruption.message}: ${resume}`
    return tell(mode, message, {
      type: "Interrupted",
      message,
      ...(interruption.taskID === undefined ? {} : { taskID: interruption.taskID }),
      ...(resume === undefined ? {} : { resume })
    })
  })
