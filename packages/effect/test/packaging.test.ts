/**
 * What a user installs. The Effect client and the emulator take `effect` and
 * the platform packages as peers, so an app has one copy of each; every
 * `npm install` line of the docs names the versions it needs, so it installs
 * without a peer conflict next to whatever the app has. (The packed packages
 * are installed for real, next to `effect@latest`, in test/packed.test.ts.)
 */
import { describe, expect, it } from "@effect/vitest"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const ts = createRequire(import.meta.url)("typescript") as typeof import("typescript")
const root = fileURLToPath(new URL("../../../", import.meta.url))

interface Manifest {
  readonly name: string
  readonly dependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
  readonly peerDependenciesMeta?: Record<string, { readonly optional?: boolean }>
}
const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))
const packages = readdirSync(join(root, "packages")).map((name) => join(root, "packages", name))
  .filter((dir) => existsSync(join(dir, "package.json")))
const ours = new Map(packages.map((dir) => [manifest(dir).name, manifest(dir)]))

const requiredPeers = (m: Manifest): Record<string, string> =>
  Object.fromEntries(Object.entries(m.peerDependencies ?? {}).filter(([name]) => m.peerDependenciesMeta?.[name]?.optional !== true))

/** The packages a package's sources import (a scoped name whole, no subpath, no `node:` built-in). */
const importedBy = (dir: string): ReadonlySet<string> => {
  const names = new Set<string>()
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith(".ts")) {
        for (const { fileName } of ts.preProcessFile(readFileSync(path, "utf8"), true, true).importedFiles) {
          if (fileName.startsWith(".") || fileName.startsWith("node:")) continue
          const parts = fileName.split("/")
          names.add(fileName.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!)
        }
      }
    }
  }
  walk(join(dir, "src"))
  return names
}

describe("peers", () => {
  for (const name of ["@oomol-cloud-task/effect", "@oomol-cloud-task/emulator"]) {
    it(`${name} takes every package it imports, but its own workspace siblings, as a peer`, () => {
      const dir = packages.find((d) => manifest(d).name === name)!
      const m = manifest(dir)
      const thirdParty = [...importedBy(dir)].filter((imported) => !ours.has(imported))
      expect(thirdParty).toContain("effect")
      expect(thirdParty.filter((imported) => m.peerDependencies?.[imported] === undefined)).toEqual([])
      expect(Object.keys(m.dependencies ?? {}).filter((dep) => !ours.has(dep))).toEqual([])
    })
  }

  it("the emulator's platform is a peer: @effect/platform-node", () => {
    expect(requiredPeers(ours.get("@oomol-cloud-task/emulator")!)).toMatchObject({ effect: expect.any(String), "@effect/platform-node": expect.any(String) })
  })
})

const docs = [
  "README.md",
  ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => join("docs", f)),
  ...packages.map((dir) => join(dir.slice(root.length), "README.md")).filter((f) => existsSync(join(root, f)))
]

/**
 * Every `npm install …` of the docs (in a shell block or inline code), up to a
 * comment or the code's end, with the packages it names. The commands of one
 * shell block are pasted together, so a peer named by one serves them all.
 */
const installLines = docs.flatMap((file) => {
  const text = readFileSync(join(root, file), "utf8")
  const commands = (chunk: string) =>
    [...chunk.matchAll(/npm install ([^`\n#]*)/g)].map((match) => ({
      file,
      line: match[0].trim(),
      specs: match[1]!.replace(/<[^>]*>/g, "VERSION").trim().split(/\s+/).filter((word) => word !== "" && !word.startsWith("-"))
    }))
  return text.split(/^```/m).flatMap((chunk, i) => {
    // Odd chunks are fenced blocks; each inline command outside them stands alone.
    if (i % 2 === 0) return commands(chunk).map((command) => ({ ...command, together: command.specs }))
    const block = commands(chunk)
    const together = block.flatMap((command) => command.specs)
    return block.map((command) => ({ ...command, together }))
  })
})

const parse = (spec: string) => {
  const at = spec.indexOf("@", 1)
  return at === -1 ? { name: spec, range: undefined } : { name: spec.slice(0, at), range: spec.slice(at + 1) }
}

/** A package's manifest as installed here, when it is. */
const installed = (name: string): Manifest | undefined => {
  const path = join(root, "node_modules", name, "package.json")
  return existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : undefined
}

describe("install lines in the docs", () => {
  it("there are some, in the guides and the READMEs", () => {
    expect(installLines.map((l) => l.file)).toEqual(expect.arrayContaining(["docs/effect.md", "docs/emulator.md", "packages/effect/README.md"]))
  })

  it("name a version for every package not of this repository", () => {
    const unversioned = installLines.flatMap(({ file, line, specs }) =>
      specs.map(parse).filter(({ name, range }) => !ours.has(name) && range === undefined).map(({ name }) => `${file}: ${name} in "${line}"`)
    )
    expect(unversioned).toEqual([])
  })

  it("name each peer a package on the line needs, at the range it asks for", () => {
    const missing = installLines.flatMap(({ file, line, specs, together }) => {
      const named = new Map(together.map(parse).map(({ name, range }) => [name, range]))
      return specs.map((spec) => parse(spec).name).flatMap((name) => {
        const m = ours.get(name) ?? installed(name)
        if (m === undefined) return []
        // Ours: every required peer. Another package's: the Effect and test-runner peers, which an app has its own copy of.
        const peers = Object.entries(requiredPeers(m)).filter(([peer]) => ours.has(name) || peer === "effect" || peer === "vitest")
        return peers
          .filter(([peer, range]) => !named.has(peer) || (ours.has(name) && named.get(peer) !== range))
          .map(([peer, range]) => `${file}: "${line}" needs ${peer}@${range} for ${name}`)
      })
    })
    expect(missing).toEqual([])
  })
})
