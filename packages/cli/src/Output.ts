/**
 * What a command prints: human text (tables, fields) or, with `--json`, one
 * JSON document. Results go to stdout; notes and progress go to stderr.
 * Every value shown in tables and fields is made safe to show first
 * (`SafeText`): a name with a newline stays on its row.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Flag from "effect/cli/Flag"
import * as SafeText from "./SafeText.js"
import * as Stdio from "./Stdio.js"

/**
 * `--json`, `--quiet` and `--verbose`.
 *
 * @since 0.1.0
 * @category flags
 */
export const flags = {
  json: Flag.Boolean("json").pipe(
    Flag.withDescription("Print the result as one JSON document on stdout (progress, if any, stays on stderr)."),
    Flag.withDefault(false)
  ),
  quiet: Flag.Boolean("quiet").pipe(
    Flag.withAlias("q"),
    Flag.withDescription("Show no progress."),
    Flag.withDefault(false)
  ),
  verbose: Flag.Boolean("verbose").pipe(
    Flag.withDescription("Log each request on stderr, and print the full cause of an error."),
    Flag.withDefault(false)
  )
}

/**
 * How a command prints.
 *
 * @since 0.1.0
 * @category models
 */
export interface Mode {
  readonly json: boolean
  readonly quiet: boolean
  readonly verbose: boolean
}

/**
 * Prints a command's result on stdout: `value` as JSON with `--json`, else
 * `human()` (whose parts from elsewhere are already safe: see {@link table},
 * {@link fields}). Fails when stdout cannot be written.
 *
 * @since 0.1.0
 * @category printing
 */
export const result = (mode: Mode, value: unknown, human: () => string): Effect.Effect<void, Stdio.OutputError> =>
  Stdio.out(`${mode.json ? SafeText.json(value) : human()}\n`)

/**
 * A note for people, on stderr, left out with `--json` or `--quiet`; values
 * from elsewhere in it are the caller's to make safe.
 *
 * @since 0.1.0
 * @category printing
 */
export const note = (mode: Mode, text: string): Effect.Effect<void> =>
  mode.json || mode.quiet ? Effect.void : Stdio.err(`${text}\n`)

/**
 * A column of {@link table}.
 *
 * @since 0.1.0
 * @category formatting
 */
export interface Column<A> {
  readonly title: string
  readonly value: (row: A) => string
  readonly align?: "left" | "right"
}

/**
 * Rows as an aligned table with a header, one line per row whatever the
 * cells hold (each is made safe to show); `empty` when there are none.
 *
 * @since 0.1.0
 * @category formatting
 */
export const table = <A>(columns: ReadonlyArray<Column<A>>, rows: ReadonlyArray<A>, empty: string): string => {
  if (rows.length === 0) return empty
  const cells = rows.map((row) => columns.map((column) => SafeText.line(column.value(row))))
  const widths = columns.map((column, i) => Math.max(column.title.length, ...cells.map((r) => r[i]!.length)))
  const render = (values: ReadonlyArray<string>) =>
    values
      .map((value, i) => (columns[i]!.align === "right" ? value.padStart(widths[i]!) : value.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd()
  return [render(columns.map((c) => c.title)), ...cells.map(render)].join("\n")
}

/**
 * Label–value pairs, one a line, labels aligned, each value made safe to show
 * on its line; pairs with an `undefined` value are left out.
 *
 * @since 0.1.0
 * @category formatting
 */
export const fields = (pairs: ReadonlyArray<readonly [string, string | undefined]>): string => {
  const shown = pairs.filter((pair): pair is readonly [string, string] => pair[1] !== undefined)
  const width = Math.max(0, ...shown.map(([label]) => label.length))
  return shown.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${SafeText.line(value)}`).join("\n")
}

/**
 * An epoch-milliseconds time as ISO 8601 UTC, to the second; `-` for none.
 *
 * @since 0.1.0
 * @category formatting
 */
export const time = (millis: number | null | undefined): string =>
  millis === null || millis === undefined || !Number.isFinite(millis)
    ? "-"
    : new Date(millis).toISOString().replace(/\.\d{3}Z$/, "Z")

/**
 * Any value as indented JSON, for result data in human output, safe to show.
 *
 * @since 0.1.0
 * @category formatting
 */
export const pretty = (value: unknown): string => value === undefined ? "undefined" : SafeText.json(value)
