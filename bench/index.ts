/**
 * `pnpm bench [--quick] [--only overhead,await,upload,startup] [--save]`:
 * speed and memory of the clients, each figure next to its baseline, printed
 * as one table. Each part runs in a fresh process of its own (no heap, JIT or
 * RSS left over from another part); `--save` writes the table, with the
 * machine and the date, into docs/performance.md.
 */
import { spawn } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { cpus, totalmem } from "node:os"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import * as Await from "./await.js"
import * as Overhead from "./overhead.js"
import * as Startup from "./startup.js"
import { fromRoot, type Row, table } from "./support.js"
import * as Upload from "./upload.js"
import * as Workflow from "./workflow.js"

const args = process.argv.slice(2)
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined)
const quick = args.includes("--quick")
const log = (line: string) => console.log(line)

const parts: Record<string, (options: { quick: boolean; log: typeof log }) => Promise<ReadonlyArray<Row>>> = {
  overhead: Overhead.run,
  await: Await.run,
  upload: Upload.run,
  startup: Startup.run,
  workflow: Workflow.run
}

const ROWS = "bench-rows "

/** Runs one part in a fresh `node`, passing its lines through; answers its rows. */
const runPart = (name: string): Promise<ReadonlyArray<Row>> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--expose-gc", fileURLToPath(import.meta.url), "--part", name, ...args.filter((a) => a !== "--save")],
      { stdio: ["ignore", "pipe", "inherit"] }
    )
    let rows: ReadonlyArray<Row> = []
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith(ROWS)) rows = JSON.parse(line.slice(ROWS.length)) as ReadonlyArray<Row>
      else console.log(line)
    })
    child.once("exit", (code) => (code === 0 ? resolve(rows) : reject(new Error(`bench part ${name} exited with ${code}`))))
  })

const machine = () => {
  const cpu = cpus()
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
    `Node ${process.version}, ${process.platform}`
}

/** Replaces the block between the markers of docs/performance.md. */
const save = (text: string) => {
  const path = fromRoot("docs/performance.md")
  const doc = readFileSync(path, "utf8")
  const begin = "<!-- bench:begin -->"
  const end = "<!-- bench:end -->"
  const from = doc.indexOf(begin)
  const to = doc.indexOf(end)
  if (from === -1 || to === -1) throw new Error(`${path} has no ${begin} … ${end} block`)
  writeFileSync(path, `${doc.slice(0, from + begin.length)}\n${text}\n${doc.slice(to)}`)
  console.log(`saved in ${path}`)
}

const main = async () => {
  const part = option("--part")
  if (part !== undefined) {
    const rows = await parts[part]!({ quick, log })
    console.log(ROWS + JSON.stringify(rows))
    return
  }
  const started = Number(process.env.OOMOL_BENCH_STARTED ?? Date.now())
  const only = option("--only")?.split(",")
  const rows: Array<Row> = []
  for (const name of Object.keys(parts)) {
    if (only === undefined || only.includes(name)) rows.push(...(await runPart(name)))
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1)
  const text = [
    `${quick ? "`pnpm bench --quick`" : "`pnpm bench`"}, ${new Date().toISOString().slice(0, 10)}, ${machine()}; ` +
    `${minutes} min, builds included.`,
    "",
    table(rows)
  ].join("\n")
  console.log(`\n${text}`)
  if (args.includes("--save")) save(text)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
