/**
 * `oomol-task`: every command under one root, and running a command line to
 * an exit code.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as CliError from "effect/cli/CliError"
import * as CliOutput from "effect/cli/CliOutput"
import * as Command from "effect/cli/Command"
import * as TerminalCapabilities from "effect/cli/TerminalCapabilities"
import { createRequire } from "node:module"
import { emulator } from "./EmulatorCommand.js"
import { ExitCode } from "./Failures.js"
import * as ListCommands from "./ListCommands.js"
import * as QueueCommands from "./QueueCommands.js"
import * as SafeText from "./SafeText.js"
import * as Stdio from "./Stdio.js"
import * as TaskCommands from "./TaskCommands.js"
import { upload } from "./UploadCommand.js"

const version = (createRequire(import.meta.url)("../package.json") as { readonly version: string }).version

const root = Command.make("oomol-task").pipe(
  Command.withDescription("Run and watch OOMOL Cloud Tasks from a terminal or a script.")
)

/**
 * The root command with every subcommand.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = root.pipe(
  Command.withSubcommands([
    TaskCommands.run,
    TaskCommands.create,
    TaskCommands.wait,
    TaskCommands.result,
    TaskCommands.get,
    TaskCommands.logs,
    ListCommands.list,
    ListCommands.latest,
    QueueCommands.dashboard,
    QueueCommands.pause,
    QueueCommands.resume,
    upload,
    emulator
  ])
)

const cli = Command.runWith(command, { version })

const usageError = (message: string) => Stdio.err(`oomol-task: ${SafeText.line(message)}\n`)

// The help as effect/cli draws it (styled only on a terminal that shows
// colours); a command line it cannot read, only as `oomol-task: <mistake>`
// lines on stderr (the command never started, and stdout stays empty for a
// script reading `--json`); the version alone. A failed stdout is told by
// `Stdio` and turned into the exit code by `run`.
const presenter: CliOutput.Presenter = {
  present: (event) => {
    switch (event._tag) {
      case "Help":
        return Effect.flatMap(TerminalCapabilities.TerminalCapabilities, ({ canColor }) =>
          Effect.ignore(Stdio.out(`${CliOutput.defaultFormatter({ colors: canColor }).formatHelpDoc(event.helpDoc)}\n`)))
      case "InvalidInvocation":
        return Effect.forEach(event.errors, (error) => usageError(error.message), { discard: true })
      case "Version":
        return Effect.ignore(Stdio.out(`${event.version}\n`))
    }
  }
}

/**
 * `--flag=value` as two arguments, so every flag reads its value the same
 * way whichever form was written; `--` ends the flags.
 *
 * @since 0.1.0
 * @category running
 */
export const splitFlagValues = (args: ReadonlyArray<string>): ReadonlyArray<string> => {
  const end = args.indexOf("--")
  return args.flatMap((arg, i) => {
    const match = (end === -1 || i < end) ? /^(--[A-Za-z][\w-]*)=([\s\S]*)$/.exec(arg) : null
    return match === null ? [arg] : [match[1]!, match[2]!]
  })
}

const falseWords: ReadonlySet<string> = new Set(["false", "no", "off", "0"])

// `--wizard` (not `--wizard false`) among the flags, i.e. before a `--`.
const wantsWizard = (args: ReadonlyArray<string>): boolean => {
  const end = args.indexOf("--")
  const at = args.indexOf("--wizard")
  return at !== -1 && (end === -1 || at < end) && !falseWords.has(args[at + 1] ?? "")
}

/**
 * Runs a command line (`process.argv`: runtime, script, arguments) and gives
 * the exit code: 0 success, 1 task failed or timed out, 2 usage, 3 service
 * or network, 4 stdout could not be written, 141 stdout closed by its reader.
 * Interruption (Ctrl-C) is left to the caller (130 by convention).
 *
 * @since 0.1.0
 * @category running
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<number, never, Command.Environment> => {
  const args = splitFlagValues(argv.slice(2))
  const program = Effect.gen(function*() {
    if (args.length === 0) {
      // No command: the help, and a usage exit code so a script notices.
      return yield* cli(["--help"]).pipe(Effect.ignore, Effect.as(ExitCode.usage))
    }
    // The wizard asks its questions on a terminal: without one it could only hang or draw escape codes into a file.
    if (wantsWizard(args) && !(yield* TerminalCapabilities.TerminalCapabilities).canPrompt) {
      yield* usageError(
        "--wizard asks its questions on a terminal (stdin and stdout), and there is none: give the command's arguments and flags instead"
      )
      return ExitCode.usage
    }
    return yield* cli(args).pipe(
      Effect.as(ExitCode.success),
      Effect.catch((error) => Effect.succeed(CliError.isCliError(error) ? ExitCode.usage : error.exitCode))
    )
  })
  return Stdio.install.pipe(
    Effect.andThen(program),
    // Output written by effect/cli itself (completions) is only known to have failed once it settles.
    Effect.tap(() => Stdio.flush),
    Effect.map(Stdio.exitCode),
    Effect.provideService(CliOutput.Presenter, presenter)
  )
}
