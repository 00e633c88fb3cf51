/**
 * `pnpm demo`: the emulator in this process, and `oomol-task` run against it
 * the way a new user would — a task run with its progress bar and result, the
 * listing, the dashboard, a pause and a resume, logs, and an upload.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Emulator } from "@oomol-cloud-task/emulator"
import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as TerminalCapabilities from "effect/cli/TerminalCapabilities"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Cli from "./Cli.js"
import { ExitCode } from "./Failures.js"
import * as Stdio from "./Stdio.js"

// As effect/cli decides for the help: a terminal that shows colours, and no NO_COLOR.
const color = TerminalCapabilities.TerminalCapabilities.defaultValue().canColor
const style = (code: string) => (text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text)
const bold = style("1")
const dim = style("2")
const cyan = style("36")

const quote = (arg: string) => (/^[\w@./:=,+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`)

class DemoFailed extends Error {}

/** Runs `effect`, answering what it wrote to stdout, which still reaches the terminal. */
const teeStdout = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<string, E, R> =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const original = process.stdout.write
      const chunks: Array<string> = []
      process.stdout.write = function(this: typeof process.stdout, chunk: unknown, ...rest: Array<unknown>) {
        chunks.push(String(chunk))
        return (original as (...args: Array<unknown>) => boolean).call(this, chunk, ...rest)
      } as typeof process.stdout.write
      return { original, chunks }
    }),
    ({ chunks }) => Effect.map(effect, () => chunks.join("")),
    ({ original }) => Effect.sync(() => (process.stdout.write = original))
  )

/** Shows `oomol-task <args>`, runs it in this process as the binary would, and answers its stdout. */
const step = (args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    yield* Console.log(`\n${bold(cyan("$"))} ${bold(["oomol-task", ...args].map(quote).join(" "))}`)
    let code: number = ExitCode.success
    const out = yield* teeStdout(Effect.map(Cli.run(["node", "oomol-task", ...args]), (c) => (code = c)))
    if (code !== ExitCode.success) return yield* Effect.die(new DemoFailed(`oomol-task ${args[0]} exited with ${code}`))
    return out
  })

const demo = Effect.gen(function*() {
  // A reader that stops reading (`pnpm demo | head`) must not crash the demo with EPIPE.
  yield* Stdio.install
  const emulator = yield* Emulator.serve()
  // A block slow enough to watch: about two seconds, with progress and logs.
  yield* emulator.defineBlock({
    packageName: "@oomol/demo",
    blockName: "summarize",
    durations: { queued: 100, scheduling: 150, scheduled: 150, running: 1600 },
    progress: [10, 25, 40, 55, 70, 85, 95],
    logs: ["Reading the text", "Counting words", "Writing the summary"],
    resultData: [{ summary: "Hello from the OOMOL Cloud Task emulator", words: 7 }]
  })
  const env = {
    OOMOL_BASE_URL: emulator.url,
    OOMOL_UPLOAD_BASE_URL: emulator.uploadBaseUrl,
    OOMOL_API_KEY: "demo"
  }
  yield* Console.log(bold("oomol-task demo") + dim(" against the emulator, started in this process with:"))
  for (const [name, value] of Object.entries(env)) yield* Console.log(dim(`  ${name}=${value}`))
  yield* Console.log(dim("(the emulator takes any API key; a real one is never printed, not even with --verbose)"))

  yield* Effect.gen(function*() {
    yield* step(["run", "@oomol/demo@1.0.0", "summarize", "--input", "text=Hello, OOMOL", "--input", "maxWords=7", "--interval", "200ms"])
    yield* step(["list", "--size", "5"])
    yield* step(["dashboard"])

    yield* step(["pause"])
    const queued = (yield* step(["create", "@oomol/demo@1.0.0", "summarize", "--input", "text=queued while paused"])).trim()
    yield* step(["result", queued])
    yield* step(["resume"])
    yield* step(["wait", queued, "--interval", "200ms", "--json"])
    yield* step(["logs", queued])

    const dir = yield* Effect.acquireRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "oomol-demo-"))),
      (path) => Effect.promise(() => rm(path, { recursive: true, force: true }))
    )
    const file = join(dir, "words.csv")
    const rows = Array.from({ length: 400_000 }, (_, i) => `${i},word-${i % 977},${(i * 7919) % 10_000}`)
    yield* Effect.promise(() => writeFile(file, `id,word,count\n${rows.join("\n")}\n`))
    yield* step(["upload", file])
  }).pipe(Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env)))

  yield* Console.log(
    `\n${bold("Done.")} Every command and flag: ${cyan("docs/cli.md")}. Keep an emulator running: ${cyan("oomol-task emulator")}.`
  )
}).pipe(Effect.scoped)

NodeRuntime.runMain(demo.pipe(Effect.provide(NodeServices.layer)), {
  disableErrorReporting: true,
  teardown: (exit, onExit) => {
    // A closed or failed stdout ends the demo as it ends a command (already told, or quietly).
    if (Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause) && Stdio.stdoutFailed() === undefined) {
      const error = Cause.squash(exit.cause)
      console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`)
    }
    onExit(Stdio.exitCode(Exit.isSuccess(exit) ? 0 : 1))
  }
})
