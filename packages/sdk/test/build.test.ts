/**
 * The workspace's own build builds everything: every package's sources are
 * part of it, and after the root `build` script, and nothing else, every
 * package loads as a consumer loads it, by its name with Node's default export
 * conditions (no sources), the facade's bundles included.
 */
import { startEmulator } from "@oomol-cloud-task/emulator"
import { execFile } from "node:child_process"
import { readdirSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

const run = promisify(execFile)
const root = fileURLToPath(new URL("../../../", import.meta.url))
const packages = join(root, "packages")

/** Each workspace package: its folder and name. */
const workspace = readdirSync(packages).map((folder) => ({
  folder: join(packages, folder),
  name: (JSON.parse(readFileSync(join(packages, folder, "package.json"), "utf8")) as { name: string }).name
}))

describe("the root build", () => {
  it("builds every package of the workspace (each one's sources are in tsconfig.build.json)", () => {
    const built = (JSON.parse(readFileSync(join(root, "tsconfig.build.json"), "utf8")) as {
      references: ReadonlyArray<{ path: string }>
    }).references.map((reference) => reference.path)
    const unbuilt = workspace
      .filter(({ folder }) => !built.includes(`packages/${folder.split("/").at(-1)}/tsconfig.src.json`))
      .map(({ name }) => name)
    expect(unbuilt).toEqual([])
  })

  it("leaves every package importable by its name, as a consumer imports it", async () => {
    // What the facade's own build script makes; the root build must make it too.
    const dist = join(packages, "sdk/dist")
    for (const file of readdirSync(dist)) if (/\.js(\.map)?$/.test(file)) rmSync(join(dist, file))

    await run(process.execPath, ["--run", "build"], { cwd: root, maxBuffer: 16 * 1024 * 1024 })

    for (const { folder, name } of workspace) {
      // From the package's own folder, a package imports itself by its name
      // through its `exports`, with Node's conditions only.
      const { stdout } = await run(
        process.execPath,
        ["--input-type=module", "-e", `const m = await import(${JSON.stringify(name)}); console.log(Object.keys(m).length)`],
        { cwd: folder }
      )
      expect(Number(stdout.trim()), name).toBeGreaterThan(0)
    }
    // The facade as the README uses it.
    const { stdout } = await run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { OomolTaskClient } from "oomol-cloud-task-sdk"; const c = new OomolTaskClient({ apiKey: "k" }); await c.dispose(); console.log(typeof OomolTaskClient)`
      ],
      { cwd: root }
    )
    expect(stdout.trim()).toBe("function")
  }, 600_000)

  it("leaves the browser bundle (dist/index.js) working as built: a task, a listing, a refusal, an upload", async () => {
    // The bundle as build.mjs wrote it (Effect's re-exports linked to what they
    // name, tree-shaken, minified), run by Node over fetch.
    const emulator = await startEmulator({
      clock: "real",
      apiKey: "k",
      partSize: 1024,
      blocks: [{ packageName: "ok", durations: { queued: 0, scheduling: 10, scheduled: 10, running: 30 } }]
    })
    try {
      const script = `
        import { InvalidInputError, OomolTaskClient } from ${JSON.stringify(join(packages, "sdk/dist/index.js"))}
        const client = new OomolTaskClient({ apiKey: "k", baseUrl: ${JSON.stringify(emulator.url)} })
        const request = { packageName: "ok", packageVersion: "1.0.0", blockName: "main" }
        const done = await client.createAndWait(request, { intervalMs: 20, backoff: { strategy: "fixed" } })
        const listed = []
        for await (const task of client.tasks({ size: 1 })) listed.push(task.taskID)
        const refused = await client.listTasks({ size: 101 }).catch((error) => error)
        const url = await client.uploadFile(new Uint8Array(3000).fill(7), { uploadBaseUrl: ${JSON.stringify(emulator.uploadBaseUrl)} })
        const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer())
        await client.dispose()
        console.log(JSON.stringify({
          status: done.result.status,
          listed: listed.includes(done.taskID),
          refused: refused instanceof InvalidInputError ? refused.message : String(refused),
          uploaded: bytes.length === 3000 && bytes.every((byte) => byte === 7)
        }))
      `
      const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: root })
      expect(JSON.parse(stdout)).toEqual({
        status: "success",
        listed: true,
        refused: "size must be an integer between 1 and 100",
        uploaded: true
      })
    } finally {
      await emulator.close()
    }
  }, 60_000)
})
