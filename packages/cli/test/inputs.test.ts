/**
 * No input is silently changed: what `--input` and `--input-file` say is
 * what the built `oomol-task` sends, checked on the wire with a server of our
 * own that records the body of each creation.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ensureBuilt, runCli } from "./binary.js"

let server: Server
let url: string
let dir: string
const bodies: Array<string> = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "oomol-cli-inputs-"))
  server = createServer((request, response) => {
    let body = ""
    request.setEncoding("utf8").on("data", (chunk: string) => (body += chunk)).on("end", () => {
      bodies.push(body)
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ taskID: "t-1" }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  await ensureBuilt()
})
afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()))
  rmSync(dir, { recursive: true, force: true })
})

/** `create` against the server; the body it received. */
const sent = async (args: ReadonlyArray<string>): Promise<string> => {
  const before = bodies.length
  const out = await runCli(["create", "@test/pkg@1.0.0", "main", ...args, "--base-url", url, "--api-key", "k"])
  expect(out.code, out.stderr).toBe(0)
  expect(bodies).toHaveLength(before + 1)
  return bodies.at(-1)!
}

describe("numbers reach the wire as they were written", () => {
  it("--input: integers beyond 2^53 and decimals beyond a double, at any depth", async () => {
    const body = await sent([
      "--input",
      "big=9007199254740993",
      "--input",
      "negative=-123456789012345678901234567890",
      "--input",
      "fine=0.30000000000000000001",
      "--input",
      "nested={\"ids\":[18446744073709551615,1]}",
      "--input",
      "small=42"
    ])
    expect(body).toContain("\"big\":9007199254740993")
    expect(body).toContain("\"negative\":-123456789012345678901234567890")
    expect(body).toContain("\"fine\":0.30000000000000000001")
    expect(body).toContain("\"nested\":{\"ids\":[18446744073709551615,1]}")
    expect(body).toContain("\"small\":42")
  })

  it("--input-file: the same, and --input still overrides its keys", async () => {
    const file = join(dir, "inputs.json")
    writeFileSync(file, "{ \"id\": 12345678901234567890, \"deep\": { \"list\": [9007199254740993.5] }, \"over\": 1 }")
    const body = await sent(["--input-file", file, "--input", "over=9007199254740995"])
    expect(JSON.parse(body).inputValues).toHaveProperty("deep")
    expect(body).toContain("\"id\":12345678901234567890")
    expect(body).toContain("\"list\":[9007199254740993.5]")
    expect(body).toContain("\"over\":9007199254740995")
  })

  it("a key named __proto__ is sent like any other", async () => {
    const body = await sent(["--input", "__proto__={\"polluted\":true}", "--input", "n=1"])
    expect(body).toContain("\"inputValues\":{\"__proto__\":{\"polluted\":true},\"n\":1}")
  })

  it("numbers a double holds are sent as numbers", async () => {
    const body = JSON.parse(await sent(["--input", "n=3", "--input", "x=1.5e3", "--input", "o={\"a\":[0.1,-2]}"]))
    expect(body.inputValues).toEqual({ n: 3, x: 1500, o: { a: [0.1, -2] } })
  })
})

describe("a number beyond any double is refused, naming where it is, and nothing is sent", () => {
  const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>, RegExp]> = [
    ["--input", ["--input", "huge=1e400"], /^oomol-task: --input huge: 1e400 is beyond the range of a JSON number$/],
    ["--input, nested", ["--input", "o={\"a\":[1,-1e999]}"], /^oomol-task: --input o\.a\[1\]: -1e999 is beyond the range/]
  ]
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const before = bodies.length
      const out = await runCli(["create", "@test/pkg@1.0.0", "main", ...args, "--base-url", url, "--api-key", "k"])
      expect(out.code).toBe(2)
      expect(out.stderr.trim()).toMatch(message)
      expect(bodies).toHaveLength(before)
    })
  }

  it("--input-file", async () => {
    const file = join(dir, "huge.json")
    writeFileSync(file, "{ \"a\": { \"b\": [1e400] } }")
    const before = bodies.length
    const out = await runCli(["create", "@test/pkg@1.0.0", "main", "--input-file", file, "--base-url", url, "--api-key", "k"])
    expect(out.code).toBe(2)
    expect(out.stderr.trim()).toBe("oomol-task: --input-file: a.b[0]: 1e400 is beyond the range of a JSON number")
    expect(bodies).toHaveLength(before)
  })
})
