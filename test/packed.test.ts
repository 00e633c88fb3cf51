/**
 * The packages as a user gets them. Every workspace package is packed with
 * pnpm (as it would be published) and the tarballs are installed together with
 * npm into a fresh project outside the workspace. There, with no workspace in
 * sight: the packaging linters read the tarballs; the emulator runs from its
 * own installed bin; the facade's README runs from Node ESM and the packages
 * load from CommonJS; a TypeScript consumer of both clients type-checks under
 * NodeNext and Bundler resolution, with TypeScript 5.9 and with the newest
 * TypeScript npm installs, and runs; the CLI's binary runs a task. The facade
 * and the CLI also run on the machine's own Node and on Node 24.
 */
import { connectEmulator, type RemoteEmulator } from "@oomol-cloud-task/emulator"
import { build } from "esbuild"
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { once } from "node:events"
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { examples, outOfCredit, readmeDir, readmeTaskID } from "../packages/sdk/test/support/readme.js"

const run = promisify(execFile)
const workspace = fileURLToPath(new URL("../", import.meta.url))
const fixtures = fileURLToPath(new URL("consumer/", import.meta.url))
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
const apiKey = "packed-key"

type Outcome = { readonly code: number; readonly stdout: string; readonly stderr: string }
const outcome = (pending: Promise<{ stdout: string; stderr: string }>): Promise<Outcome> =>
  pending.then(
    ({ stderr, stdout }) => ({ code: 0, stdout, stderr }),
    (e: { code?: unknown; stdout?: string; stderr?: string; message: string }) => ({
      code: typeof e.code === "number" ? e.code : -1,
      stdout: e.stdout ?? "",
      stderr: e.stderr || e.message
    })
  )

let project: string
let server: ChildProcess | undefined
let emulator: RemoteEmulator
let env: NodeJS.ProcessEnv
let linted: Promise<Outcome>
let installWarnings: string
// Installed beside the project, each in a folder of its own: the newest TypeScript and Node 24.
let newestTsc: string
let node24: string

/** Starts the installed emulator's bin and resolves with its URL, from its first line. */
const startInstalledEmulator = async (): Promise<string> => {
  const child = spawn(join(project, "node_modules/.bin/oomol-task-emulator"), [], {
    cwd: project,
    env: { ...process.env, PORT: "0", OOMOL_EMULATOR_API_KEY: apiKey },
    stdio: ["ignore", "pipe", "inherit"]
  })
  server = child
  const [first] = await Promise.race([
    once(createInterface({ input: child.stdout! }), "line") as Promise<Array<string>>,
    once(child, "exit").then(([code]) => Promise.reject(new Error(`the emulator exited with ${code}`)))
  ])
  const url = /^Emulator listening on (http:\/\/\S+)$/.exec(first ?? "")?.[1]
  if (url === undefined) throw new Error(`unexpected first line from the emulator: ${first}`)
  return url
}

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), "oomol-packed-"))
  // One build and one pack of every package; the sdk's prepack bundles it.
  await run(process.execPath, [tsc, "-b", join(workspace, "tsconfig.build.json")], { cwd: workspace })
  await run("npx", ["-y", "pnpm@12.4.2", "--filter", "./packages/*", "pack", "--pack-destination", project], { cwd: workspace })
  const tarballs = readdirSync(project).filter((f) => f.endsWith(".tgz"))
  // The linters read the tarballs while npm installs them.
  linted = outcome(run(process.execPath, [join(workspace, "scripts/lint-packages.mjs"), project], { cwd: workspace }))
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "packed-consumer", private: true, type: "module" }))
  const npmInstall = (cwd: string, args: ReadonlyArray<string>) =>
    run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=warn", ...args], { cwd })
  const tools = (name: string) => {
    const dir = join(project, "..", `${project.split("/").at(-1)}-${name}`)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `packed-${name}`, private: true }))
    return dir
  }
  const [installed, typescript, node] = await Promise.all([
    // Next to the Effect a new project gets today: npm's `latest`.
    npmInstall(project, ["--ignore-scripts", "effect@latest", ...tarballs.map((t) => `./${t}`)]),
    npmInstall(tools("typescript"), ["typescript@latest"]).then(() => join(project, "..", `${project.split("/").at(-1)}-typescript`)),
    // The node package brings its binary from the registry in an install script.
    npmInstall(tools("node24"), ["node@24"]).then(() => join(project, "..", `${project.split("/").at(-1)}-node24`))
  ])
  installWarnings = installed.stderr
  newestTsc = join(typescript, "node_modules/typescript/bin/tsc")
  node24 = join(node, "node_modules/.bin/node")
  for (const example of examples) {
    copyFileSync(join(readmeDir, `${example}.ts`), join(project, `${example}.ts`))
    copyFileSync(join(readmeDir, `${example}.ts`), join(project, `${example}.mjs`))
  }
  for (const fixture of readdirSync(fixtures)) copyFileSync(join(fixtures, fixture), join(project, fixture))

  const url = await startInstalledEmulator()
  emulator = connectEmulator(url)
  await emulator.defineBlock(outOfCredit)
  await emulator.seedSharedTask({ taskID: readmeTaskID })
  env = { ...process.env, OOMOL_BASE_URL: url, OOMOL_API_KEY: apiKey }
}, 300_000)

