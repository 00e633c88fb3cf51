/**
 * How the built `oomol-task` fails: exit codes, one readable line on stderr,
 * `--json` error documents, and the API key never shown.
 */
import { Fault } from "@oomol-cloud-task/emulator"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { API_KEY, freePort, json, type Result, runCli, type Setup, setup } from "./binary.js"

let t: Setup

beforeAll(async () => {
  t = await setup()
  t.emulator.defineBlock({ packageName: "@test/fail", fail: "Insufficient balance: top up your account" })
  t.emulator.defineBlock({ packageName: "@test/broken", fail: "division by zero" })
  t.emulator.defineBlock({ packageName: "@test/slow", durations: { running: 600_000 } })
})
afterAll(() => t?.close())

/** The one line a failure prints, checked to be one line with no stack trace or cause dump. */
const oneLine = (out: Result): string => {
  const lines = out.stderr.trim().split("\n")
  expect(lines, out.stderr).toHaveLength(1)
  expect(out.stderr).not.toMatch(/\n\s+at |FiberFailure|Cause|_tag/)
  return lines[0]!
}

describe("usage errors exit 2 and send nothing", () => {
  const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>, RegExp]> = [
    ["an unknown command", ["frobnicate"], /^oomol-task: Unknown subcommand "frobnicate"/],
    ["an unknown flag", ["dashboard", "--frobnicate"], /^oomol-task: Unrecognized flag: --frobnicate\b/],
    ["a missing argument", ["run", "@test/pkg@1.0.0"], /^oomol-task: Missing required argument: block$/],
    ["a package without a version", ["run", "@test/pkg", "main"], /expected <package>@<version>/],
    ["an input without =", ["run", "@test/pkg@1.0.0", "main", "--input", "novalue"], /--input expects key=value/],
    ["a duration that is not one", ["wait", "t", "--timeout", "soon"], /--timeout must be a duration/],
    ["a zero interval", ["wait", "t", "--interval", "0"], /--interval must be a duration above zero/],
    ["an interval of a fraction of a millisecond", ["wait", "t", "--interval", "0.5ms"], /--interval must be a duration above zero, in whole milliseconds, .*not "0\.5ms"$/],
    [
      "a missing input file",
      ["create", "@test/pkg@1.0.0", "main", "--input-file", "/no/such/file.json"],
      /--input-file: "\/no\/such\/file\.json"\. .*does not exist/
    ],
    ["a page size the API refuses", ["list", "--size", "500"], /^oomol-task: size must be an integer between 1 and 100$/],
    ["a status that does not exist", ["list", "--status", "sleeping"], /--status: "sleeping"\. Expected: "queued" \| "scheduling"/],
    ["a task ID the API refuses", ["get", ".."], /^oomol-task: taskID must be a non-empty string/],
    ["an empty workload ID", ["latest", "a,,b"], /^oomol-task: workloadIDs must not contain empty items$/],
    ["a base URL that is not http", ["dashboard", "--base-url", "ftp://example.com"], /^oomol-task: baseUrl must be an http/],
    ["a file to upload that does not exist", ["upload", "/no/such/file.bin"], /<file>: "\/no\/such\/file\.bin"\. .*does not exist/],
    ["an empty --api-key=", ["dashboard", "--api-key="], /^oomol-task: --api-key is empty: give a value, or leave the flag out to use OOMOL_API_KEY$/],
    ["a blank --api-key", ["dashboard", "--api-key", "  "], /^oomol-task: --api-key is empty/],
    ["an empty --base-url=", ["dashboard", "--base-url="], /^oomol-task: --base-url is empty: .*OOMOL_BASE_URL$/],
    ["an empty --upload-base-url=", ["dashboard", "--upload-base-url="], /^oomol-task: --upload-base-url is empty/],
    ["an emulator port above 65535", ["emulator", "--port", "70000"], /^oomol-task: --port must be a port number from 0 to 65535 \(0: any free port\), not 70000$/],
    ["a negative emulator port", ["emulator", "--port=-1"], /^oomol-task: --port must be a port number from 0 to 65535/],
    ["an empty filter of list", ["list", "--workload-id="], /^oomol-task: --workload-id is empty: give a value, or leave the flag out for no such filter$/],
    ["an empty --next-token", ["list", "--next-token", ""], /^oomol-task: --next-token is empty/],
    ["--wizard without a terminal", ["--wizard"], /^oomol-task: --wizard asks its questions on a terminal \(stdin and stdout\), and there is none/],
    ["--wizard for a command, without a terminal", ["run", "--wizard"], /^oomol-task: --wizard asks its questions on a terminal/]
  ]
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const before = t.emulator.requests()
      const out = await t.cli(args)
      expect(out.code, out.stderr).toBe(2)
      expect(out.stderr.trim()).toMatch(message)
      expect(out.stdout).toBe("")
      expect(t.emulator.requests()).toBe(before)
    })
  }

  it("a PORT out of range for the emulator", async () => {
    for (const port of ["65536", "-5", "80x"]) {
      const out = await runCli(["emulator"], { PORT: port })
      expect(out.code, out.stderr).toBe(2)
      expect(oneLine(out)).toBe(`oomol-task: PORT must be a port number from 0 to 65535 (0: any free port), not "${port}"`)
      expect(out.stdout).toBe("")
    }
  })

  it("an input file that is not a JSON object", async () => {
    for (const [name, text] of [["list.json", "[1,2]"], ["bad.json", "{not json"]] as const) {
      const file = join(t.dir, name)
      writeFileSync(file, text)
      const out = await t.cli(["create", "@test/pkg@1.0.0", "main", "--input-file", file])
      expect(out.code, out.stderr).toBe(2)
    }
  })

  it("no command at all prints the help, listing every command, and exits 2", async () => {
    const out = await t.cli([])
    expect(out.code).toBe(2)
    const commands = out.stdout.slice(out.stdout.indexOf("SUBCOMMANDS"))
    expect(commands).toMatch(/^SUBCOMMANDS\n/)
    for (
      const name of ["run", "create", "wait", "result", "get", "logs", "list", "latest", "dashboard", "pause", "resume", "upload", "emulator"]
    ) {
      expect(commands).toMatch(new RegExp(`^ +${name} `, "m"))
    }
  })

  it("--help and --version exit 0", async () => {
    const help = await t.cli(["run", "--help"])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("--input")
    const version = await t.cli(["--version"])
    expect(version.code).toBe(0)
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
  })

  it("with --json, an InvalidInput is also an error document on stdout", async () => {
    const out = await t.cli(["list", "--size", "0", "--json"])
    expect(out.code).toBe(2)
    expect(json(out.stdout)).toEqual({ error: { type: "InvalidInput", message: "size must be an integer between 1 and 100" } })
  })
})

