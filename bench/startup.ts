/**
 * Startup and size: the cold `import` of the facade in Node (a fresh `node`
 * per import, the package resolved by name as a user's program resolves it),
 * next to the `effect` and `effect/http` barrels it must not load whole; and
 * the facade's browser bundle as a user's bundler builds it from the
 * published files (esbuild, browser platform, minified, gzip -9), next to the
 * floor of an Effect 4 program that uses what the facade needs (HTTP, Schema,
 * Schedule, Stream, ManagedRuntime) bundled the same way, with what the
 * facade's bundle is made of, package by package (from the metafile build.mjs
 * writes).
 */
import { build, type Metafile } from "esbuild"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { gzipSync } from "node:zlib"
import { fixed, fromRoot, median, type Row, ratio } from "./support.js"

/** Milliseconds a fresh `node` takes to import `specifiers`, from the repository root. */
const importTime = (specifiers: ReadonlyArray<string>): number => {
  const script = `const t = performance.now(); ${specifiers.map((s) => `await import(${JSON.stringify(s)});`).join(" ")} ` +
    `process.stdout.write(String(performance.now() - t))`
  return Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: fromRoot(""), encoding: "utf8" }))
}

const kib = (bytes: number) => `${fixed(bytes / 1024, 1)} KiB`
const gzip = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length

/** Which package a bundled input belongs to: its npm name, or the workspace package's. */
const packageOf = (input: string): string => {
  const npm = /node_modules\/(?!\.pnpm)((?:@[^/]+\/)?[^/]+)/.exec(input.slice(input.lastIndexOf("node_modules/.pnpm/") + 1))
  if (npm !== null) return npm[1]!
  const workspace = /packages\/([^/]+)\//.exec(input)
  const names: Record<string, string> = {
    contract: "@oomol-cloud-task/contract",
    effect: "@oomol-cloud-task/effect",
    sdk: "oomol-cloud-task-sdk (facade)"
  }
  return workspace === null ? input : names[workspace[1]!] ?? workspace[1]!
}

/**
 * Where `effect`'s part of a bundle goes: what the smallest program needs
 * anyway (`floor`: HTTP, Schema, Schedule, Stream, the runtime), then what it adds.
 */
const effectArea = (input: string, floor: ReadonlySet<string>): string =>
  floor.has(input)
    ? "effect: what the floor program needs too"
    : /\/(Schema|SchemaAST|ParseResult)\.js$/.test(input)
    ? "effect: Schema"
    : /\/(Stream|Channel|Sink|Take|Queue|Mailbox|PubSub)|internal\/(stream|channel|sink|take|queue|mailbox|pubsub)/i.test(input)
    ? "effect: Stream (streams, channels, queues)"
    : "effect: the rest (Schedule, Layer, Config, …)"

/** The bytes of an output, by package (`effect` by area), largest first. */
const composition = (
  metafile: Metafile,
  output: string,
  floor: ReadonlySet<string>
): ReadonlyArray<readonly [string, number]> => {
  const byPackage = new Map<string, number>()
  for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[output]!.inputs)) {
    const name = packageOf(input)
    const group = name === "effect" ? effectArea(input, floor) : name
    byPackage.set(group, (byPackage.get(group) ?? 0) + bytesInOutput)
  }
  return [...byPackage].sort((a, b) => b[1] - a[1])
}

export interface StartupOptions {
  readonly quick: boolean
  readonly log: (line: string) => void
}

