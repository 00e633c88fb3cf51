/**
 * `oomol-task`: every command under one root, and running a command line to
 * an exit code.
 *
 * @since 0.1.0
 */
import * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
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

const cli = Command.run(command, { name: "oomol-task", version })

/**
 * `--flag=value` as two arguments: the parser reads a repeated flag's value
 * only when it is a separate argument.
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
export const run = (argv: ReadonlyArray<string>): Effect.Effect<number, never, CliApp.CliApp.Environment> => {
  const args = splitFlagValues(argv.slice(2))
  if (args.length === 0) {
    // No command: the help, and a usage exit code so a script notices.
    return cli([...argv.slice(0, 2), "--help"]).pipe(Effect.ignore, Effect.as(ExitCode.usage))
  }
  return cli([...argv.slice(0, 2), ...args]).pipe(
    Effect.as(ExitCode.success),
    Effect.catchAll((error) =>
      Effect.succeed(
        ValidationError.isValidationError(error) ? ExitCode.usage : error.exitCode
      )
    )
  )
}
