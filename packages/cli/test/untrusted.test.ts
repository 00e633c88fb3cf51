/**
 * Text from elsewhere — log lines, block and file names, the service's
 * messages and failure reasons — is shown by the built `oomol-task` with every
 * control character made visible: it cannot clear the screen, set the
 * terminal's title, or break a table's rows. `--json` keeps it exact.
 */
import { Fault } from "@oomol-cloud-task/emulator"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { json, type Result, type Setup, setup } from "./binary.js"

const HOSTILE = "\x1b]0;owned\x07\x1b[2J\x1b[31mred\u009b2J\u202eevil"
// What a terminal does nothing with but show.
const SHOWN = "\\x1b]0;owned\\x07\\x1b[2J\\x1b[31mred\\x9b2J\\u202eevil"

let t: Setup

beforeAll(async () => {
  t = await setup()
  t.emulator.defineBlock({ packageName: "@test/hostile-logs", durations: { running: 100 }, logs: [HOSTILE, "first\nsecond\r\nthird\n"] })
  t.emulator.defineBlock({ packageName: "@test/hostile-fail", fail: `${HOSTILE}\nmore` })
})
afterAll(() => t?.close())

const fast = ["--interval", "50ms"]

/** Nothing a terminal would act on: no ESC, BEL, CR, C1 control or bidi override, in stdout or stderr. */
const expectInert = (out: Result) => {
  expect(out.stdout + out.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/)
}

const finished = async (pkg: string, block = "main") => {
  const out = await t.cli(["create", `${pkg}@1.0.0`, block])
  expect(out.code, out.stderr).toBe(0)
  const id = out.stdout.trim()
  await t.cli(["wait", id, "--quiet", ...fast])
  return id
}

describe("log lines", () => {
  it("are shown with their control characters visible; a text of many lines goes on, indented", async () => {
    const id = await finished("@test/hostile-logs")
    const out = await t.cli(["logs", id])
    expect(out.code, out.stderr).toBe(0)
    expectInert(out)
    const lines = out.stdout.trimEnd().split("\n")
    expect(lines[0]).toBe(`[BlockLog] @test/hostile-logs/blocks/main: ${SHOWN}`)
    expect(lines.slice(1, 4)).toEqual([
      "[BlockLog] @test/hostile-logs/blocks/main: first",
      "  second",
      "  third"
    ])
    // Every entry, and only an entry, starts a line with "[".
    expect(lines.filter((line) => line.startsWith("["))).toHaveLength(json((await t.cli(["logs", id, "--json"])).stdout).length)
  })

  it("--json keeps them exact, every character a terminal acts on written as an escape", async () => {
    const id = await finished("@test/hostile-logs")
    const out = await t.cli(["logs", id, "--json"])
    expectInert(out)
    expect(json(out.stdout)[0].log).toBe(HOSTILE)
  })
})

describe("names and messages from the service", () => {
  it("a block name with a newline keeps list's table one row per task", async () => {
    const name = `evil\nname ${HOSTILE}`
    const id = await finished("@test/pkg", name)
    const out = await t.cli(["list", "--block-name", name])
    expect(out.code, out.stderr).toBe(0)
    expectInert(out)
    const lines = out.stdout.trimEnd().split("\n")
    expect(lines).toHaveLength(2)
    expect(lines[1]).toContain(`${id}  success  `)
    expect(lines[1]).toContain(`evil\\nname ${SHOWN}`)
  })

  it("a failed task's reason, in run, wait, result and get", async () => {
    const run = await t.cli(["run", "@test/hostile-fail@1.0.0", "main", ...fast])
    expect(run.code).toBe(1)
    expectInert(run)
    const id = /^task (\S+): created/m.exec(run.stderr)![1]!
    expect(run.stderr.trimEnd().split("\n").at(-1)).toBe(`oomol-task: task ${id} failed: ${SHOWN}\\nmore`)
    for (const command of ["wait", "result", "get"]) {
      const out = await t.cli([command, id, ...(command === "wait" ? fast : [])])
      expectInert(out)
      expect(out.stdout + out.stderr).toContain(`${SHOWN}\\nmore`)
    }
    expect(json((await t.cli(["result", id, "--json"])).stdout).error).toBe(`${HOSTILE}\nmore`)
  })

  it("an error message of the service: one line, inert", async () => {
    t.emulator.fault("getTask", Fault.status(403, { body: { message: `${HOSTILE}\nsecond line` } }))
    const out = await t.cli(["get", "some-task"])
    expect(out.code).toBe(3)
    expectInert(out)
    expect(out.stderr.trimEnd().split("\n")).toHaveLength(1)
    expect(out.stderr).toContain(`${SHOWN}\\nsecond line`)
  })

  it("a file name in the upload's progress and note", async () => {
    const file = join(t.dir, "\x1b]0;owned\x07report\n.csv")
    writeFileSync(file, "a,b\n1,2\n")
    const out = await t.cli(["upload", file])
    expect(out.code, out.stderr).toBe(0)
    expectInert(out)
    expect(out.stderr).toContain("upload \\x1b]0;owned\\x07report\\n.csv: uploaded 100%")
  })
})
