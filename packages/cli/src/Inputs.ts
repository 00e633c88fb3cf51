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
import * as ExactJson from "./internal/exactJson.js"
import * as SafeText from "./SafeText.js"

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
    : Result.fail(`expected <package>@<version> such as @oomol/my-package@1.0.0, not "${SafeText.line(text)}"`)
}

/**
 * Reads one `--input key=value`: the value is JSON when it parses as JSON
 * (`3`, `true`, `{"a":1}`, `"3"`), else the text itself (`hello`). Numbers
 * are kept exactly as written, even beyond what a JavaScript number holds
 * (`9007199254740993`, sent as written); one beyond a double's range
 * (`1e400`) is refused, naming the key.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseInput = (text: string): Result.Result<readonly [string, unknown], string> => {
  const eq = text.indexOf("=")
  if (eq <= 0) return Result.fail(`--input expects key=value, not "${SafeText.line(text)}"`)
  const key = text.slice(0, eq)
  const raw = text.slice(eq + 1)
  let parsed: ReturnType<typeof ExactJson.parse>
  try {
    parsed = ExactJson.parse(raw, key)
  } catch {
    // Not JSON: the text is the value.
    return Result.succeed([key, raw] as const)
  }
  return parsed.problem === undefined
    ? Result.succeed([key, parsed.value] as const)
    : Result.fail(`--input ${SafeText.line(parsed.problem)}`)
}

/**
 * Reads the text of an `--input-file`: a JSON object, its numbers kept
 * exactly as written (see {@link parseInput}).
 *
 * @since 0.2.0
 * @category parsing
 */
export const parseInputFile = (text: string): Result.Result<Readonly<Record<string, unknown>>, string> => {
  let parsed: ReturnType<typeof ExactJson.parse>
  try {
    parsed = ExactJson.parse(text)
  } catch (error) {
    return Result.fail(`--input-file must hold a JSON object of input values: ${SafeText.line(String((error as Error).message))}`)
  }
  const { problem, value } = parsed
  if (problem !== undefined) return Result.fail(`--input-file: ${SafeText.line(problem)}`)
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? Result.succeed(value as Readonly<Record<string, unknown>>)
    : Result.fail("--input-file must hold a JSON object of input values")
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
  inputFile: Flag.FileText("input-file").pipe(
    Flag.withMetavar("file"),
    Flag.withDescription("A JSON file holding an object of input values; --input values override its keys."),
    Flag.mapEffect((text) => check(parseInputFile(text))),
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
