/**
 * Running the built `oomol-task` as a user would: a child process, pipes for
 * stdout and stderr (so no terminal), and an emulator to talk to.
 */
import { type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { execFile, spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

export const root = fileURLToPath(new URL("../../..", import.meta.url))
export const bin = join(root, "packages/cli/dist/bin.js")

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// Test files run in parallel workers: a directory lock keeps to one build at a time.
const lock = join(root, "packages/cli/.tsbuildinfo/test-build.lock")

const acquire = async () => {
  mkdirSync(join(lock, ".."), { recursive: true })
  for (;;) {
    try {
      mkdirSync(lock)
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
      // A lock left by a killed run is older than any build.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true })
      await sleep(200)
    }
  }
}

let built: Promise<void> | undefined

/** `npx tsc -b packages/cli/tsconfig.src.json`, once per worker (a no-op when up to date). */
export const ensureBuilt = (): Promise<void> =>
  (built ??= (async () => {
    await acquire()
    try {
      await promisify(execFile)("npx", ["tsc", "-b", "packages/cli/tsconfig.src.json"], { cwd: root })
    } finally {
      rmSync(lock, { recursive: true, force: true })
    }
  })())

export interface Result {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** What {@link setup} gives a test file. */
export type Setup = Awaited<ReturnType<typeof setup>>

/** The environment without any OOMOL_ variable of the machine running the tests. */
const cleanEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("OOMOL_") && name !== "PORT"))

/** Runs `command` from the repository root to its end, with all it printed. */
const collect = (command: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): Promise<Result> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
  })

/** Runs `oomol-task <args>` to its end. */
export const runCli = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {}
): Promise<Result> =>
  collect(process.execPath, [bin, ...args], { ...cleanEnv(), ...env })

/** Starts `oomol-task <args>` and leaves it running. */
export const startCli = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}) =>
  spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...cleanEnv(), ...env }, stdio: ["ignore", "pipe", "pipe"] })

export const API_KEY = "cli-test-secret-key"

/** The variables that point `oomol-task` at `emulator`. */
export const envFor = (emulator: RunningEmulator): Record<string, string> => ({
  OOMOL_BASE_URL: emulator.url,
  OOMOL_UPLOAD_BASE_URL: emulator.uploadBaseUrl,
  OOMOL_API_KEY: API_KEY
})

/** The binary built, an emulator started and a temp directory made; `close` undoes the last two. */
export const setup = async () => {
  const [emulator] = await Promise.all([startEmulator(), ensureBuilt()])
  const env = envFor(emulator)
  const dir = mkdtempSync(join(tmpdir(), "oomol-cli-test-"))
  return {
    emulator,
    env,
    dir,
    close: async () => {
      await emulator.close()
      rmSync(dir, { recursive: true, force: true })
    },
    /** `oomol-task <args>` against the emulator. */
    cli: (args: ReadonlyArray<string>, extra: Readonly<Record<string, string>> = {}) => runCli(args, { ...env, ...extra })
  }
}

/** A port nothing listens on: bound, then freed. */
export const freePort = async (): Promise<number> => {
  const { createServer } = await import("node:net")
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return typeof address === "object" && address !== null ? address.port : 0
}

/** A document of `--json` output. */
export const json = (text: string): any => JSON.parse(text)

/**
 * Runs a bash script against the built binary, which it calls as `"$NODE" "$CLI"`:
 * real pipes, redirections and `| head`, as a user's shell would run them.
 */
export const runShell = (script: string, env: Readonly<Record<string, string>> = {}): Promise<Result> =>
  collect("bash", ["-c", script], { ...cleanEnv(), NODE: process.execPath, CLI: bin, ...env })

/**
 * Runs a shell command on a terminal of its own (util-linux `script` gives it a
 * pseudo-terminal for stdin, stdout and stderr); answers what the terminal showed.
 */
export const runInTerminal = (command: string, env: Readonly<Record<string, string>> = {}): Promise<Result> =>
  runShell(`exec script -qec ${shellQuote(command)} /dev/null`, { TERM: "xterm-256color", COLUMNS: "100", ...env })

/** `text` as one word of a POSIX shell. */
export const shellQuote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`
