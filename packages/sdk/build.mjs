// Builds the published package: declarations from tsc, and one tree-shaken ESM
// bundle holding the Effect client and the parts of Effect it uses, so an
// `import` loads one file instead of hundreds of modules.
import { build } from "esbuild"
import { rollup } from "rollup"
import { execFileSync } from "node:child_process"
import { createRequire } from "node:module"
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs"
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

// Effect's modules re-export much of their internals as `export const succeed =
// internal.succeed` (or `= exitSucceed`, a name imported): a bundle keeps each
// as a variable of its own (`var succeed2 = succeed`), over a hundred of them.
// Read as the imports they are (`import { succeed } from "./internal/effect.js";
// export { succeed }`), they are the same binding, and a bundler links every
// use to the original. Only a binding its module never reassigns is read so.
const effectReexports = {
  name: "effect-reexports",
  setup(build) {
    const texts = new Map()
    const textOf = (path) => {
      let text = texts.get(path)
      if (text === undefined) texts.set(path, text = readFileSync(path, "utf8"))
      return text
    }
    const escaped = (name) => name.replace(/\$/g, "\\$")
    // Whether the module at `path` exports `name` as a binding nothing reassigns:
    // a const, or a function or class never assigned to (nor anything of that name).
    const isConstant = (path, name) =>
      new RegExp(`^export const ${escaped(name)} `, "m").test(textOf(path)) ||
      (new RegExp(`^export (?:(?:async )?function\\*?|class) ${escaped(name)}\\b`, "m").test(textOf(path)) &&
        !new RegExp(`(?<![\\w$.])${escaped(name)}\\s*(?:[-+*/%&|^<>?]*=(?![=>])|\\+\\+|--)`).test(textOf(path)))
    build.onLoad({ filter: /[\\/]node_modules[\\/].*[\\/]effect[\\/]dist[\\/].*\.js$/ }, (args) => {
      const text = textOf(args.path)
      const dir = dirname(args.path)
      // What each imported name is: a namespace (`import * as core`) or one export (`import { a as b }`).
      const namespaces = new Map()
      const imported = new Map()
      for (const [, names, from] of text.matchAll(/^import (\* as [\w$]+|\{[^}]*\}) from "(\.[^"]+)";$/gm)) {
        if (names.startsWith("*")) namespaces.set(names.slice(5), from)
        else {
          for (const specifier of names.slice(1, -1).split(",")) {
            const [original, local = original] = specifier.trim().split(/\s+as\s+/)
            if (original !== "") imported.set(local, [from, original])
          }
        }
      }
      const contents = text.replace(
        /^(export )?const ([\w$]+) = ([\w$]+)(?:\.([\w$]+))?;$/gm,
        (line, exported, name, first, member) => {
          const [from, original] = member === undefined ? imported.get(first) ?? [] : [namespaces.get(first), member]
          if (from === undefined || !isConstant(join(dir, from), original)) return line
          return `import { ${original} as ${name} } from "${from}";${exported ? ` export { ${name} };` : ""}`
        }
      )
      return { contents, loader: "js", resolveDir: dir }
    })
  }
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
  logLevel: "warning",
  plugins: [effectReexports]
}

// `index` for browsers and every other runtime, free of Node built-ins: one
// file. `node` (the `node` export condition) also uploads file paths
// (`effect/FileSystem` on @effect/platform-node's NodeFileSystem; nothing else
// of it, so no `redis` peer), and sends with undici. Its entry holds only the
// client's class and errors: the engine (the Effect client and Effect) is a
// chunk loaded by the first client created, undici and UndiciHttpClient one
// loaded by its first request, NodeFileSystem one loaded by its first path
// uploaded, so an `import` parses none of them.
// `index` goes through rollup's tree-shaking between esbuild's bundle and its
// minify: rollup also drops what esbuild keeps for its possible side effects
// (classes with computed keys, unused module-level objects), 2.9 KB gz of a
// user's browser bundle. Source maps are chained back to the sources.
const treeShaken = async (entry) => {
  const bundled = await build({
    ...shared,
    minify: false,
    lineLimit: undefined,
    entryPoints: { [entry]: join(here, `src/${entry}.ts`) },
    outdir: join(here, "dist"),
    write: false,
    sourcemap: "external",
    metafile: false,
    platform: "neutral"
  })
  const code = bundled.outputFiles.find((file) => file.path.endsWith(".js")).text
  const map = bundled.outputFiles.find((file) => file.path.endsWith(".js.map")).text
  const id = join(here, `dist/${entry}.js`)
  const shaken = await rollup({
    input: id,
    plugins: [{
      name: "esbuild-output",
      resolveId: (source) => (source === id ? id : null),
      load: (loaded) => (loaded === id ? { code, map } : null)
    }],
    onwarn: (warning, warn) => warning.code === "CIRCULAR_DEPENDENCY" || warn(warning)
  })
  const { output } = await shaken.generate({ format: "es", dir: join(here, "dist"), sourcemap: "inline", sourcemapExcludeSources: true })
  await shaken.close()
  // esbuild minifies it, reading the inline map so the linked one points at the sources.
  const staged = join(here, `dist/${entry}.rollup.mjs`)
  writeFileSync(staged, output[0].code + `\n//# sourceMappingURL=${output[0].map.toUrl()}\n`)
  return staged
}

for (const [entry, platform] of [["index", "neutral"], ["node", "node"]]) {
  if (entry === "index") {
    const staged = await treeShaken(entry)
    try {
      await build({ ...shared, entryPoints: { [entry]: staged }, outdir: join(here, "dist"), platform, metafile: false })
    } finally {
      rmSync(staged)
    }
  }
  const result = await build({
    ...shared,
    entryPoints: { [entry]: join(here, `src/${entry}.ts`) },
    outdir: join(here, "dist"),
    splitting: platform === "node",
    chunkNames: `${entry}-[name]-[hash]`,
    platform,
    // `index` was written above; this build only measures its composition (the metafile).
    write: entry !== "index",
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
