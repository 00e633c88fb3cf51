/**
 * Every output of the built `oomol-task` is written or its failure reported:
 * a reader that closes the pipe (`| head`) ends the command quietly, a full
 * disk (`> /dev/full`) is an exit code and a message, and stderr failing never
 * loses the result on stdout. Escape codes only reach a terminal.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { json, runInTerminal, runShell, type Setup, setup, shellQuote } from "./binary.js"

let t: Setup

beforeAll(async () => {
  t = await setup()
  t.emulator.defineBlock({ packageName: "@test/chatty", durations: { running: 200 }, logs: 5000 })
  t.emulator.defineBlock({ packageName: "@test/endless", durations: { running: 600_000 }, logs: 20_000 })
  t.emulator.defineBlock({ packageName: "@test/steps", durations: { running: 400 }, progress: [20, 60] })
  t.emulator.defineBlock({ packageName: "@test/fail", fail: "no luck" })
})
afterAll(() => t?.close())

const fast = ["--interval", "50ms"]

const created = async (pkg: string) => {
  const out = await t.cli(["create", `${pkg}@1.0.0`, "main"])
  expect(out.code, out.stderr).toBe(0)
  return out.stdout.trim()
}

const words = (args: ReadonlyArray<string>) => args.map(shellQuote).join(" ")

/** Runs `oomol-task <args> | <reader>`: the reader's output, the CLI's stderr and its exit status. */
const piped = async (args: ReadonlyArray<string>, reader: string) => {
  const out = await runShell(
    `{ "$NODE" "$CLI" ${words(args)} 2>&3 | ${reader}; echo "exit=\${PIPESTATUS[0]}"; } 3>&2`,
    t.env
  )
  const lines = out.stdout.trimEnd().split("\n")
  return { shown: lines.slice(0, -1), exit: Number(/^exit=(\d+)$/.exec(lines.at(-1)!)![1]), stderr: out.stderr }
}

/** Runs `oomol-task <args>` with the shell redirections `redirect`. */
const redirected = (args: ReadonlyArray<string>, redirect: string) =>
  runShell(`"$NODE" "$CLI" ${words(args)} ${redirect}`, t.env)

describe("a reader that closes the pipe ends the command quietly (exit 141, as SIGPIPE)", () => {
  it("logs | head -2", async () => {
    const id = await created("@test/chatty")
    expect((await t.cli(["wait", id, "--quiet", ...fast])).code).toBe(0)
    const out = await piped(["logs", id], "head -2")
    expect(out.shown).toEqual([
      "[BlockLog] @test/chatty/blocks/main: log line 1 of 5000",
      "[BlockLog] @test/chatty/blocks/main: log line 2 of 5000"
    ])
    expect(out.stderr).toBe("")
    expect(out.exit).toBe(141)
  })

  it("logs --follow | head -1, while the task goes on running", async () => {
    const id = await created("@test/endless")
    const out = await piped(["logs", id, "--follow", ...fast], "head -1")
    expect(out.shown).toHaveLength(1)
    expect(out.shown[0]).toMatch(/^\[BlockLog\] @test\/endless\/blocks\/main: log line 1 of 20000$/)
    expect(out.stderr).toBe("")
    expect(out.exit).toBe(141)
  })

  it("list --all | head -1: the header, and no error", async () => {
    const out = await piped(["list", "--all", "--size", "5"], "head -1")
    expect(out.shown[0]).toMatch(/^TASK ID +STATUS/)
    expect(out.stderr).toBe("")
    expect([0, 141]).toContain(out.exit)
  })

  it("--help | head -1", async () => {
    const out = await piped(["--help"], "head -1")
    expect(out.shown).toEqual(["DESCRIPTION"])
    expect(out.stderr).toBe("")
    expect([0, 141]).toContain(out.exit)
  })
})

