// Lints every package as it would be published: publint (the manifest against
// the packed files) and arethetypeswrong (the types each entry point resolves
// to, under node16 and bundler resolution), plus the files every package ships.
//
//   node scripts/lint-packages.mjs          builds, packs every package, lints the tarballs
//   node scripts/lint-packages.mjs <dir>    lints the tarballs already packed into <dir>
//
// attw runs with `--profile esm-only`: the packages are ES modules only, on
// purpose (Node 20.19+ and 22.12+ `require()` them; older CommonJS uses
// `await import()`), so the profile leaves out the two resolutions that
// describe CommonJS consumers (node10 and node16 from CJS) and keeps node16
// from ESM and bundler.
import { execFile } from "node:child_process"
import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"

const run = promisify(execFile)
const root = new URL("..", import.meta.url).pathname
const bin = (name) => join(root, "node_modules/.bin", name)

/** Packs every workspace package into `dir` (the sdk's prepack builds its bundle). */
export const packAll = async (dir) => {
  await run(bin("tsc"), ["-b", join(root, "tsconfig.build.json")], { cwd: root })
  await run("npx", ["-y", "pnpm@12.4.2", "--filter", "./packages/*", "pack", "--pack-destination", dir], { cwd: root })
  return readdirSync(dir).filter((f) => f.endsWith(".tgz")).map((f) => join(dir, f))
}

// A wildcard export ("./*") is not expanded by attw: name each public module.
const entrypoints = async (tarball) => {
  const { stdout } = await run("tar", ["-tzf", tarball])
  const listed = stdout.split("\n")
  const modules = listed.flatMap((f) => /^package\/dist\/([A-Z]\w*)\.d\.ts$/.exec(f)?.[1] ?? [])
  const wildcard = (await manifestOf(tarball)).exports?.["./*"] !== undefined
  return { listed, extra: wildcard ? modules.map((m) => `./${m}`) : [] }
}

const manifestOf = async (tarball) =>
  JSON.parse((await run("tar", ["-xzOf", tarball, "package/package.json"])).stdout)

const lint = async (tarball) => {
  const problems = []
  const manifest = await manifestOf(tarball)
  const { extra, listed } = await entrypoints(tarball)
  for (const file of ["package/LICENSE", "package/README.md", "package/CHANGELOG.md"]) {
    if (!listed.includes(file)) problems.push(`${file.slice("package/".length)} is not in the tarball`)
  }
  if (JSON.stringify(manifest.exports ?? {}).includes("@oomol-cloud-task/source")) {
    problems.push("the packed manifest still has the workspace-only @oomol-cloud-task/source condition")
  }
  const checks = [
    ["publint", ["run", tarball, "--strict"]],
    ["attw", [tarball, "--profile", "esm-only", "--no-definitely-typed", "--no-color", "--format", "ascii",
      ...(extra.length > 0 ? ["--include-entrypoints", ...extra] : [])]]
  ]
  const outputs = await Promise.all(checks.map(async ([name, args]) => {
    try {
      const { stdout } = await run(bin(name), args, { cwd: root, env: { ...process.env, NO_COLOR: "1" } })
      return `${name}: ${summary(name, stdout)}`
    } catch (error) {
      problems.push(`${name} failed:\n${error.stdout ?? ""}${error.stderr ?? ""}`)
      return `${name}: problems`
    }
  }))
  return { name: `${manifest.name}@${manifest.version}`, outputs, problems }
}

// publint's verdict line; attw (whose exit code is the verdict) prints no
// summary when the only problems are the ignored CommonJS ones: count the entry
// points it checked instead.
const summary = (name, stdout) => {
  if (name === "publint") return stdout.trim().split("\n").at(-1)
  const checked = stdout.split("\n").filter((l) => /^"[^"]+"$/.test(l) && !l.endsWith("/*\"")).length
  return `no problems in ${checked} entry points (node16 from ESM, bundler)`
}

const main = async () => {
  const given = process.argv[2]
  const dir = given ?? mkdtempSync(join(tmpdir(), "oomol-lint-packages-"))
  try {
    const tarballs = given === undefined ? await packAll(dir) : readdirSync(dir).filter((f) => f.endsWith(".tgz")).map((f) => join(dir, f))
    if (tarballs.length === 0) throw new Error(`no tarballs in ${dir}`)
    let failed = false
    // Two at a time: each check loads TypeScript.
    for (let i = 0; i < tarballs.length; i += 2) {
      for (const result of await Promise.all(tarballs.slice(i, i + 2).map(lint))) {
        console.log(`${result.name}  ${result.outputs.join("  ")}`)
        for (const problem of result.problems) console.error(`  ✗ ${problem}`)
        failed ||= result.problems.length > 0
      }
    }
    if (failed) process.exitCode = 1
  } finally {
    if (given === undefined) rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
