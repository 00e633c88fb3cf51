/**
 * `oomol-task emulator`: the emulator in the CLI's own process, until Ctrl-C.
 */
import { describe, expect, it } from "@effect/vitest"
import { once } from "node:events"
import { createInterface } from "node:readline"
import { ensureBuilt, freePort, runCli, startCli } from "./binary.js"

describe("emulator", () => {
  it("prints its URLs, serves every command, and stops on Ctrl-C", async () => {
    await ensureBuilt()
    const port = await freePort()
    const child = startCli(["emulator", "--port", String(port)])
    try {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
      const url = `http://127.0.0.1:${port}`
      expect(String((await lines.next()).value)).toBe(`Emulator listening on ${url}`)
      expect(String((await lines.next()).value)).toBe(`Upload API base URL ${url}/api/tasks/files/remote-cache`)

      const env = { OOMOL_BASE_URL: url, OOMOL_API_KEY: "k" }
      const run = await runCli(["run", "@test/pkg@1.0.0", "main", "--input", "a=1", "--interval", "50ms", "--json"], env)
      expect(run.code, run.stderr).toBe(0)
      expect(JSON.parse(run.stdout).result.resultData).toEqual([{ a: 1 }])
    } finally {
      child.kill("SIGINT")
    }
    const [code] = await once(child, "close")
    expect(code).toBe(130)
    // The port is free again.
    const after = await runCli(["dashboard"], { OOMOL_BASE_URL: `http://127.0.0.1:${port}`, OOMOL_API_KEY: "k" })
    expect(after.code).toBe(3)
  })

  it("--json prints its URLs as one document", async () => {
    await ensureBuilt()
    const child = startCli(["emulator", "--json"])
    try {
      let text = ""
      for await (const chunk of child.stdout.setEncoding("utf8")) {
        text += chunk
        if (text.trimEnd().endsWith("}")) break
      }
      const doc = JSON.parse(text)
      expect(doc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(doc.uploadBaseUrl).toBe(`${doc.url}/api/tasks/files/remote-cache`)
    } finally {
      child.kill("SIGINT")
    }
    await once(child, "close")
  })

  it("a port in use: one line, exit 2", async () => {
    await ensureBuilt()
    const { createServer } = await import("node:net")
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    try {
      const port = (server.address() as { port: number }).port
      const out = await runCli(["emulator", "--port", String(port)])
      expect(out.code).toBe(2)
      expect(out.stderr.trim()).toMatch(/^oomol-task: the emulator could not start: .*EADDRINUSE/)
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})
