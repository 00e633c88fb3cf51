/**
 * What every command that talks to the service shares: the connection and
 * output flags, the client, failure reporting, and a progress display on stderr.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Command from "effect/cli/Command"
import * as Connection from "../Connection.js"
import * as Failures from "../Failures.js"
import * as Output from "../Output.js"
import * as Progress from "../Progress.js"
import * as Stdio from "../Stdio.js"

/** The flags of every service command. */
export const common = { ...Connection.flags, ...Output.flags }

/** The values of {@link common}. */
export type Common = Connection.Flags & Output.Mode

/**
 * A command that talks to the service: `config` plus the common flags, and a
 * handler given the client; its failures are reported as `Failures` says.
 */
export const service = <Name extends string, const Config extends Command.Command.Config, E, R>(
  name: Name,
  description: string,
  config: Config,
  handler: (values: Command.Command.Config.Infer<Config & typeof common>) => Effect.Effect<void, E, R>
) =>
  Command.make(name, { ...config, ...common }, (values) => {
    const all = values as Command.Command.Config.Infer<Config & typeof common> & Common
    return handler(all).pipe(
      Effect.provide(Connection.layer(all, { verbose: all.verbose })),
      Failures.report(all)
    )
  }).pipe(Command.withDescription(description))

/**
 * A progress display on stderr: a bar on a terminal, lines elsewhere, none
 * with `--quiet`. What cannot be written is dropped: never the result.
 */
export const progress = (
  mode: Output.Mode,
  title: string,
  initial?: Progress.State
): Effect.Effect<Progress.Progress, never, Scope.Scope> =>
  Progress.make({
    title,
    mode: mode.quiet ? "off" : Progress.modeFor(Stdio.stderr),
    writer: Stdio.stderr,
    initial
  })
