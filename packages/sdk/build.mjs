// Builds the published package: declarations from tsc, and one tree-shaken ESM
// bundle holding the Effect client and the parts of Effect it uses, so an
// `import` loads one file instead of hundreds of modules.
import { build } from "esbuild"
import { execFileSync } from "node:child_process"
import { createRequire } from "node:module"
import { readdirSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")

execFileSync(process.execPath, [tsc, "-b", join(here, "tsconfig.src.json")], { stdio: "inherit" })

// The bundles of an earlier build: chunk names change with their contents, and
// `files` publishes every dist/*.js. (tsc emits only declarations here.)
for (const file of readdirSync(join(here, "dist"))) {
  if (/\.js(\.map)?$/.test(file)) rmSync(join(here, "dist", file))
}

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
  // No `keepNames` (its `__name` calls would follow every function into a user's
  // bundle, 6.6 KiB gz of 70.3): the error classes name themselves (`named` in
  // Errors.ts), so Node prints an uncaught one as `ApiError: …`.
  sourcemap: "linked",
  sourcesContent: false,
  legalComments: "none",
  metafile: true,
  logLevel: "warning"
}

// `index` for browsers and every other runtime, free of Node built-ins: one
// file. `node` (the `node` export condition) also uploads file paths
// (`effect/FileSystem` on @effect/platform-node's NodeFileSystem; nothing else
// of it, so no `redis` peer), and sends with undici. Its entry holds only the
// client's class and errors: the engine (the Effect client and Effect) is a
// chunk loaded by the first client created, undici and UndiciHttpClient one
// loaded by its first request, NodeFileSystem one loaded by its first path
// uploaded, so an `import` parses none of them.
for (const [entry, platform] of [["index", "neutral"], ["node", "node"]]) {
  const result = await build({
    ...shared,
    entryPoints: { [entry]: join(here, `src/${entry}.ts`) },
    outdir: join(here, "dist"),
    splitting: platform === "node",
    chunkNames: `${entry}-[name]-[hash]`,
    platform,
    // undici is CommonJS: its require() of Node built-ins needs a real require.
    ...(platform === "node" && {
      banner: { js: `import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);` }
    })
  })
  // The composition of each bundle, for `pnpm bench` (not published).
  writeFileSync(join(here, `dist/${entry}.meta.json`), JSON.stringify(result.metafile))
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith(".js")) console.log(`${relative(here, file)}: ${(output.bytes / 1024).toFixed(1)} KiB`)
  }
}
