/**
 * Text that came from elsewhere (log lines, names, messages from the service,
 * IDs, the command line) made safe to show: every character a terminal would
 * act on instead of showing — C0 and C1 controls, DEL, and the bidirectional
 * overrides and isolates that reorder what is seen — is written as a visible
 * escape (`\x1b`, `\n`, `\u202e`). A log line cannot clear the screen, set the
 * terminal's title or fake another line; a name cannot break a table.
 *
 * @since 0.2.0
 */

// Controls (C0, DEL, C1), the line and paragraph separators, bidi embeddings, overrides and isolates.
const unsafe = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
const unsafeKeepingLines = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
// What JSON.stringify leaves raw in a string: DEL, C1, separators, bidi.
const unsafeInJson = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

const named: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" }

const escape = (character: string): string => {
  const code = character.charCodeAt(0)
  return named[character] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`)
}

const unicodeEscape = (character: string): string => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`

/**
 * `text` as one line: every control character, newlines and tabs included,
 * escaped. For table cells, fields, IDs and one-line messages.
 *
 * @since 0.2.0
 * @category sanitizing
 */
export const line = (text: string): string => text.replace(unsafe, escape)

/**
 * `text` keeping its line breaks (a `\r\n` counts as one) and tabs, every other
 * control character escaped. For log entries and stack traces.
 *
 * @since 0.2.0
 * @category sanitizing
 */
export const lines = (text: string): string => text.replaceAll("\r\n", "\n").replace(unsafeKeepingLines, escape)

/**
 * `value` as JSON text (indented by `indent`) that is also safe on a
 * terminal: the characters `JSON.stringify` leaves raw inside strings (DEL,
 * C1 controls, separators, bidi controls) are written as `\u` escapes, so the
 * document parses to exactly the same value.
 *
 * @since 0.2.0
 * @category sanitizing
 */
export const json = (value: unknown, indent = 2): string =>
  (JSON.stringify(value, null, indent) ?? "null").replace(unsafeInJson, unicodeEscape)

/**
 * A command line to copy and paste: each word quoted for a POSIX shell
 * when it needs it, and made safe to show.
 *
 * @since 0.2.0
 * @category sanitizing
 */
export const command = (words: ReadonlyArray<string>): string =>
  line(words.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)).join(" "))
