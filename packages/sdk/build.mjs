// Builds the published package: declarations from tsc, and one tree-shaken ESM
// bundle holding the Effect client and the parts of Effect it uses, so an
// `import` loads one file instead of hundreds of modules.
import { build } from "esbuild"
import { execFileSync } from "node:child_process"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")

execFileSync(process.execPath, [tsc, "-b", join(here, "tsconfig.src.json")], { stdio: "inherit" })

const shared = {
  bundle: true,
  format: "esm",
  target: "es2022",
  // Workspace packages from their sources; Effect's own ESM builds.
  conditions: ["@oomol-cloud-task/source", "module", "import", "default"],
  mainFields: ["module", "main"],
  treeShaking: true,
  minify: true,
  // Short lines: Node prints the source line of an uncaught error, which must not be the whole bundle.
  lineLimit: 160,
  // Class names as written: Node prints an uncaught error as `ApiError: …`, not `Xc [ApiError]: …`.
  keepNames: true,
  sourcemap: "linked",
  sourcesContent: false,
  legalComments: "none",
  metafile: true,
  logLevel: "warning"
}

// `index` for browsers and every other runtime, free of Node built-ins; `node`
// (the `node` export condition) also uploads file paths, with @effect/platform-node.
for (const [entry, platform] of [["index", "neutral"], ["node", "node"]]) {
  const result = await build({
    ...shared,
    entryPoints: [join(here, `src/${entry}.ts`)],
    outfile: join(here, `dist/${entry}.js`),
    platform
  })
  const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined)?.bytes ?? 0
  console.log(`dist/${entry}.js: ${(bytes / 1024).toFixed(1)} KiB`)
}
