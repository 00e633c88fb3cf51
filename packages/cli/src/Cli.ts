/**
 * `oomol-task`: every command under one root, and running a command line to
 * an exit code.
 *
 * @since 0.1.0
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as CliError from "effect/cli/CliError"
import * as CliOutput from "effect/cli/CliOutput"
import * as Command from "effect/cli/Command"
import { createRequire } from "node:module"
import { emulator } from "./EmulatorCommand.js"
import { ExitCode } from "./Failures.js"
import * as ListCommands from "./ListCommands.js"
import * as QueueCommands from "./QueueCommands.js"
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

// The help as effect/cli draws it; a command line it cannot read, only as
// `oomol-task: <mistake>` lines on stderr (the command never started, and
// stdout stays empty for a script reading `--json`); the version alone.
const presenter: CliOutput.Presenter = {
  present: (event) => {
    switch (event._tag) {
      case "Help":
        return CliOutput.defaultPresenter.present(event)
      case "InvalidInvocation":
        return Effect.forEach(event.errors, (error) => Console.error(`oomol-task: ${error.message}`), { discard: true })
      case "Version":
        return Console.log(event.version)
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

/**
 * Runs a command line (`process.argv`: runtime, script, arguments) and gives
 * the exit code: 0 success, 1 task failed or timed out, 2 usage, 3 service
 * or network. Interruption (Ctrl-C) is left to the caller (130 by convention).
 *
 * @since 0.1.0
 * @category running
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<number, never, Command.Environment> => {
  const args = splitFlagValues(argv.slice(2))
  const program = args.length === 0
    // No command: the help, and a usage exit code so a script notices.
    ? cli(["--help"]).pipe(Effect.ignore, Effect.as(ExitCode.usage))
    : cli(args).pipe(
      Effect.as(ExitCode.success),
      Effect.catch((error) => Effect.succeed(CliError.isCliError(error) ? ExitCode.usage : error.exitCode))
    )
  return Effect.provideService(program, CliOutput.Presenter, presenter)
}
