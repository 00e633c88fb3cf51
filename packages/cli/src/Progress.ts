/**
 * Showing how a wait or an upload is going, on stderr so stdout stays the
 * command's result.
 *
 * On a terminal a one-line bar is redrawn in place (status, percent, elapsed
 * time, refreshed between answers so the clock keeps moving); anywhere else a
 * plain line is written each time the status or percent changes, which reads
 * well in CI logs and files. The title (the task ID) is never cut: on a
 * terminal too narrow for it and a status, it gets a line of its own.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as SafeText from "./SafeText.js"

/**
 * Where progress is written: `process.stderr`, or anything shaped like it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Writer {
  readonly write: (text: string) => unknown
  readonly isTTY?: boolean | undefined
  readonly columns?: number | undefined
}

/**
 * `bar`: redrawn in place (a terminal). `lines`: one line per change. `off`: nothing.
 *
 * @since 0.1.0
 * @category models
 */
export type Mode = "bar" | "lines" | "off"

/**
 * The mode that suits `writer`: a bar on a terminal that can move its cursor,
 * lines elsewhere (a pipe, a file, `TERM=dumb`).
 *
 * @since 0.1.0
 * @category models
 */
export const modeFor = (writer: Writer, term: string | undefined = process.env["TERM"]): Mode =>
  writer.isTTY === true && term !== "dumb" ? "bar" : "lines"

/**
 * Where the work is: a status word and, when known, a percent (0..100).
 *
 * @since 0.1.0
 * @category models
 */
export interface State {
  readonly status: string
  readonly percent?: number | undefined
}

/**
 * A progress display; closing its scope draws the last state for good.
 *
 * @since 0.1.0
 * @category models
 */
export interface Progress {
  readonly update: (state: State) => Effect.Effect<void>
}

/**
 * A task's progress as a percent. The service has been seen reporting both
 * 0..100 and 0..1, so a fraction strictly between 0 and 1 is read as 0..1.
 *
 * @since 0.1.0
 * @category formatting
 */
export const percentOf = (progress: number): number => {
  const percent = progress > 0 && progress < 1 ? progress * 100 : progress
  return Math.max(0, Math.min(100, percent))
}

/**
 * Elapsed time as people read it: `0.4s`, `12.0s`, `3m05s`, `1h02m`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatElapsed = (millis: number): string => {
  const seconds = Math.max(0, millis) / 1000
  if (seconds < 60) return `${seconds.toFixed(1)}s`
  const whole = Math.floor(seconds)
  const pad = (n: number) => String(n).padStart(2, "0")
  if (whole < 3600) return `${Math.floor(whole / 60)}m${pad(whole % 60)}s`
  return `${Math.floor(whole / 3600)}h${pad(Math.floor((whole % 3600) / 60))}m`
}

const percentText = (state: State) => (state.percent === undefined ? "" : `${Math.floor(state.percent)}%`)

/**
 * One line of the plain mode: `task 0192…: running 50% (1.2s)`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const line = (title: string, state: State, elapsed: number): string =>
  `${SafeText.line(title)}: ${[SafeText.line(state.status), percentText(state)].filter((s) => s !== "").join(" ")} (${
    formatElapsed(elapsed)
  })`

/**
 * One frame of the bar, never wider than `columns - 1` so it cannot wrap (a
 * wrapped line could not be redrawn in place): the bar goes first, then the
 * end of the line. An empty `title` leaves it out.
 *
 * @since 0.1.0
 * @category formatting
 */
export const frame = (title: string, state: State, elapsed: number, columns: number): string => {
  const tail = ` ${percentText(state).padStart(4)}  ${formatElapsed(elapsed)}`
  const status = SafeText.line(state.status).padEnd(10)
  const head = title === "" ? `${status} ` : `${SafeText.line(title)}  ${status} `
  const room = columns - 1 - head.length - tail.length - 2
  const width = Math.max(0, Math.min(30, room))
  const filled = Math.round(((state.percent ?? 0) / 100) * width)
  const bar = width >= 5 ? `[${"█".repeat(filled)}${"░".repeat(width - filled)}]` : ""
  const text = `${head}${bar}${tail}`
  return text.length < columns ? text : text.slice(0, Math.max(0, columns - 2)) + "…"
}

/**
 * Starts a progress display titled `title` (e.g. `task 0192…`). In `bar`
 * mode it redraws every `refresh` (default 100 ms) until its scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: {
  readonly title: string
  readonly mode: Mode
  readonly writer: Writer
  readonly initial?: State | undefined
  readonly refresh?: number | undefined
}): Effect.Effect<Progress, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { mode, title, writer } = options
    if (mode === "off") return { update: () => Effect.void }
    const start = yield* Clock.currentTimeMillis
    let state: State = options.initial ?? { status: "starting" }
    const elapsed = Effect.map(Clock.currentTimeMillis, (now) => now - start)

    if (mode === "lines") {
      let shown = ""
      const show = Effect.flatMap(elapsed, (ms) =>
        Effect.sync(() => {
          const key = `${state.status} ${percentText(state)}`
          if (key === shown) return
          shown = key
          writer.write(line(title, state, ms) + "\n")
        }))
      if (options.initial !== undefined) yield* show
      return { update: (next) => Effect.andThen(Effect.sync(() => (state = next)), show) }
    }

    let open = true
    // Whether frames carry the title; once a terminal is too narrow for it and a
    // status, the title is written whole on a line of its own and frames go on without it.
    let titled = true
    const draw = Effect.flatMap(elapsed, (ms) =>
      Effect.sync(() => {
        if (!open) return
        const columns = writer.columns || 80
        if (titled && SafeText.line(title).length + 2 + 10 >= columns - 1) {
          titled = false
          writer.write(`\r\x1b[2K${SafeText.line(title)}\n`)
        }
        writer.write(`\r\x1b[2K${frame(titled ? title : "", state, ms, columns)}`)
      }))
    // Registered before the ticker, so it runs after the ticker has stopped.
    yield* Effect.addFinalizer(() => Effect.andThen(draw, Effect.sync(() => {
      open = false
      writer.write("\n")
    })))
    yield* Effect.forkScoped(Effect.repeat(draw, Schedule.spaced(options.refresh ?? 100)))
    return { update: (next) => Effect.andThen(Effect.sync(() => (state = next)), draw) }
  })
