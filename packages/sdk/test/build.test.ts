/**
 * The workspace's own build builds everything: every package's sources are
 * part of it, and after the root `build` script, and nothing else, every
 * package loads as a consumer loads it, by its name with Node's default export
 * conditions (no sources), the facade's bundles included.
 */
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
})