describe("a task that fails or times out exits 1", () => {
  it("a failed task: the progress ends \"failed\", then its reason, and the quota code when it is about quota", async () => {
    const out = await t.cli(["run", "@test/fail@1.0.0", "main", "--interval", "50ms"])
    expect(out.code).toBe(1)
    const lines = out.stderr.trim().split("\n")
    expect(lines.at(-2)).toMatch(/^task \S+: failed \(/)
    expect(lines.at(-1)).toMatch(
      /^oomol-task: task \S+ failed: Insufficient balance: top up your account \(INSUFFICIENT_QUOTA\)$/
    )
    expect(out.stderr).not.toMatch(/\n\s+at /)
    expect(out.stdout).toBe("")
  })

  it("a failed task with --json: an error document with the task, reason and code", async () => {
    const out = await t.cli(["run", "@test/fail@1.0.0", "main", "--interval", "50ms", "--json", "--quiet"])
    expect(out.code).toBe(1)
    const { error } = json(out.stdout)
    expect(error).toMatchObject({
      type: "TaskFailed",
      taskID: expect.any(String),
      reason: "Insufficient balance: top up your account",
      code: "INSUFFICIENT_QUOTA",
      statusCode: 402
    })
  })

  it("wait on a task that failed", async () => {
    const id = (await t.cli(["create", "@test/broken@1.0.0", "main"])).stdout.trim()
    const out = await t.cli(["wait", id, "--interval", "50ms", "--quiet"])
    expect(out.code).toBe(1)
    expect(oneLine(out)).toBe(`oomol-task: task ${id} failed: division by zero`)
  })

  it("--timeout: the wait gives up, saying after the time given, and how to wait again", async () => {
    const out = await t.cli(["run", "@test/slow@1.0.0", "main", "--timeout", "300ms", "--interval", "50ms", "--quiet"])
    expect(out.code).toBe(1)
    const id = /^oomol-task: task (\S+) /.exec(oneLine(out))![1]!
    expect(oneLine(out)).toBe(
      `oomol-task: task ${id} did not end within 300ms (--timeout). It goes on running on the service; wait for it again with: oomol-task wait ${id}`
    )
  })

  it("--timeout in seconds and minutes is told as given", async () => {
    const id = (await t.cli(["create", "@test/slow@1.0.0", "main"])).stdout.trim()
    const seconds = await t.cli(["wait", id, "--timeout", "1s", "--interval", "100ms", "--quiet"])
    expect(seconds.code).toBe(1)
    expect(oneLine(seconds)).toContain(`task ${id} did not end within 1s (--timeout)`)
    const doc = await t.cli(["wait", id, "--timeout", "1.5s", "--interval", "100ms", "--quiet", "--json"])
    expect(json(doc.stdout).error).toMatchObject({ type: "PollTimeout", taskID: id, resume: `oomol-task wait ${id}` })
    expect(json(doc.stdout).error.message).toContain("did not end within 1s 500ms (--timeout)")
  })
})

describe("auth, network and service failures exit 3", () => {
  it("no API key: 401, with a hint about the key", async () => {
    const out = await runCli(["dashboard"], { OOMOL_BASE_URL: t.emulator.url })
    expect(out.code).toBe(3)
    expect(oneLine(out)).toMatch(/HTTP 401\): check the API key \(--api-key or OOMOL_API_KEY\)$/)
  })

  it("a 403 from the service", async () => {
    t.emulator.fault("dashboard", Fault.status(403, { body: { message: "Forbidden" } }))
    const out = await t.cli(["dashboard"])
    expect(out.code).toBe(3)
    expect(oneLine(out)).toBe("oomol-task: Forbidden (HTTP 403): check the API key (--api-key or OOMOL_API_KEY)")
  })

  it("a host nobody listens on, for a single request and for a wait", async () => {
    const url = `http://127.0.0.1:${await freePort()}`
    for (const args of [["dashboard"], ["wait", "some-task"]]) {
      const out = await runCli([...args, "--base-url", url, "--api-key", API_KEY])
      expect(out.code, out.stderr).toBe(3)
      expect(oneLine(out)).toMatch(/failed: .*ECONNREFUSED.*check --base-url or OOMOL_BASE_URL/)
    }
  })

  it("an unknown task: 404 from get, result and wait", async () => {
    for (const command of ["get", "result", "wait"]) {
      const out = await t.cli([command, "no-such-task"])
      expect(out.code, out.stderr).toBe(3)
      expect(oneLine(out)).toMatch(/404/)
    }
  })

  it("a 5xx that outlasts the retries", async () => {
    t.emulator.fault("dashboard", Fault.sticky(Fault.status(503)))
    try {
      const before = t.emulator.requests("dashboard")
      const out = await t.cli(["dashboard", "--json"])
      expect(out.code).toBe(3)
      expect(t.emulator.requests("dashboard") - before).toBe(4)
      expect(json(out.stdout).error).toMatchObject({ type: "ApiError", status: 503 })
    } finally {
      t.emulator.clearFaults("dashboard")
    }
  })

  it("a creation whose answer was lost: the task may exist, and it is not sent twice", async () => {
    t.emulator.fault("createTask", Fault.drop({ afterProcessing: true }))
    const before = t.emulator.createdTasks()
    const out = await t.cli(["create", "@test/pkg@1.0.0", "main"])
    expect(out.code).toBe(3)
    expect(oneLine(out)).toMatch(/may have been created/)
    expect(t.emulator.createdTasks()).toBe(before + 1)
  })
})

describe("the API key is never shown", () => {
  it("not with --verbose, not in an error, not in --json", async () => {
    t.emulator.fault("getTask", Fault.status(500, { body: { message: "boom" } }))
    const secret = "sk-very-secret-value-123"
    const outs = await Promise.all([
      t.cli(["dashboard", "--verbose", "--api-key", secret]),
      t.cli(["get", "x", "--verbose", "--json", "--api-key", secret]),
      t.cli(["dashboard", "--verbose"], { OOMOL_API_KEY: secret })
    ])
    for (const out of outs) {
      expect(out.stdout + out.stderr).not.toContain(secret)
      expect(out.stderr).toMatch(/API key set \(hidden\)/)
      expect(out.stderr).toMatch(/→ GET http:\/\/127\.0\.0\.1:\d+\/v3\/users\/me\//)
    }
  })

  it("--verbose adds the full cause after the one line", async () => {
    const out = await t.cli(["get", "no-such-task", "--verbose"])
    expect(out.code).toBe(3)
    const lines = out.stderr.split("\n")
    const index = lines.findIndex((l) => l.startsWith("oomol-task: "))
    expect(index).toBeGreaterThan(-1)
    expect(lines.slice(index + 1).join("\n")).toContain("ApiError")
  })
})
