// Builds .bench/effect3-client.mjs: the Effect client as it was on Effect 3,
// for the request-overhead benchmark to measure side by side with today's.
// The project's last commit on Effect 3 is extracted into .bench/effect3/ and
// installed there with its own lockfile (the workspace keeps nothing of
// Effect 3), then bench/effect3/client.mjs is bundled against it: its packages are
// resolved in that tree, the harness it shares with today's client in bench/. Skipped,
// with the reason printed, when the commit is not in this clone (a shallow
// one) or the install fails: the benchmark then runs without the row.
import { build } from "esbuild"
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, rmSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

/** The last commit before the move to Effect 4 (issue #12). */
const commit = "f3bf120096014825d88950c215e6dd7aa7ad2968"

const root = join(dirname(fileURLToPath(import.meta.url)), "../..")
const tree = join(root, ".bench/effect3")
const out = join(root, ".bench/effect3-client.mjs")
const installed = join(tree, "node_modules/.effect3-installed")
const run = (command, args, cwd) => execFileSync(command, args, { cwd, stdio: ["ignore", "ignore", "pipe"] })

try {
  if (!existsSync(installed)) {
    rmSync(tree, { recursive: true, force: true })
    mkdirSync(tree, { recursive: true })
    const archive = join(root, ".bench/effect3.tar")
    run("git", ["archive", "--output", archive, commit], root)
    run("tar", ["-xf", archive, "-C", tree], root)
    rmSync(archive)
    console.log(`effect3: installing the Effect 3 client (${commit.slice(0, 7)}) in .bench/effect3 …`)
    run("npx", ["-y", "pnpm@12.4.2", "install", "--frozen-lockfile"], tree)
    execFileSync("touch", [installed])
  }
  const client = join(root, "bench/effect3/client.mjs")
  // The client's packages come from the Effect 3 tree, not the workspace's node_modules.
  const fromTree = {
    name: "effect3-packages",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) =>
        args.importer === client ? build.resolve(args.path, { kind: args.kind, resolveDir: tree }) : undefined)
    }
  }
  await build({
    entryPoints: [client],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    conditions: ["@oomol-cloud-task/source"],
    absWorkingDir: tree,
    plugins: [fromTree],
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: "warning"
  })
} catch (error) {
  rmSync(out, { force: true })
  const detail = String(error?.stderr ?? "").trim().split("\n").at(-1) || String(error?.message ?? error)
  console.log(`effect3: no Effect 3 row (${detail})`)
}
