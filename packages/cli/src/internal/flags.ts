/**
 * Checks shared by flags whose value is text.
 */
import * as Effect from "effect/Effect"
import * as CliError from "effect/cli/CliError"
import * as Flag from "effect/cli/Flag"

/**
 * Refuses a flag given with nothing in it (`--api-key=`, `--workload-id "$UNSET"`):
 * a mistake of the command line, never a value to send or a filter to drop.
 * `otherwise` says what leaving the flag out means.
 */
export const nonBlank = <A>(name: string, text: (value: A) => string, otherwise: string) =>
  Flag.mapEffect((value: A) =>
    text(value).trim() === ""
      ? Effect.fail(new CliError.ValidationError({ message: `--${name} is empty: give a value, or leave the flag out ${otherwise}` }))
      : Effect.succeed(value)
  )
