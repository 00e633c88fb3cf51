/**
 * Durable runs (`@oomol-cloud-task/workflow`): 10,000 runs (2,000 with
 * `--quick`) started at once on the embedded default, against the emulator in
 * a child process; the same tasks awaited with the Effect client's `awaitAll`
 * as the in-memory floor; then the scale-out on a PostgreSQL server of its own,
 * with 1 and with 3 runner processes.
 *
 * Each scenario runs in a process of its own (packages/workflow/bench/driver.ts,
 * bundled here with esbuild), on a reset emulator whose tasks run `runMs` ms;
 * runs and awaits poll every second.
 *
 * Figures:
 * - runs finished per second: runs / wall time from the first start to the
 *   last result (task time included, so the floor is not infinite);
 * - storage per run: the bytes of the database's tables after the runs (the
 *   cluster's messages and replies: every step of every run), divided by the
 *   runs, next to what the folder grew by;
 * - scale-out: runs finished per second with 1 runner and with 3.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fixed, fromRoot, ratio, type Row, startEmulator } from "./support.js"

const apiKey = "bench-key"
const packageName = "@bench/workflow"

export interface WorkflowOptions {
  readonly quick: boolean
  readonly log: (line: string) => void
}

interface Result {
  readonly wallMs: number
  readonly failures: number
  readonly tableBytes?: number
  readonly folderBytes?: number
}

/** Bundles a program of packages/workflow into packages/workflow/.bench/ (PGlite resolves from there). */
const bundle = async (entry: string, name: string): Promise<string> => {
  const { build } = await import("esbuild")
  const outfile = fromRoot(`packages/workflow/.bench/${name}.mjs`)
  await build({
    entryPoints: [fromRoot(entry)],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node22",
    conditions: ["@oomol-cloud-task/source"],
    external: ["@electric-sql/pglite"],
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    outfile,
    logLevel: "warning"
  })
  return outfile
}

/** Runs the driver once; answers its result line. */
const drive = (script: string, env: Readonly<Record<string, string>>): Promise<Result> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    child.stdout!.setEncoding("utf8").on("data", (text: string) => (out += text))
    child.once("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith(`{"result"`))
      if (code !== 0 || line === undefined) return reject(new Error(`bench driver ${env.MODE} exited with ${code}:\n${out}`))
      resolve((JSON.parse(line) as { result: Result }).result)
    })
  })

export const run = async ({ log, quick }: WorkflowOptions): Promise<ReadonlyArray<Row>> => {
  const runs = quick ? 2_000 : 10_000
  const clusterRuns = quick ? 500 : 2_000
  const runMs = 5_000
  const [driver, runner] = await Promise.all([
    bundle("packages/workflow/bench/driver.ts", "driver"),
    bundle("packages/workflow/test/fixtures/cluster-runner.ts", "cluster-runner")
  ])
  const emulator = await startEmulator({ OOMOL_EMULATOR_API_KEY: apiKey })
  const control = async (path: string, body?: unknown) => {
    const response = await fetch(emulator.url + path, {
      method: body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
    return response.json() as Promise<any>
  }
  const scenario = async (name: string, count: number, env: Record<string, string>) => {
    await control("/_emulator/reset", {})
    await control("/_emulator/blocks", {
      packageName,
      durations: { queued: 0, scheduling: 0, scheduled: 0, running: runMs },
      logs: 0
    })
    const result = await drive(driver, { MODE: name, RUNS: String(count), EMULATOR_URL: emulator.url, ...env })
    const created = (await control("/_emulator/counters")).createdTasks as number
    const perSecond = count / (result.wallMs / 1_000)
    log(
      `workflow (${name}${env.RUNNERS === undefined ? "" : `, ${env.RUNNERS} runners`}): ${count} runs in ` +
        `${fixed(result.wallMs)} ms, ${fixed(perSecond, 1)} runs/s, ${result.failures} failed, ${created} tasks created`
    )
    if (result.failures > 0 || created !== count) throw new Error(`${name}: ${result.failures} failed, ${created} tasks for ${count}`)
    return { ...result, perSecond }
  }

  const dir = mkdtempSync(join(tmpdir(), "oomol-bench-workflow-"))
  try {
    const floor = await scenario("awaitAll", runs, {})
    const embedded = await scenario("embedded", runs, { DIR: dir })
    const one = await scenario("cluster", clusterRuns, { RUNNERS: "1", RUNNER_SCRIPT: runner })
    const three = await scenario("cluster", clusterRuns, { RUNNERS: "3", RUNNER_SCRIPT: runner })
    const section = `5. ${runs.toLocaleString("en")} durable runs at once (tasks run ${runMs} ms, a poll a second)`
    const scale = `6. scale-out on PostgreSQL, ${clusterRuns.toLocaleString("en")} runs`
    return [
      {
        section,
        figure: "embedded: runs finished per second (embedded/awaitAll)",
        value: `${fixed(embedded.perSecond, 1)} /s`,
        baseline: `${fixed(floor.perSecond, 1)} /s (awaitAll, in memory)`,
        ratio: ratio(embedded.perSecond, floor.perSecond),
        target: ""
      },
      {
        section,
        figure: "embedded: stored bytes per run (tables; folder growth)",
        value: `${fixed((embedded.tableBytes ?? 0) / runs / 1024, 1)} KiB`,
        baseline: `${fixed((embedded.folderBytes ?? 0) / runs / 1024, 1)} KiB (folder)`,
        ratio: "-",
        target: ""
      },
      {
        section: scale,
        figure: "runs finished per second, 3 runners (3/1)",
        value: `${fixed(three.perSecond, 1)} /s`,
        baseline: `${fixed(one.perSecond, 1)} /s (1 runner)`,
        ratio: ratio(three.perSecond, one.perSecond),
        target: ""
      }
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
    await emulator.stop()
  }
}
