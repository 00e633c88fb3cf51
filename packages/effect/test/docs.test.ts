/**
 * The testing recipe of docs/emulator.md runs here, as written: the guide shows
 * docs/examples/effect-testing.ts whole, and this suite imports that file, so
 * its tests run with the others (docs/tsconfig.json type-checks it).
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"

const example = fileURLToPath(new URL("../../../docs/examples/effect-testing.ts", import.meta.url))

describe("docs/emulator.md's testing recipe", () => {
  it("shows docs/examples/effect-testing.ts as it is", () => {
    const guide = readFileSync(fileURLToPath(new URL("../../../docs/emulator.md", import.meta.url)), "utf8")
    const blocks = [...guide.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1])
    expect(blocks).toContain(readFileSync(example, "utf8"))
  })
})

// Its tests, registered in this file.
await import(pathToFileURL(example).href)
