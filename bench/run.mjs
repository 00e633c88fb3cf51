// `pnpm bench [--quick]`: builds what the benchmark runs (the emulator, the
// facade's bundles), bundles the benchmark itself into .bench/, then runs it
// with the garbage collector exposed. The facade stays external, so it is
// imported as a user's Node program imports it: dist/node.js.
import { build } from "esbuild"
import { execFileSync } from "node:child_process"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
// The whole run is timed from here, builds included.
const env = { ...process.env, OOMOL_BENCH_STARTED: String(Date.now()) }
const node = (args) => execFileSync(process.execPath, args, { cwd: root, stdio: "inherit", env })

node([createRequire(import.meta.url).resolve("typescript/bin/tsc"), "-b", "packages/emulator/tsconfig.src.json"])
node(["packages/sdk/build.mjs"])
// The Effect 3 client beside today's, in a full run of the overhead part.
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined
if (!process.argv.includes("--quick") && (only === undefined || only.split(",").includes("overhead"))) {
  node(["bench/effect3/build.mjs"])
}
await build({
  entryPoints: ["bench/index.ts", "bench/fixedServer.ts"].map((entry) => join(root, entry)),
  outdir: join(root, ".bench"),
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  conditions: ["@oomol-cloud-task/source"],
  external: ["oomol-cloud-task-sdk", "esbuild"],
  // CommonJS dependencies (undici) call require(): give the bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: "warning"
})
node(["--expose-gc", join(root, ".bench/index.mjs"), ...process.argv.slice(2)])