afterAll(async () => {
  if (server !== undefined && server.exitCode === null && server.signalCode === null) {
    const exited = once(server, "exit")
    server.kill("SIGTERM")
    await exited
  }
  if (project !== undefined) {
    for (const dir of [project, `${project}-typescript`, `${project}-node24`]) rmSync(dir, { recursive: true, force: true })
  }
})

const nodeOn = (execPath: string) => (args: ReadonlyArray<string>) =>
  outcome(run(execPath, [...args], { cwd: project, env, timeout: 60_000 }))
const node = nodeOn(process.execPath)
// The machine's own Node: the first on PATH that is not one a package brought.
const machineNode = (process.env.PATH ?? "").split(":").filter((dir) => !dir.includes("node_modules"))
  .map((dir) => join(dir, "node")).find((path) => existsSync(path))
const lines = (text: string) => text.split("\n")
const counters = () => emulator.counters()

// Child processes on a busy machine: generous limits, no timing asserted.
describe("the packed packages, installed in a fresh project", { timeout: 120_000 }, () => {
  it("install next to effect@latest without a peer-dependency warning", () => {
    expect(installWarnings).not.toMatch(/peer|ERESOLVE|conflict/i)
    const effect = JSON.parse(readFileSync(join(project, "node_modules/effect/package.json"), "utf8"))
    expect(effect.version).toMatch(/^4\./)
    // One copy of effect: no package carries a private one.
    const copies = readdirSync(join(project, "node_modules"), { recursive: true, encoding: "utf8" })
      .filter((path) => path.endsWith("node_modules/effect/package.json") || path === "effect/package.json")
    expect(copies).toEqual(["effect/package.json"])
  })

  it("pass publint and arethetypeswrong, and ship their LICENSE, README and CHANGELOG", async () => {
    const { code, stderr, stdout } = await linted
    expect(stderr).toBe("")
    expect(code).toBe(0)
    // One clean line per workspace package.
    const packages = readdirSync(join(workspace, "packages"))
    expect(lines(stdout).filter((l) => l.includes("publint: All good!") && l.includes("attw: no problems"))).toHaveLength(packages.length)
  })

  it("the facade installs as bundles that import nothing but Node built-ins, with its declarations", async () => {
    const installed = join(project, "node_modules/oomol-cloud-task-sdk")
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"))
    expect(Object.keys(manifest.dependencies).sort()).toEqual(["@oomol-cloud-task/contract", "effect"])
    const files = readdirSync(join(installed, "dist"))
    expect(files).toEqual(expect.arrayContaining(["index.js", "node.js", "index.d.ts"]))
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
    // The browser bundle imports nothing at all (no Node built-in) and carries nothing of undici.
    const browser = Object.entries(metafile.inputs).filter(([path]) => path.endsWith("dist/index.js"))
    expect(browser).toHaveLength(1)
    expect(browser[0]![1].imports).toEqual([])
    expect(readFileSync(join(installed, "dist/index.js"), "utf8")).not.toMatch(/undici/i)
  })

  it("type-checks the README's examples and a consumer of both clients under strict, with NodeNext and with Bundler resolution", async () => {
    const compilerOptions = {
      target: "ES2022",
      lib: ["ES2022", "DOM"],
      strict: true,
      skipLibCheck: false,
      typeRoots: [join(workspace, "node_modules/@types")],
      types: ["node"]
    }
    const include = ["consumer.ts", ...examples.map((e) => `${e}.ts`)]
    // NodeNext checks the packages' declarations too (skipLibCheck off), and emits the consumer the next test runs.
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({
      compilerOptions: { ...compilerOptions, module: "NodeNext", moduleResolution: "NodeNext", outDir: "out" },
      include
    }))
    writeFileSync(join(project, "tsconfig.bundler.json"), JSON.stringify({
      // The declarations themselves were checked just above; this pass is about resolution.
      compilerOptions: { ...compilerOptions, module: "ESNext", moduleResolution: "Bundler", noEmit: true, skipLibCheck: true },
      include
    }))
    const [nodeNext, bundler] = await Promise.all(
      ["tsconfig.json", "tsconfig.bundler.json"].map((config) => node([tsc, "-p", config]))
    )
    expect(nodeNext!.stdout).toBe("")
    expect(bundler!.stdout).toBe("")
    expect([nodeNext!.code, bundler!.code]).toEqual([0, 0])
  })

  it("type-checks the same consumer with the newest TypeScript npm installs, NodeNext and Bundler", async () => {
    const version = JSON.parse(readFileSync(join(newestTsc, "../../package.json"), "utf8")).version as string
    expect(Number(version.split(".")[0])).toBeGreaterThanOrEqual(7)
    writeFileSync(join(project, "tsconfig.newest.json"), JSON.stringify({
      extends: "./tsconfig.json",
      compilerOptions: { noEmit: true, outDir: undefined }
    }))
    const [nodeNext, bundler] = await Promise.all(
      ["tsconfig.newest.json", "tsconfig.bundler.json"].map((config) => node([newestTsc, "-p", config]))
    )
    expect(nodeNext!.stdout).toBe("")
    expect(bundler!.stdout).toBe("")
    expect([nodeNext!.code, bundler!.code]).toEqual([0, 0])
  })

  it("the TypeScript consumer runs: the Effect client and the facade against the installed emulator", async () => {
    const { code, stderr, stdout } = await node(["out/consumer.js"])
    expect(stderr).toBe("")
    expect(code).toBe(0)
    expect(lines(stdout)).toEqual(expect.arrayContaining([
      "effect: from Effect",
      "effect over UndiciHttpClient: paused is a boolean",
      "facade: from the facade",
      "facade rejects: size must be an integer between 1 and 100"
    ]))
  })

  it("Quick Start runs from Node ESM and exits", async () => {
    const { code, stdout } = await node(["quick-start.mjs"])
    expect(code).toBe(0)
    expect(lines(stdout).some((l) => /^progress: \d+ status: \w+$/.test(l))).toBe(true)
    expect(lines(stdout).find((l) => l.startsWith("taskID: "))).toMatch(/^taskID: [0-9a-f-]{36}$/)
    expect(lines(stdout)).toContain("resultURL: null")
    expect(lines(stdout)).toContain("resultData: [ { text: 'hello' } ]")
  })

  it("Create a task and Pause or resume the queue run and exit", async () => {
    const before = await counters()
    expect((await node(["create-task.mjs"])).code).toBe(0)
    expect((await counters()).createdTasks).toBe(before.createdTasks + 1)
    expect((await emulator.requestLog("createTask")).at(-1)!.headers["x-client"]).toBe("my-app")
    expect((await node(["pause-resume.mjs"])).code).toBe(0)
    const after = await counters()
    expect(after.requests.pause + after.requests.resume).toBe(before.requests.pause + before.requests.resume + 4)
  })

  it("Query tasks lists, finds the latest tasks, and reads the README's task", async () => {
    const { code, stderr } = await node(["query-tasks.mjs"])
    expect(stderr).toBe("")
    expect(code).toBe(0)
    expect((await emulator.requestLog("listTasks")).at(-1)!.url).toBe("/v3/users/me/tasks?size=20&status=running&taskType=user")
    expect((await emulator.requestLog("getTask")).at(-1)!.url).toBe(`/v3/users/me/tasks/${readmeTaskID}`)
    expect((await emulator.requestLog("getTaskResult")).at(-1)!.url).toBe(`/v3/users/me/tasks/${readmeTaskID}/result`)
  })

  it("Error handling catches the failed task as TaskFailedError with the quota code", async () => {
    const { code, stderr, stdout } = await node(["error-handling.mjs"])
    expect(code).toBe(0)
    expect(stderr).toMatch(/^[0-9a-f-]{36} INSUFFICIENT_QUOTA 402 Task failed: Insufficient balance /)
    expect(stdout).toContain("INSUFFICIENT_QUOTA")
  })

  it.each([["the machine's own Node", () => machineNode!], ["Node 24", () => node24]])(
    "the facade's Quick Start and the CLI run on %s",
    async (_, execPath) => {
      const on = nodeOn(execPath())
      const version = await on(["-v"])
      expect(version.stdout).toMatch(/^v\d+\./)
      const quickStart = await on(["quick-start.mjs"])
      expect(quickStart.stderr).toBe("")
      expect(quickStart.code).toBe(0)
      expect(lines(quickStart.stdout)).toContain("resultData: [ { text: 'hello' } ]")
      const cli = join(project, "node_modules/@oomol-cloud-task/cli/dist/bin.js")
      const ran = await on([cli, "run", "@oomol/echo@1.0.0", "main", "--input", `text=on ${version.stdout.trim()}`, "--interval", "200ms", "--json"])
      expect(ran.code).toBe(0)
      expect(JSON.parse(ran.stdout)).toMatchObject({ result: { status: "success", resultData: [{ text: `on ${version.stdout.trim()}` }] } })
    }
  )

  it("CommonJS loads the packages with import()", async () => {
    const { code, stderr, stdout } = await node(["import.cjs"])
    expect(stderr).toBe("")
    expect(code).toBe(0)
    expect(lines(stdout)).toContain("import: true")
  })

  it.runIf(process.features.require_module)("CommonJS loads the packages with require(), where Node has require(esm)", async () => {
    const { code, stdout } = await node(["require.cjs"])
    expect(code).toBe(0)
    expect(lines(stdout)).toEqual(expect.arrayContaining(["require: dashboard object, Effect layer function", "require: true"]))
  })

  it("the CLI's binary prints its help and runs a task", async () => {
    const npx = (args: ReadonlyArray<string>) => outcome(run("npx", ["--no-install", "oomol-task", ...args], { cwd: project, env, timeout: 60_000 }))
    const help = await npx(["--help"])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("Run and watch OOMOL Cloud Tasks")
    const ran = await npx(["run", "@oomol/echo@1.0.0", "main", "--input", "text=from the CLI", "--interval", "200ms", "--json"])
    expect(ran.code).toBe(0)
    expect(JSON.parse(ran.stdout)).toMatchObject({ result: { status: "success", resultData: [{ text: "from the CLI" }] } })
  })
})
