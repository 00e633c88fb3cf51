/**
 * The emulator as a program: serve until interrupted, saying where. The root
 * `pnpm emulator` script and the CLI's `oomol-task emulator` command run this.
 *
 * @since 0.1.0
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import type * as HttpServerError from "effect/http/HttpServerError"
import * as Emulator from "./Emulator.js"

/**
 * Serves the emulator until the fiber is interrupted (Ctrl-C under
 * `NodeRuntime.runMain`), then frees the port. Prints
 * `Emulator listening on http://127.0.0.1:<port>` first, then the upload API's
 * base URL.
 *
 * @since 0.1.0
 * @category main
 */
export const run = (options: Emulator.Options = {}): Effect.Effect<never, HttpServerError.ServeError> =>
  Effect.scoped(Effect.gen(function*() {
    const emulator = yield* Emulator.serve(options)
    yield* Console.log(`Emulator listening on ${emulator.url}`)
    yield* Console.log(`Upload API base URL ${emulator.uploadBaseUrl}`)
    return yield* Effect.never
  }))

// A whole number of at least `least` from the environment, else nothing (the default).
const atLeast = (least: number) => (text: string | undefined): number | undefined => {
  const n = Number(text)
  return text === undefined || text === "" || !Number.isSafeInteger(n) || n < least ? undefined : n
}
const positive = atLeast(1)
const nonNegative = atLeast(0)

/**
 * Options from the environment: `PORT`, `OOMOL_EMULATOR_API_KEY`,
 * `OOMOL_EMULATOR_PART_SIZE`, `OOMOL_EMULATOR_MAX_CONCURRENCY`,
 * `OOMOL_EMULATOR_MAX_QUEUE_SIZE`; unset or invalid values keep the defaults.
 *
 * @since 0.1.0
 * @category main
 */
export const optionsFromEnv = (env: Readonly<Record<string, string | undefined>> = process.env): Emulator.Options => {
  const entries: ReadonlyArray<readonly [keyof Emulator.Options, unknown]> = [
    ["port", nonNegative(env["PORT"])],
    ["apiKey", env["OOMOL_EMULATOR_API_KEY"] || undefined],
    ["partSize", positive(env["OOMOL_EMULATOR_PART_SIZE"])],
    ["maxConcurrency", positive(env["OOMOL_EMULATOR_MAX_CONCURRENCY"])],
    ["maxQueueSize", nonNegative(env["OOMOL_EMULATOR_MAX_QUEUE_SIZE"])]
  ]
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined)) as Emulator.Options
}
