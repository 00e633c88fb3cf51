/**
 * `emulator`: the local emulator of the service, in this process, until
 * Ctrl-C.
 *
 * @since 0.1.0
 */
import { Errors } from "@oomol-cloud-task/effect"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as CliError from "effect/cli/CliError"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Failures from "./Failures.js"
import * as Output from "./Output.js"
import * as SafeText from "./SafeText.js"

const isPort = (port: number) => Number.isSafeInteger(port) && port >= 0 && port <= 65_535

const portRule = "must be a port number from 0 to 65535 (0: any free port)"

// `PORT` when `--port` is not given: unset or empty is no choice; anything else must be a port.
const portFromEnv = (text: string | undefined): Effect.Effect<Option.Option<number>, Errors.InvalidInput> =>
  text === undefined || text.trim() === ""
    ? Effect.succeed(Option.none())
    : /^\d+$/.test(text.trim()) && isPort(Number(text))
    ? Effect.succeed(Option.some(Number(text)))
    : Effect.fail(new Errors.InvalidInput({ message: `PORT ${portRule}, not "${SafeText.line(text)}"` }))

/**
 * What a started emulator prints: where it listens (the two lines of the
 * emulator's `Main.run`) and how to point `oomol-task` at it.
 *
 * @since 0.1.0
 * @category formatting
 */
export const startedText = (emulator: { readonly url: string; readonly uploadBaseUrl: string }): string =>
  [
    // The first two lines as the emulator's own program prints them, for scripts that read either.
    `Emulator listening on ${emulator.url}`,
    `Upload API base URL ${emulator.uploadBaseUrl}`,
    "",
    "Point oomol-task (or any client) at it, with any API key:",
    `  export OOMOL_BASE_URL=${emulator.url}`,
    `  export OOMOL_UPLOAD_BASE_URL=${emulator.uploadBaseUrl}`,
    "  export OOMOL_API_KEY=emulator",
    "",
    "Press Ctrl-C to stop."
  ].join("\n")

/**
 * `emulator [--port N]`.
 *
 * @since 0.1.0
 * @category commands
 */
export const emulator = Command.make(
  "emulator",
  {
    port: Flag.Int("port").pipe(
      Flag.withDescription("Listen on this port of 127.0.0.1 (0 to 65535). Default: PORT, else a free port."),
      Flag.mapEffect((port) =>
        isPort(port)
          ? Effect.succeed(port)
          : Effect.fail(new CliError.ValidationError({ message: `--port ${portRule}, not ${port}` }))
      ),
      Flag.optional
    ),
    json: Output.flags.json,
    verbose: Output.flags.verbose
  },
  (values) =>
    Effect.scoped(Effect.gen(function*() {
      // Loaded on use: every other command starts faster without the emulator's modules.
      const port = Option.isSome(values.port) ? values.port : yield* portFromEnv(process.env["PORT"])
      const { Emulator, Main } = yield* Effect.promise(() => import("@oomol-cloud-task/emulator"))
      const options = { ...Main.optionsFromEnv(), ...Option.match(port, { onNone: () => ({}), onSome: (port) => ({ port }) }) }
      const running = yield* Emulator.serve(options)
      yield* Output.result(
        { ...values, quiet: false },
        { url: running.url, uploadBaseUrl: running.uploadBaseUrl },
        () => startedText(running)
      )
      return yield* Effect.never
    })).pipe(Failures.report({ ...values, quiet: false }))
).pipe(Command.withDescription("Start the local emulator of the service in this process, printing its URLs, until Ctrl-C."))
