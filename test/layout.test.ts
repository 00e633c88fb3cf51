/**
 * The shape of the sources: no module of any package imports itself back
 * through others at run time (an `import type` is erased, so it does not
 * count), and no source module grows past about 300 lines.
 */
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const packages = fileURLToPath(new URL("../packages/", import.meta.url))

const sources = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
    .map((file) => join(dir, file))

// `import x from "./a.js"`, `import "./a.js"`, `export … from "./a.js"`; not `import type`/`export type`.
const runtimeImport = /^(?:import|export)\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?["'](\.{1,2}\/[^"']+)\.js["']/gm

/** The relative modules `file` loads when it runs. */
const importsOf = (file: string): ReadonlyArray<string> =>
  [...readFileSync(file, "utf8").matchAll(runtimeImport)].map((m) => resolve(dirname(file), `${m[1]}.ts`))

/** A cycle of the graph, as a list of files, if there is one. */
const findCycle = (graph: ReadonlyMap<string, ReadonlyArray<string>>): ReadonlyArray<string> | undefined => {
  const state = new Map<string, "open" | "done">()
  const path: Array<string> = []
  const visit = (node: string): ReadonlyArray<string> | undefined => {
    if (state.get(node) === "done") return undefined
    if (state.get(node) === "open") return [...path.slice(path.indexOf(node)), node]
    state.set(node, "open")
    path.push(node)
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next)
      if (cycle !== undefined) return cycle
    }
    path.pop()
    state.set(node, "done")
    return undefined
  }
  for (const node of graph.keys()) {
    const cycle = visit(node)
    if (cycle !== undefined) return cycle
  }
  return undefined
}

describe("the sources", () => {
  for (const name of readdirSync(packages)) {
    const src = join(packages, name, "src")
    const files = sources(src)

    it(`of ${name}: no import cycle at run time`, () => {
      const graph = new Map(files.map((file) => [file, importsOf(file)]))
      // Every import was read: a module no regex saw would hide a cycle.
      expect([...graph.values()].flat().every((target) => graph.has(target))).toBe(true)
      expect(findCycle(graph)?.map((file) => relative(src, file))).toBeUndefined()
    })

    it(`of ${name}: no module over about 300 lines`, () => {
      const long = files
        .map((file) => [relative(src, file), readFileSync(file, "utf8").trimEnd().split("\n").length] as const)
        .filter(([, lines]) => lines > 320)
      expect(long).toEqual([])
    })
  }

  it("a cycle is found when there is one", () => {
    expect(findCycle(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", []]]))).toEqual(["a", "b", "c", "a"])
    expect(findCycle(new Map([["a", ["b"]], ["b", []]]))).toBeUndefined()
  })
})
