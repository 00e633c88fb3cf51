/**
 * What every part of the benchmark shares: servers in child processes, the
 * statistics, and the rows of the table it prints.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

/** A path relative to the repository root (this file is bundled into `.bench/`, one level down). */
export const fromRoot = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url))

/** A process started by {@link startProcess}, with what its output matched. */
export interface Started {
  readonly child: ChildProcess
  readonly match: RegExpExecArray
  readonly stop: () => Promise<void>
}

/** Runs `node <args>` and waits until its standard output matches `ready`. */
export const startProcess = (
  args: ReadonlyArray<string>,
  ready: RegExp,
  env: Readonly<Record<string, string>> = {}
): Promise<Started> => {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] })
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      child.once("exit", () => resolve())
      child.kill("SIGTERM")
    })
  return new Promise((resolve, reject) => {
    let out = ""
    const exited = (code: number | null) => reject(new Error(`node ${args.join(" ")} exited with code ${code}`))
    child.once("exit", exited)
    child.stdout!.setEncoding("utf8").on("data", (text: string) => {
      out += text
      const match = ready.exec(out)
      if (match === null) return
      child.off("exit", exited)
      child.stdout!.removeAllListeners("data")
      child.stdout!.resume()
      resolve({ child, match, stop })
    })
  })
}

/** The emulator (`packages/emulator/dist/bin.js`) in a child process, on a free port. */
export const startEmulator = async (env: Readonly<Record<string, string>> = {}) => {
  const started = await startProcess(
    [fromRoot("packages/emulator/dist/bin.js")],
    /Emulator listening on (\S+)\s+Upload API base URL (\S+)/,
    { PORT: "", ...env }
  )
  return { ...started, url: started.match[1]!, uploadBaseUrl: started.match[2]! }
}

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** The `p`-th percentile (0..100) of samples, nearest rank. */
export const percentile = (samples: Float64Array, p: number): number => {
  const sorted = Float64Array.from(samples).sort()
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

/** CPU time (user + system) this process used since `since`, in microseconds. */
export const cpuSince = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since)
  return used.user + used.system
}

/** Calls `gc()` (the benchmark runs with `--expose-gc`) a few times, so what is left is what is live. */
export const collect = async (): Promise<void> => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error("run node with --expose-gc")
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** One line of the table: a figure, its baseline, and how they compare. */
export interface Row {
  readonly section: string
  readonly figure: string
  readonly value: string
  readonly baseline: string
  /** value / baseline, oriented as the figure's text says (e.g. "b/a"). */
  readonly ratio: string
  readonly target: string
}

export const fixed = (value: number, digits = 0): string =>
  Number.isFinite(value) ? value.toFixed(digits) : String(value)

export const ratio = (value: number, baseline: number): string => (baseline === 0 ? "-" : (value / baseline).toFixed(2))

/** The rows as a Markdown table, so the same text goes to the terminal and to docs/performance.md. */
export const table = (rows: ReadonlyArray<Row>): string => {
  const header = ["", "figure", "value", "baseline", "ratio", "target"]
  const lines = rows.map((r) => [r.section, r.figure, r.value, r.baseline, r.ratio, r.target])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const line = (cells: ReadonlyArray<string>) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...lines.map(line)].join("\n")
}
