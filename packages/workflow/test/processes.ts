/**
 * Real processes for the kill tests: a fixture bundled once per test file
 * with esbuild (workspace packages from their sources), run with Node, read
 * line by line, killed with SIGKILL.
 */
import { build } from "esbuild"
import { type ChildProcess, spawn } from "node:child_process"
import { mkdirSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const packageDir = fileURLToPath(new URL("..", import.meta.url))

/**
 * Bundles `test/fixtures/<name>.ts` (or `<path>.ts` from the package's
 * folder) into the package's `.tsbuildinfo/bundles/` (ignored by git, and
 * inside the package so that PGlite, left out of the bundle for its
 * WebAssembly files, resolves from the package's own dependencies) and
 * answers the bundle's path.
 */
export const bundle = async (name: string): Promise<string> => {
  const entry = name.includes("/") ? join(packageDir, `${name}.ts`) : join(packageDir, "test/fixtures", `${name}.ts`)
  const outfile = join(packageDir, ".tsbuildinfo", "bundles", `${name.replaceAll("/", "-")}-${process.pid}.mjs`)
  mkdirSync(dirname(outfile), { recursive: true })
  await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node22",
    conditions: ["@oomol-cloud-task/source"],
    external: ["@electric-sql/pglite"],
    // Some dependencies still `require` Node's built-ins.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    outfile,
    logLevel: "warning"
  })
  return outfile
}

/** A running fixture: its events as they come, its output, and its end. */
export interface Child {
  readonly process: ChildProcess
  /** Resolves once a line of output contains `text`. */
  readonly printed: (text: string, timeoutMs?: number) => Promise<void>
  /** The first event `predicate` accepts (waiting for it), or a failure when the process ends first. */
  readonly next: (predicate: (event: any) => boolean, timeoutMs?: number) => Promise<any>
  /** The process's end: its exit code, or the signal that ended it. */
  readonly ended: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
  readonly output: () => string
  /** SIGKILL, then its end. */
  readonly kill: () => Promise<void>
}

export const start = (script: string, env: Readonly<Record<string, string>>, cwd?: string): Child => {
  const child = spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? "", ...env },
    ...(cwd === undefined ? {} : { cwd }),
    stdio: ["ignore", "pipe", "pipe"]
  })
  const events: Array<any> = []
  const waiters = new Set<() => void>()
  let text = ""
  let pending = ""
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    text += chunk
    pending += chunk
    const lines = pending.split("\n")
    pending = lines.pop()!
    for (const line of lines) {
      try {
        events.push(JSON.parse(line))
      } catch {
        // not an event
      }
    }
    for (const wake of waiters) wake()
  })
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    text += chunk
    for (const wake of waiters) wake()
  })
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => {
      resolve({ code, signal })
      for (const wake of waiters) wake()
    })
  )
  let closed = false
  void ended.then(() => (closed = true))
  const next = (predicate: (event: any) => boolean, timeoutMs = 60_000) =>
    new Promise<any>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`no such event within ${timeoutMs} ms; output:\n${text}`))
      }, timeoutMs)
      const check = () => {
        const found = events.find(predicate)
        if (found !== undefined || closed) {
          clearTimeout(timer)
          waiters.delete(check)
          found !== undefined ? resolve(found) : reject(new Error(`the process ended first; output:\n${text}`))
        }
      }
      waiters.add(check)
      check()
    })
  const printed = (wanted: string, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`"${wanted}" not printed within ${timeoutMs} ms; output:\n${text}`))
      }, timeoutMs)
      const check = () => {
        if (text.includes(wanted) || closed) {
          clearTimeout(timer)
          waiters.delete(check)
          text.includes(wanted) ? resolve() : reject(new Error(`the process ended first; output:\n${text}`))
        }
      }
      waiters.add(check)
      check()
    })
  return {
    process: child,
    printed,
    next,
    ended,
    output: () => text,
    kill: async () => {
      child.kill("SIGKILL")
      await ended
    }
  }
}

/** Resolves once `condition` holds, checking every 20 ms; fails after `timeoutMs`. */
export const until = async (condition: () => boolean, timeoutMs = 60_000, what = "condition"): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
