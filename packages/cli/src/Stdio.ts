/**
 * The CLI's stdout and stderr, written so that no output is lost unnoticed.
 *
 * - stdout carries the result: each write is awaited. A reader that closed
 *   the pipe (`| head`) ends the command quietly, as a Unix tool ended by
 *   SIGPIPE (exit 141); any other failure (a full disk, an I/O error) is told
 *   once on stderr and ends the command with exit 4.
 * - stderr carries progress, notes and messages: a failure there is dropped,
 *   so it never costs the result on stdout.
 *
 * Once failed, a stream is not written again. {@link install} makes this hold
 * for writes of any code in the process (a stream `error` event otherwise
 * crashes Node with an `EPIPE` stack).
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/**
 * stdout could not be written: `closed` by its reader, or `failed` (a full
 * disk, an I/O error). Already told on stderr when it happened.
 *
 * @since 0.2.0
 * @category errors
 */
export class OutputError extends Schema.TaggedError<OutputError>()("OutputError", {
  reason: Schema.Literals(["closed", "failed"]),
  message: Schema.String
}) {}

/**
 * The exit codes of a failed stdout: 141 closed (as `128 + SIGPIPE`), 4 failed.
 *
 * @since 0.2.0
 * @category exit codes
 */
export const exitCodeOf = (error: OutputError): number => (error.reason === "closed" ? 141 : 4)

// What the reader closing the pipe looks like, depending on when the write was made.
const closedCodes: ReadonlySet<string> = new Set(["EPIPE", "ECONNRESET", "ERR_STREAM_DESTROYED", "ERR_STREAM_WRITE_AFTER_END"])

let stdoutFailure: OutputError | undefined
let stderrFailed = false
let installed = false

const writeStderr = (text: string): void => {
  if (stderrFailed) return
  try {
    process.stderr.write(text, (error) => {
      if (error) stderrFailed = true
    })
  } catch {
    stderrFailed = true
  }
}

const failStdout = (error: unknown): OutputError => {
  if (stdoutFailure !== undefined) return stdoutFailure
  const code = (error as { readonly code?: unknown } | null)?.code
  const closed = typeof code === "string" && closedCodes.has(code)
  const reason = error instanceof Error ? error.message : String(error)
  stdoutFailure = new OutputError({
    reason: closed ? "closed" : "failed",
    message: closed ? "stdout was closed by its reader" : `could not write to stdout: ${reason}`
  })
  // A closed pipe is the reader's choice: nothing to say. Anything else lost output: say so, once.
  if (!closed) writeStderr(`oomol-task: ${stdoutFailure.message}; the output is incomplete\n`)
  return stdoutFailure
}

/**
 * Listens for `error` on stdout and stderr, so that no write of any code can
 * crash the process; idempotent.
 *
 * @since 0.2.0
 * @category running
 */
export const install: Effect.Effect<void> = Effect.sync(() => {
  if (installed) return
  installed = true
  process.stdout.on("error", failStdout)
  process.stderr.on("error", () => (stderrFailed = true))
})

/**
 * How stdout has failed so far, if it has.
 *
 * @since 0.2.0
 * @category running
 */
export const stdoutFailed = (): OutputError | undefined => stdoutFailure

/**
 * The exit code of a command that ended with `code`: the code of a failed
 * stdout instead, when it failed (the result a script reads was lost).
 *
 * @since 0.2.0
 * @category running
 */
export const exitCode = (code: number): number => (stdoutFailure === undefined ? code : exitCodeOf(stdoutFailure))

/**
 * Writes `text` to stdout and waits until it is written; fails with
 * {@link OutputError} when it cannot be.
 *
 * @since 0.2.0
 * @category writing
 */
export const out = (text: string): Effect.Effect<void, OutputError> =>
  Effect.callback<void, OutputError>((resume) => {
    if (stdoutFailure !== undefined) return resume(Effect.fail(stdoutFailure))
    try {
      process.stdout.write(text, (error) => resume(error ? Effect.fail(failStdout(error)) : Effect.void))
    } catch (error) {
      resume(Effect.fail(failStdout(error)))
    }
  })

/**
 * Waits until every write to stdout made so far, by any code, has succeeded or
 * failed, so that {@link stdoutFailed} and {@link exitCode} know.
 *
 * @since 0.2.0
 * @category writing
 */
export const flush: Effect.Effect<void> = Effect.ignore(out(""))

/**
 * Writes `text` to stderr; a failure is dropped (and stderr left alone after).
 *
 * @since 0.2.0
 * @category writing
 */
export const err = (text: string): Effect.Effect<void> => Effect.sync(() => writeStderr(text))

/**
 * stderr as a progress display writes to it: never throwing, dropping what
 * cannot be written, and telling whether it is a terminal and how wide.
 *
 * @since 0.2.0
 * @category writing
 */
export const stderr = {
  write: writeStderr,
  get isTTY(): boolean {
    return process.stderr.isTTY === true
  },
  get columns(): number | undefined {
    return process.stderr.columns
  }
}
