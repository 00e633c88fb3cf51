import { defineConfig } from "vitest/config"

export default defineConfig({
  // Workspace packages resolve to their sources, so tests need no build.
  resolve: { conditions: ["@oomol-cloud-task/source", "module", "node", "import", "default"] },
  ssr: { resolve: { conditions: ["@oomol-cloud-task/source", "node", "import", "default"] } },
  test: {
    // test/: the packed packages in a fresh project (the consumer smoke test).
    include: ["packages/*/test/**/*.test.ts", "test/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
