/**
 * The published package, as a user gets it: packed with pnpm, installed with
 * npm into a fresh project outside the workspace, the README's examples
 * type-checked against its declarations and run by plain `node`.
 */
import { startEmulator, type RunningEmulator } from "@oomol-cloud-task/emulator"
import { build } from "esbuild"
import { execFile } from "node:child_process"
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Example, examples, outOfCredit, readmeTaskID, readmeDir } from "./support/readme.js"

const run = promisify(execFile)
const workspace = fileURLToPath(new URL("../../../", import.meta.url))
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")

let project: string
let emulator: RunningEmulator

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), "oomol-sdk-packed-"))
  // The sdk's prepack builds its bundle; the contract's declarations come from the workspace build.
  await run(process.execPath, [tsc, "-b", join(workspace, "packages/contract/tsconfig.src.json")])
  await run("npx", ["-y", "pnpm@12.4.2", "--filter", "oomol-cloud-task-sdk", "--filter", "@oomol-cloud-task/contract", "pack", "--pack-destination", project], { cwd: workspace })
  const tarballs = readdirSync(project).filter((f) => f.endsWith(".tgz"))
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "packed-readme", private: true, type: "module" }))
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs.map((t) => `./${t}`)], { cwd: project })
  for (const example of examples) {
    copyFileSync(join(readmeDir, `${example}.ts`), join(project, `${example}.ts`))
    copyFileSync(join(readmeDir, `${example}.ts`), join(project, `${example}.mjs`))
  }
  emulator = await startEmulator({ clock: "real", apiKey: "packed-key", blocks: [outOfCredit] })
  emulator.seedSharedTask({ taskID: readmeTaskID })
}, 240_000)

afterAll(async () => {
  await emulator?.close()
  if (project !== undefined) rmSync(project, { recursive: true, force: true })
})

const runExample = async (example: Example) => {
  const env = { ...process.env, OOMOL_BASE_URL: emulator.url, OOMOL_API_KEY: "packed-key" }
  try {
    const { stderr, stdout } = await run(process.execPath, [`${example}.mjs`], { cwd: project, env, timeout: 60_000 })
    return { code: 0, stdout: stdout.split("\n"), stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout.split("\n"), stderr: failed.stderr }
  }
}

// Child processes on a busy machine: generous limits, no timing asserted.
describe("the packed package", { timeout: 120_000 }, () => {
  it("installs with no workspace in sight: bundles that import nothing but Node built-ins, and declarations", async () => {
    const installed = join(project, "node_modules/oomol-cloud-task-sdk")
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"))
    expect(Object.keys(manifest.dependencies).sort()).toEqual(["@oomol-cloud-task/contract", "effect"])
    const files = readdirSync(join(installed, "dist"))
    expect(files).toEqual(expect.arrayContaining(["index.js", "index.d.ts"]))
    // esbuild follows every import of every bundle (their chunks too); a package it must leave out is a dependency.
    const { metafile } = await build({
      entryPoints: files.filter((f) => f.endsWith(".js")).map((f) => join(installed, "dist", f)),
      bundle: true,
      write: false,
      outdir: join(project, "unused"),
      format: "esm",
      platform: "node",
      packages: "external",
      metafile: true,
      logLevel: "silent"
    })
    const imported = Object.values(metafile.inputs).flatMap((input) => input.imports.filter((i) => i.external))
    expect(imported.map((i) => i.path).filter((path) => !path.startsWith("node:"))).toEqual([])
  })

  it("type-checks the README's examples, as written, against its declarations", async () => {
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        lib: ["ES2022", "DOM"],
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        typeRoots: [join(workspace, "node_modules/@types")],
        types: ["node"]
      },
      include: examples.map((e) => `${e}.ts`)
    }))
    const checked = await run(process.execPath, [tsc, "-p", project]).then(() => "", (e: { stdout: string }) => e.stdout)
    expect(checked).toBe("")
  })

  it("Quick Start runs and exits", async () => {
    const { code, stdout } = await runExample("quick-start")
    expect(code).toBe(0)
    expect(stdout.some((l) => /^progress: \d+ status: \w+$/.test(l))).toBe(true)
    expect(stdout.find((l) => l.startsWith("taskID: "))).toMatch(/^taskID: [0-9a-f-]{36}$/)
    expect(stdout).toContain("resultURL: null")
    expect(stdout).toContain("resultData: [ { text: 'hello' } ]")
  })

  it("Create a task and Pause or resume the queue run and exit", async () => {
    const created = emulator.createdTasks()
    expect((await runExample("create-task")).code).toBe(0)
    expect(emulator.createdTasks()).toBe(created + 1)
    expect(emulator.requestLog("createTask").at(-1)!.headers["x-client"]).toBe("my-app")
    const toggles = emulator.requests("pause") + emulator.requests("resume")
    expect((await runExample("pause-resume")).code).toBe(0)
    expect(emulator.requests("pause") + emulator.requests("resume")).toBe(toggles + 4)
  })

  it("Query tasks lists, finds the latest tasks, and reads the README's task", async () => {
    const { code, stderr } = await runExample("query-tasks")
    expect(stderr).toBe("")
    expect(code).toBe(0)
    expect(emulator.requestLog("listTasks").at(-1)!.url).toBe("/v3/users/me/tasks?size=20&status=running&taskType=user")
    expect(emulator.requestLog("getTask").at(-1)!.url).toBe(`/v3/users/me/tasks/${readmeTaskID}`)
    expect(emulator.requestLog("getTaskResult").at(-1)!.url).toBe(`/v3/users/me/tasks/${readmeTaskID}/result`)
  })

  it("Error handling catches the failed task as TaskFailedError with the quota code", async () => {
    const { code, stderr, stdout } = await runExample("error-handling")
    expect(code).toBe(0)
    expect(stderr).toMatch(/^[0-9a-f-]{36} INSUFFICIENT_QUOTA 402 Task failed: Insufficient balance /)
    expect(stdout).toContain("INSUFFICIENT_QUOTA")
  })
})
