/**
 * What a task is created from on the command line: `<package>@<version>
 * <block>`, `--input key=value` (repeatable) and `--input-file file.json`.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import type { CloudTaskClient } from "@oomol-cloud-task/effect"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"

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
export const parsePackageSpec = (text: string): Either.Either<PackageSpec, string> => {
  const at = text.lastIndexOf("@")
  const packageName = text.slice(0, at)
  const packageVersion = text.slice(at + 1)
  return at > 0 && packageName !== "@" && packageVersion !== ""
    ? Either.right({ packageName, packageVersion })
    : Either.left(`expected <package>@<version> such as @oomol/my-package@1.0.0, not "${text}"`)
}

/**
 * Reads one `--input key=value`: the value is JSON when it parses as JSON
 * (`3`, `true`, `{"a":1}`, `"3"`), else the text itself (`hello`).
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseInput = (text: string): Either.Either<readonly [string, unknown], string> => {
  const eq = text.indexOf("=")
  if (eq <= 0) return Either.left(`--input expects key=value, not "${text}"`)
  const raw = text.slice(eq + 1)
  let value: unknown = raw
  try {
    value = JSON.parse(raw)
  } catch {
    // Not JSON: the text is the value.
  }
  return Either.right([text.slice(0, eq), value] as const)
}

const invalid = (message: string) => ValidationError.invalidValue(HelpDoc.p(message))

/**
 * `<package>@<version>` and `<block>`.
 *
 * @since 0.1.0
 * @category arguments
 */
export const args = {
  spec: Args.text({ name: "package@version" }).pipe(
    Args.withDescription("The package and its version, e.g. @oomol/my-package@1.0.0."),
    Args.mapEffect((text) => Either.mapLeft(parsePackageSpec(text), HelpDoc.p))
  ),
  block: Args.text({ name: "block" }).pipe(Args.withDescription("The block of the package to run, e.g. main."))
}

/**
 * `--input` and `--input-file`.
 *
 * @since 0.1.0
 * @category flags
 */
export const flags = {
  input: Options.text("input").pipe(
    Options.withAlias("i"),
    Options.withPseudoName("key=value"),
    Options.withDescription(
      "An input value as key=value, repeatable. The value is read as JSON when it is JSON (n=3, ok=true, o='{\"a\":1}'), else as text (s=hello)."
    ),
    Options.repeated,
    Options.mapEffect((texts) => Effect.forEach(texts, (text) => Either.mapLeft(parseInput(text), invalid)))
  ),
  inputFile: Options.fileParse("input-file", "json").pipe(
    Options.withDescription("A JSON file holding an object of input values; --input values override its keys."),
    Options.mapEffect((value) =>
      typeof value === "object" && value !== null && !Array.isArray(value)
        ? Effect.succeed(value as Readonly<Record<string, unknown>>)
        : Effect.fail(invalid("--input-file must hold a JSON object of input values"))
    ),
    Options.optional
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
