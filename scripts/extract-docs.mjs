// Copies every ```ts block of README.md, docs/*.md and each package's README.md
// into docs/.extracted/, so that `pnpm check` type-checks what the docs show. A
// block must be a whole module: its imports included.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"

const root = new URL("..", import.meta.url).pathname
const out = join(root, "docs", ".extracted")
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

const sources = [
  "README.md",
  ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => join("docs", f)),
  ...readdirSync(join(root, "packages")).map((p) => join("packages", p, "README.md")).filter((f) => existsSync(join(root, f)))
]
let count = 0
for (const source of sources) {
  const text = readFileSync(join(root, source), "utf8")
  const blocks = [...text.matchAll(/^```(?:ts|typescript)\s*\n([\s\S]*?)^```/gm)]
  blocks.forEach((match, i) => {
    const line = text.slice(0, match.index).split("\n").length
    const name = `${source.replace(/\.md$/, "").replaceAll("/", "-")}-${String(i + 1).padStart(2, "0")}.ts`
    // `export {}` keeps every block its own module, even one without imports.
    writeFileSync(join(out, name), `// ${source}:${line + 1}\n${match[1]}\nexport {}\n`)
    count++
  })
}
console.log(`docs: ${count} TypeScript blocks extracted from ${sources.length} files`)