describe("stdout that cannot be written (a full disk) exits 4 with a message", () => {
  const cases: ReadonlyArray<readonly [string, () => Promise<ReadonlyArray<string>>]> = [
    ["a result", async () => ["get", await created("@test/steps"), "--json"]],
    ["a human result", async () => ["dashboard"]],
    ["logs, line by line", async () => ["logs", await created("@test/steps")]],
    ["an error document", async () => ["get", "no-such-task", "--json"]],
    ["the help", async () => ["--help"]],
    ["the version", async () => ["--version"]],
    ["a completion script, written by effect/cli itself", async () => ["--completions", "bash"]]
  ]
  for (const [what, args] of cases) {
    it(what, async () => {
      const out = await redirected(await args(), "> /dev/full")
      expect(out.code, out.stderr).toBe(4)
      expect(out.stderr).toMatch(/^oomol-task: could not write to stdout: .*ENOSPC/m)
      expect(out.stderr).not.toMatch(/\n\s+at /)
    })
  }
})

describe("stderr that cannot be written never loses the result on stdout", () => {
  it("run --json with progress going to a full disk", async () => {
    const out = await redirected(["run", "@test/steps@1.0.0", "main", "--json", ...fast], "2> /dev/full")
    expect(out.code).toBe(0)
    expect(json(out.stdout).result.status).toBe("success")
  })

  it("run, in human output", async () => {
    const out = await redirected(["run", "@test/steps@1.0.0", "main", ...fast], "2> /dev/full")
    expect(out.code).toBe(0)
    expect(out.stdout).toMatch(/^task: +\S+\nstatus: +success\n/)
  })

  it("a failed task still prints its error document and exits 1", async () => {
    const out = await redirected(["run", "@test/fail@1.0.0", "main", "--json", ...fast], "2> /dev/full")
    expect(out.code).toBe(1)
    expect(json(out.stdout).error).toMatchObject({ type: "TaskFailed", reason: "no luck" })
  })

  it("an upload prints its URL", async () => {
    const file = join(t.dir, "small.bin")
    writeFileSync(file, Buffer.alloc(1024, 1))
    const out = await redirected(["upload", file], "2> /dev/full")
    expect(out.code).toBe(0)
    expect(out.stdout.trim()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.+small\.bin$/)
  })
})

describe("escape codes only where a terminal reads them", () => {
  const cli = `"$NODE" "$CLI"`

  it("--help on a terminal is styled as effect/cli draws it", async () => {
    const out = await runInTerminal(`${cli} --help`)
    expect(out.code).toBe(0)
    expect(out.stdout).toContain("\x1b[1mDESCRIPTION\x1b[0m")
  })

  it("--help | cat, and --help > file, are plain text even with stderr on a terminal", async () => {
    const file = join(t.dir, "help.txt")
    const out = await runInTerminal(`${cli} --help | cat; ${cli} --help > '${file}'; cat '${file}'`)
    expect(out.code).toBe(0)
    expect(out.stdout).toContain("DESCRIPTION")
    expect(out.stdout).not.toContain("\x1b")
  })

  it("NO_COLOR is honoured on a terminal", async () => {
    const out = await runInTerminal(`${cli} --help`, { NO_COLOR: "1" })
    expect(out.stdout).toContain("DESCRIPTION")
    expect(out.stdout).not.toContain("\x1b")
  })

  it("the progress bar is drawn on a terminal, and plain lines on a terminal that cannot move the cursor", async () => {
    const run = `${cli} run @test/steps@1.0.0 main --interval 50ms`
    const bar = await runInTerminal(run, t.env)
    expect(bar.code, bar.stdout).toBe(0)
    expect(bar.stdout).toContain("\r\x1b[2K")
    const dumb = await runInTerminal(run, { ...t.env, TERM: "dumb" })
    expect(dumb.code, dumb.stdout).toBe(0)
    expect(dumb.stdout).not.toContain("\x1b")
    expect(dumb.stdout).toMatch(/: success 100% \(/)
  })
})
