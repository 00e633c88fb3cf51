/**
 * Ctrl-C (SIGINT) during a wait of the built `oomol-task` ends it (exit 130)
 * and says what goes on without it and the command that takes it up again;
 * with `--json`, stdout is still one JSON document, carrying the task ID.
 */
import { Fault } from "@oomol-cloud-task/emulator"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { json, type Setup, setup, startCli } from "./binary.js"

let t: Setup

beforeAll(async () => {
  t = await setup()
  t.emulator.defineBlock({ packageName: "@test/endless", durations: { running: 600_000 }, logs: 1000 })
})
afterAll(() => t?.close())

/** Starts `oomol-task <args>`, sends SIGINT once stderr matches `ready`, and answers how it ended. */
const interrupted = (args: ReadonlyArray<string>, ready: RegExp) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = startCli(args, t.env)
    let stdout = ""
    let stderr = ""
    let sent = false
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
      if (!sent && ready.test(stderr)) {
        sent = true
        child.kill("SIGINT")
      }
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

const created = async () => {
  const out = await t.cli(["create", "@test/endless@1.0.0", "main"])
  expect(out.code, out.stderr).toBe(0)
  return out.stdout.trim()
}

const lastLine = (text: string) => text.trimEnd().split("\n").at(-1)!

describe("Ctrl-C tells which task goes on and how to take it up again", () => {
  it("run", async () => {
    const out = await interrupted(["run", "@test/endless@1.0.0", "main", "--interval", "50ms"], /: running /)
    expect(out.code).toBe(130)
    const id = /^task (\S+): created/m.exec(out.stderr)![1]!
    expect(lastLine(out.stderr)).toBe(
      `oomol-task: stopped waiting for task ${id}; it goes on running on the service. Wait for it again with: oomol-task wait ${id}`
    )
    expect(out.stdout).toBe("")
  })

  it("run --json: one document on stdout, with the task ID", async () => {
    const out = await interrupted(["run", "@test/endless@1.0.0", "main", "--interval", "50ms", "--json"], /: running /)
    expect(out.code).toBe(130)
    const id = /^task (\S+): created/m.exec(out.stderr)![1]!
    expect(json(out.stdout)).toEqual({
      error: {
        type: "Interrupted",
        taskID: id,
        message: `stopped waiting for task ${id}; it goes on running on the service. Wait for it again with: oomol-task wait ${id}`,
        resume: `oomol-task wait ${id}`
      }
    })
  })

  it("run --quiet still names the task", async () => {
    // Nothing else on stderr with --quiet: --verbose shows the polls, and so when the wait is on.
    const out = await interrupted(["run", "@test/endless@1.0.0", "main", "--interval", "50ms", "--quiet", "--verbose"], /← 200 GET \S+\/result/)
    expect(out.code).toBe(130)
    const id = /← 200 GET \S+\/tasks\/([^/\s]+)\/result/.exec(out.stderr)![1]!
    expect(lastLine(out.stderr)).toBe(
      `oomol-task: stopped waiting for task ${id}; it goes on running on the service. Wait for it again with: oomol-task wait ${id}`
    )
  })

  it("create, and run, before the service answered: the task may exist, and how to look for it", async () => {
    t.emulator.fault("createTask", Fault.sticky(Fault.hang()))
    try {
      for (const command of ["create", "run"]) {
        const out = await interrupted([command, "@test/endless@1.0.0", "main", "--json", "--verbose"], /→ POST /)
        expect(out.code, command).toBe(130)
        const message =
          "interrupted while the task was being created: it may have been created. Look for it before creating it again with: oomol-task list --block-name main"
        expect(lastLine(out.stderr)).toBe(`oomol-task: ${message}`)
        expect(json(out.stdout)).toEqual({
          error: { type: "Interrupted", message, resume: "oomol-task list --block-name main" }
        })
      }
    } finally {
      t.emulator.clearFaults("createTask")
    }
  })

  it("wait, and wait --json", async () => {
    const id = await created()
    const human = await interrupted(["wait", id, "--interval", "50ms"], /: running /)
    expect(human.code).toBe(130)
    expect(lastLine(human.stderr)).toBe(
      `oomol-task: stopped waiting for task ${id}; it goes on running on the service. Wait for it again with: oomol-task wait ${id}`
    )
    const doc = await interrupted(["wait", id, "--interval", "50ms", "--json"], /: running /)
    expect(doc.code).toBe(130)
    expect(json(doc.stdout).error).toMatchObject({ type: "Interrupted", taskID: id, resume: `oomol-task wait ${id}` })
  })

  it("logs --follow", async () => {
    const id = await created()
    const out = await interrupted(["logs", id, "--follow", "--interval", "50ms", "--verbose"], /← 200 GET .*\/logs/)
    expect(out.code).toBe(130)
    expect(lastLine(out.stderr)).toBe(
      `oomol-task: stopped following the logs of task ${id}; follow them again with: oomol-task logs ${id} --follow`
    )
  })

  it("upload: the file is not uploaded, and the command that uploads it", async () => {
    const file = join(t.dir, "big file.bin")
    writeFileSync(file, Buffer.alloc(6 * 1024 * 1024, 3))
    t.emulator.fault("uploadPart", Fault.sticky(Fault.hang()))
    try {
      const out = await interrupted(["upload", file, "--json"], /upload big file\.bin: starting/)
      expect(out.code).toBe(130)
      const message =
        `upload of ${file} interrupted: the file is not uploaded. Upload it again with: oomol-task upload '${file}'`
      expect(lastLine(out.stderr)).toBe(`oomol-task: ${message}`)
      expect(json(out.stdout)).toEqual({ error: { type: "Interrupted", message, resume: `oomol-task upload '${file}'` } })
    } finally {
      t.emulator.clearFaults("uploadPart")
    }
  })
})
