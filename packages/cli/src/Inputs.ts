/**
 * What a task is created from on the command line: `<package>@<version>
 * <block>`, `--input key=value` (repeatable) and `--input-file file.json`.
 *
 * @since 0.1.0
 */
import type { CloudTaskClient } from "@oomol-cloud-task/effect"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Argument from "effect/cli/Argument"
import * as CliError from "effect/cli/CliError"
import * as Flag from "effect/cli/Flag"

/**
 * A package and its version, as `run` and `create` take them.
 *
 * @since 0.1.0
 * @category models
 */
export interface PackageSpec {
  readonly packageName: string
  readonly packageVersion: string
}

/**
 * Splits `<package>@<version>` at its last `@`, so a scoped name
 * (`@oomol/my-package@1.0.0`) keeps its own `@`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parsePackageSpec = (text: string): Result.Result<PackageSpec, string> => {
  const at = text.lastIndexOf("@")
  const packageName = text.slice(0, at)
  const packageVersion = text.slice(at + 1)
  return at > 0 && packageName !== "@" && packageVersion !== ""
    ? Result.succeed({ packageName, packageVersion })
    : Result.fail(`expected <package>@<version> such as @oomol/my-package@1.0.0, not "${text}"`)
}

/**
 * Reads one `--input key=value`: the value is JSON when it parses as JSON
 * (`3`, `true`, `{"a":1}`, `"3"`), else the text itself (`hello`).
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseInput = (text: string): Result.Result<readonly [string, unknown], string> => {
  const eq = text.indexOf("=")
  if (eq <= 0) return Result.fail(`--input expects key=value, not "${text}"`)
  const raw = text.slice(eq + 1)
  let value: unknown = raw
  try {
    value = JSON.parse(raw)
  } catch {
    // Not JSON: the text is the value.
  }
  return Result.succeed([text.slice(0, eq), value] as const)
}

const invalid = (message: string) => new CliError.ValidationError({ message })

// A parse of ours as a command-line check: its message is what the user sees.
const check = <A>(result: Result.Result<A, string>): Effect.Effect<A, CliError.CliError> =>
  Effect.mapError(Effect.fromResult(result), invalid)

/**
 * `<package>@<version>` and `<block>`.
 *
 * @since 0.1.0
 * @category arguments
 */
export const args = {
  spec: Argument.String("package@version").pipe(
    Argument.withDescription("The package and its version, e.g. @oomol/my-package@1.0.0."),
    Argument.mapEffect((text) => check(parsePackageSpec(text)))
  ),
  block: Argument.String("block").pipe(Argument.withDescription("The block of the package to run, e.g. main."))
}

/**
 * `--input` and `--input-file`.
 *
 * @since 0.1.0
 * @category flags
 */
export const flags = {
  input: Flag.String("input").pipe(
    Flag.withAlias("i"),
    Flag.withMetavar("key=value"),
    Flag.withDescription(
      "An input value as key=value, repeatable. The value is read as JSON when it is JSON (n=3, ok=true, o='{\"a\":1}'), else as text (s=hello)."
    ),
    Flag.atLeast(0),
    Flag.mapEffect((texts) => Effect.forEach(texts, (text) => check(parseInput(text))))
  ),
  inputFile: Flag.FileParse("input-file", { format: "json" }).pipe(
    Flag.withMetavar("file"),
    Flag.withDescription("A JSON file holding an object of input values; --input values override its keys."),
    Flag.mapEffect((value) =>
      typeof value === "object" && value !== null && !Array.isArray(value)
        ? Effect.succeed(value as Readonly<Record<string, unknown>>)
        : Effect.fail(invalid("--input-file must hold a JSON object of input values"))
    ),
    Flag.optional
  )
}

/**
 * The values of {@link args} and {@link flags}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Values {
  readonly spec: PackageSpec
  readonly block: string
  readonly input: ReadonlyArray<readonly [string, unknown]>
  readonly inputFile: Option.Option<Readonly<Record<string, unknown>>>
}

/**
 * The task to create: the file's values, then each `--input` over them; no
 * `inputValues` at all when neither was given.
 *
 * @since 0.1.0
 * @category models
 */
export const request = (values: Values): CloudTaskClient.CreateTaskRequest => {
  const given = Option.isSome(values.inputFile) || values.input.length > 0
  return {
    ...values.spec,
    blockName: values.block,
    ...(given ? { inputValues: { ...Option.getOrUndefined(values.inputFile), ...Object.fromEntries(values.input) } } : {})
  }
}
