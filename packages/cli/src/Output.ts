/**
 * What a command prints: human text (tables, fields) or, with `--json`, one
 * JSON document. Results go to stdout; notes and progress go to stderr.
 *
 * @since 0.1.0
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Flag from "effect/cli/Flag"

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
 * Prints a command's result: `value` as JSON with `--json`, else `human()`.
 *
 * @since 0.1.0
 * @category printing
 */
export const result = (mode: Mode, value: unknown, human: () => string): Effect.Effect<void> =>
  Console.log(mode.json ? JSON.stringify(value, null, 2) : human())

/**
 * A note for people, on stderr, left out with `--json` or `--quiet`.
 *
 * @since 0.1.0
 * @category printing
 */
export const note = (mode: Mode, text: string): Effect.Effect<void> =>
  mode.json || mode.quiet ? Effect.void : Console.error(text)

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
 * Rows as an aligned table with a header; `empty` when there are none.
 *
 * @since 0.1.0
 * @category formatting
 */
export const table = <A>(columns: ReadonlyArray<Column<A>>, rows: ReadonlyArray<A>, empty: string): string => {
  if (rows.length === 0) return empty
  const cells = rows.map((row) => columns.map((column) => column.value(row)))
  const widths = columns.map((column, i) => Math.max(column.title.length, ...cells.map((r) => r[i]!.length)))
  const render = (values: ReadonlyArray<string>) =>
    values
      .map((value, i) => (columns[i]!.align === "right" ? value.padStart(widths[i]!) : value.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd()
  return [render(columns.map((c) => c.title)), ...cells.map(render)].join("\n")
}

/**
 * Label–value pairs, one a line, labels aligned; pairs with an `undefined`
 * value are left out.
 *
 * @since 0.1.0
 * @category formatting
 */
export const fields = (pairs: ReadonlyArray<readonly [string, string | undefined]>): string => {
  const shown = pairs.filter((pair): pair is readonly [string, string] => pair[1] !== undefined)
  const width = Math.max(0, ...shown.map(([label]) => label.length))
  return shown.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}`).join("\n")
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
 * Any value as indented JSON, for result data in human output.
 *
 * @since 0.1.0
 * @category formatting
 */
export const pretty = (value: unknown): string => JSON.stringify(value, null, 2) ?? "undefined"
