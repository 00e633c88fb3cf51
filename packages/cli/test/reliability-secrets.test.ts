/**
 * The API key given with `--api-key` (or `OOMOL_API_KEY`) never shows in the
 * built CLI's output, on any error path, even with `--verbose` (which prints
 * every request and the full cause of a failure) and with `--json`.
 */
import { type Block, Fault, type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ensureBuilt, envFor, freePort, type Result, runCli } from "./binary.js"

const SECRET = "sk-live-SECRET-3f9a"

const blocks: ReadonlyArray<Block.BlockBehavior> = [
  { packageName: "@test/fail", fail: "Insufficient balance", durations: { queued: 0, running: 0 } },
  { packageName: "@test/slow", durations: { running: 600_000 } }
]

let dir: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "oomol-cli-secrets-"))
  await ensureBuilt()
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const withKey = (args: ReadonlyArray<string>) => [...args, "--verbose", "--api-key", SECRET]

const expectNoKey = (out: Result) => {
  expect(out.stdout + out.stderr).not.toContain(SECRET)
  // The run did happen: it said so on stderr.
  expect(out.stderr).toMatch(/API key set \(hidden\)/)
}

describe("the API key never shows, with --verbose", () => {
  // One case per kind of error the CLI reports, each on its own emulator, side by side.
  it("on the path of every kind of error", async () => {
    const file = join(dir, "data.bin")
    writeFileSync(file, new Uint8Array(64))
    type Case = readonly [string, (emulator: RunningEmulator) => void, ReadonlyArray<string>, number]
    const cases: ReadonlyArray<Case> = [
      ["ApiError: a key the service refuses", () => {}, ["dashboard"], 3],
      ["MalformedResponse: a body that breaks the schema", (e) => e.fault("dashboard", Fault.schemaBreak()), ["dashboard", "--json"], 3],
      [
        "TaskMayExist: a creation whose answer was lost",
        (e) => e.fault("createTask", Fault.drop({ afterProcessing: true })),
        ["create", "@test/p@1.0.0", "main"],
        3
      ],
      ["TaskFailed", () => {}, ["run", "@test/fail@1.0.0", "main", "--interval", "50ms"], 1],
      ["PollTimeout", () => {}, ["run", "@test/slow@1.0.0", "main", "--timeout", "300ms", "--interval", "100ms", "--json"], 1],
      ["UploadError", (e) => e.fault("uploadInit", Fault.status(403)), ["upload", file], 3],
      ["InvalidInput", () => {}, ["list", "--size", "500"], 2]
    ]
    // NetworkError: a connection never made (tried again, so it runs alongside the others).
    const refused = freePort().then((port) => runCli(withKey(["get", "t", "--base-url", `http://127.0.0.1:${port}`])))
    const outs = await Promise.all(cases.map(async ([name, arrange, args, code]) => {
      const emulator = await startEmulator({ apiKey: name.startsWith("ApiError") ? "someone-else" : SECRET, blocks })
      try {
        arrange(emulator)
        const out = await runCli(withKey(args), envFor(emulator))
        expect(out.code, `${name}: ${out.stderr}`).toBe(code)
        return out
      } finally {
        await emulator.close()
      }
    }))
    outs.push(await refused)
    expect(outs.at(-1)!.code).toBe(3)
    expect(outs.at(-1)!.stderr).toMatch(/ECONNREFUSED/)
    outs.forEach(expectNoKey)
    // --verbose printed the requests and the causes it promised.
    expect(outs.some((out) => /→ GET http/.test(out.stderr))).toBe(true)
  }, 60_000)

  it("from the environment too", async () => {
    const emulator = await startEmulator()
    try {
      emulator.fault("dashboard", Fault.status(400))
      const out = await runCli(["dashboard", "--verbose", "--json"], { ...envFor(emulator), OOMOL_API_KEY: SECRET })
      expect(out.code).toBe(3)
      expectNoKey(out)
    } finally {
      await emulator.close()
    }
  })
})
