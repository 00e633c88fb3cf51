// The API reference in docs/api/, generated from the packages' JSDoc by typedoc
// (with typedoc-plugin-markdown; settings in typedoc.json).
//
//   node scripts/api-docs.mjs           regenerates docs/api/
//   node scripts/api-docs.mjs --check   fails if docs/api/ differs from what the sources generate
//
// `pnpm check` runs the second, so the committed reference never drifts from the code.
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"

const root = new URL("..", import.meta.url).pathname
const committed = join(root, "docs", "api")
const bin = (name) => join(root, "node_modules", ".bin", name)

// Cross-package types resolve through each package's declarations.
execFileSync(bin("tsc"), ["-b", join(root, "tsconfig.build.json")], { cwd: root, stdio: "inherit" })

const generate = (out) => execFileSync(bin("typedoc"), ["--out", out], { cwd: root, stdio: "inherit" })

const files = (dir) =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
      .sort()
    : []

if (process.argv.includes("--check")) {
  const fresh = mkdtempSync(join(tmpdir(), "oomol-api-docs-"))
  try {
    generate(fresh)
    const names = new Set([...files(fresh), ...files(committed)])
    const stale = [...names].filter((name) => {
      const [a, b] = [join(fresh, name), join(committed, name)]
      return !existsSync(a) || !existsSync(b) || !readFileSync(a).equals(readFileSync(b))
    })
    if (stale.length > 0) {
      console.error(`docs/api is out of date with the sources' JSDoc (${stale.join(", ")}).`)
      console.error("Regenerate it with `npx -y pnpm@12.4.2 docs:api` and commit the result.")
      process.exitCode = 1
    } else {
      console.log(`docs/api: ${names.size} pages, current`)
    }
  } finally {
    rmSync(fresh, { recursive: true, force: true })
  }
} else {
  generate(committed)
  console.log(`docs/api: ${files(committed).length} pages written`)
}