export const run = async ({ log, quick }: StartupOptions): Promise<ReadonlyArray<Row>> => {
  const times = quick ? 5 : 11
  const facade: Array<number> = []
  const barrels: Array<number> = []
  for (let i = 0; i < times; i++) {
    facade.push(importTime(["oomol-cloud-task-sdk"]))
    barrels.push(importTime(["effect", "effect/http"]))
  }
  const facadeMs = median(facade)
  const barrelsMs = median(barrels)
  log(`import: facade ${facade.map((t) => fixed(t)).join(" ")} ms; barrels ${barrels.map((t) => fixed(t)).join(" ")} ms`)

  // The browser bundle as a user's bundler builds it from the published files, and
  // the floor: an Effect program using what the facade needs, bundled the same way.
  const userBuild = (contents: string) =>
    build({
      stdin: { contents, resolveDir: fromRoot("packages/sdk"), loader: "ts" },
      bundle: true,
      write: false,
      format: "esm",
      platform: "browser",
      target: "es2022",
      minify: true,
      legalComments: "none",
      metafile: true,
      // Input paths as build.mjs names them (relative to the repository root).
      absWorkingDir: fromRoot(""),
      logLevel: "warning"
    })
  const bundle = (await userBuild(`export { OomolTaskClient } from "./dist/index.js"`)).outputFiles[0]!.contents
  const metafile = JSON.parse(readFileSync(fromRoot("packages/sdk/dist/index.meta.json"), "utf8")) as Metafile
  const floor = await userBuild([
    `import * as Effect from "effect/Effect"`,
    `import * as ManagedRuntime from "effect/ManagedRuntime"`,
    `import * as Schedule from "effect/Schedule"`,
    `import * as Schema from "effect/Schema"`,
    `import * as Stream from "effect/Stream"`,
    `import * as FetchHttpClient from "effect/http/FetchHttpClient"`,
    `import * as HttpClient from "effect/http/HttpClient"`,
    `import * as HttpClientResponse from "effect/http/HttpClientResponse"`,
    `const Task = Schema.Struct({ id: Schema.String, status: Schema.Literals(["running", "done"]) })`,
    `const get = Effect.flatMap(HttpClient.HttpClient, (http) => Effect.flatMap(http.get("/task"), HttpClientResponse.schemaBodyJson(Task)))`,
    `const runtime = ManagedRuntime.make(FetchHttpClient.layer)`,
    `export const poll = () => runtime.runPromise(Stream.runCollect(Stream.fromEffectSchedule(get, Schedule.spaced("1 second")).pipe(Stream.take(3))))`
  ].join("\n"))
  const floorBytes = floor.outputFiles[0]!.contents
  const output = Object.keys(metafile.outputs).find((o) => o.endsWith("index.js"))!
  const parts = composition(metafile, output, new Set(Object.keys(floor.metafile.inputs)))
  const total = parts.reduce((sum, [, bytes]) => sum + bytes, 0)

  const section = "4. startup and size"
  return [
    {
      section,
      figure: "facade: cold import in Node (median of fresh processes)",
      value: `${fixed(facadeMs, 1)} ms`,
      baseline: "40 ms (target)",
      ratio: ratio(facadeMs, 40),
      target: "≤ 40 ms"
    },
    {
      section,
      figure: "for scale: import of the effect + effect/http barrels",
      value: `${fixed(barrelsMs, 1)} ms`,
      baseline: `${fixed(facadeMs, 1)} ms (facade)`,
      ratio: ratio(barrelsMs, facadeMs),
      target: ""
    },
    {
      section,
      figure: "browser bundle, as a user's esbuild builds it: minified · gzip -9",
      value: `${kib(bundle.length)} · ${kib(gzip(bundle))}`,
      baseline: `${kib(floorBytes.length)} · ${kib(gzip(floorBytes))} (HTTP + Schema + Schedule + Stream + ManagedRuntime)`,
      ratio: `${ratio(bundle.length, floorBytes.length)} · ${ratio(gzip(bundle), gzip(floorBytes))}`,
      target: "≤ 56.5 KiB gz"
    },
    // What dominates it, package by package.
    ...parts.map(([name, bytes]): Row => ({
      section,
      figure: `  of which ${name} (share)`,
      value: kib(bytes),
      baseline: kib(total),
      ratio: fixed(bytes / total, 2),
      target: ""
    }))
  ]
}
