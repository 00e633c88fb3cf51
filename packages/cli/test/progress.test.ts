/**
 * The progress display: the bar on a terminal (under TestClock), plain lines
 * elsewhere, and the built binary's progress when it has no terminal.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { TestClock } from "effect/testing"
import * as Progress from "../src/Progress.js"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { json, type Setup, setup } from "./binary.js"

const recorder = (options: { readonly isTTY?: boolean; readonly columns?: number } = {}) => {
  const writes: Array<string> = []
  return { writes, writer: { ...options, write: (text: string) => writes.push(text) } }
}

describe("formatting", () => {
  it("reads a progress on either scale as a percent", () => {
    expect(Progress.percentOf(42)).toBe(42)
    expect(Progress.percentOf(0.5)).toBe(50)
    expect(Progress.percentOf(0)).toBe(0)
    expect(Progress.percentOf(100)).toBe(100)
    expect(Progress.percentOf(140)).toBe(100)
    expect(Progress.percentOf(-3)).toBe(0)
  })

  it("writes elapsed time as people read it", () => {
    expect(Progress.formatElapsed(400)).toBe("0.4s")
    expect(Progress.formatElapsed(12_049)).toBe("12.0s")
    expect(Progress.formatElapsed(185_000)).toBe("3m05s")
    expect(Progress.formatElapsed(3_720_000)).toBe("1h02m")
  })

  it("a frame never reaches the last column, however narrow the terminal", () => {
    for (const columns of [20, 40, 60, 80, 200]) {
      const frame = Progress.frame("task 0192a5b6-7def-8123-4567-89abcdef0123", { status: "scheduling", percent: 50 }, 1234, columns)
      expect(frame.length).toBeLessThan(columns)
    }
    expect(Progress.frame("task t", { status: "running", percent: 50 }, 1200, 80)).toMatch(
      /^task t {2}running {4}\[█+░+\]  50% {2}1\.2s$/
    )
  })
})

describe("lines mode", () => {
  it.effect("writes a line each time the status or percent changes, never the same twice", () =>
    Effect.gen(function*() {
      const { writer, writes } = recorder()
      const progress = yield* Progress.make({ title: "task t", mode: "lines", writer })
      yield* progress.update({ status: "queued", percent: 0 })
      yield* TestClock.adjust("1 second")
      yield* progress.update({ status: "queued", percent: 0 })
      yield* progress.update({ status: "running", percent: 50 })
      yield* TestClock.adjust("500 millis")
      yield* progress.update({ status: "success", percent: 100 })
      expect(writes).toEqual([
        "task t: queued 0% (0.0s)\n",
        "task t: running 50% (1.0s)\n",
        "task t: success 100% (1.5s)\n"
      ])
    }))

  it.effect("off writes nothing", () =>
    Effect.gen(function*() {
      const { writer, writes } = recorder()
      const progress = yield* Progress.make({ title: "task t", mode: "off", writer })
      yield* progress.update({ status: "running", percent: 50 })
      expect(writes).toEqual([])
    }))

  it("the mode follows the writer: a bar on a terminal, lines elsewhere", () => {
    expect(Progress.modeFor({ write: () => true, isTTY: true }, "xterm-256color")).toBe("bar")
    expect(Progress.modeFor({ write: () => true }, "xterm-256color")).toBe("lines")
  })

  it("a terminal that cannot move its cursor (TERM=dumb) gets lines, not escape codes", () => {
    expect(Progress.modeFor({ write: () => true, isTTY: true }, "dumb")).toBe("lines")
  })

  it("a line shows a title or status from elsewhere inert", () => {
    expect(Progress.line("task \x1b]0;x\x07id\n", { status: "run\rning" }, 0)).toBe("task \\x1b]0;x\\x07id\\n: run\\rning (0.0s)")
  })
})

describe("bar mode", () => {
  it.effect("redraws in place as time passes and on each update, then ends the line when closed", () =>
    Effect.gen(function*() {
      const { writer, writes } = recorder({ isTTY: true, columns: 60 })
      const scope = yield* Scope.make()
      const progress = yield* Scope.provide(
        Progress.make({ title: "task t", mode: "bar", writer, initial: { status: "queued", percent: 0 }, refresh: 100 }),
        scope
      )
      yield* TestClock.adjust("250 millis")
      yield* progress.update({ status: "running", percent: 40 })
      yield* TestClock.adjust("100 millis")
      yield* progress.update({ status: "success", percent: 100 })
      yield* Scope.close(scope, Exit.void)
      const count = writes.length
      yield* TestClock.adjust("1 second")
      expect(writes).toHaveLength(count)

      expect(writes.at(-1)).toBe("\n")
      const frames = writes.slice(0, -1)
      for (const frame of frames) {
        expect(frame.startsWith("\r\x1b[2K")).toBe(true)
        expect(frame.length - 5).toBeLessThan(60)
      }
      // The clock moves between answers: the ticker redraws with the new elapsed time.
      expect(frames.filter((f) => f.includes("queued")).map((f) => / (\d+\.\ds)$/.exec(f)![1])).toEqual([
        "0.0s",
        "0.1s",
        "0.2s"
      ])
      expect(frames.some((f) => f.includes("running") && f.includes("40%"))).toBe(true)
      expect(frames.at(-1)).toMatch(/success .*\[█+\] 100% {2}0\.\ds$/)
    }))
})

describe("a narrow terminal never hides the task ID", () => {
  const title = "task 0192a5b6-7def-8123-4567-89abcdef0123"

  it.effect("a title that leaves no room for a status gets a line of its own, whole, and frames go on without it", () =>
    Effect.gen(function*() {
      const { writer, writes } = recorder({ isTTY: true, columns: 40 })
      const scope = yield* Scope.make()
      const progress = yield* Scope.provide(
        Progress.make({ title, mode: "bar", writer, initial: { status: "queued", percent: 0 }, refresh: 100 }),
        scope
      )
      yield* progress.update({ status: "running", percent: 50 })
      yield* Scope.close(scope, Exit.void)
      expect(writes[0]).toBe(`\r\x1b[2K${title}\n`)
      for (const frame of writes.slice(1, -1)) {
        expect(frame.startsWith("\r\x1b[2K")).toBe(true)
        expect(frame.length - 5).toBeLessThan(40)
        expect(frame).not.toContain("task ")
      }
      expect(writes.slice(1).some((f) => f.includes("running") && f.includes("50%"))).toBe(true)
    }))

  it.effect("on a terminal wide enough, the title stays in the bar, whole", () =>
    Effect.gen(function*() {
      const { writer, writes } = recorder({ isTTY: true, columns: 60 })
      const scope = yield* Scope.make()
      yield* Scope.provide(Progress.make({ title, mode: "bar", writer, initial: { status: "queued" } }), scope)
      yield* Scope.close(scope, Exit.void)
      for (const frame of writes.slice(0, -1)) expect(frame).toContain(title)
    }))
})

describe("the binary without a terminal", () => {
  let t: Setup
  beforeAll(async () => {
    t = await setup()
    t.emulator.defineBlock({ packageName: "@test/steps", durations: { running: 400 }, progress: [20, 60] })
  })
  afterAll(() => t?.close())

  it("writes plain progress lines on stderr, none on stdout", async () => {
    const out = await t.cli(["run", "@test/steps@1.0.0", "main", "--interval", "50ms"])
    expect(out.code, out.stderr).toBe(0)
    expect(out.stderr).not.toMatch(/\r|\x1b/)
    const lines = out.stderr.trim().split("\n")
    const id = /^task (\S+):/.exec(lines[0]!)![1]!
    for (const line of lines) expect(line).toMatch(new RegExp(`^task ${id}: \\w+( \\d+%)? \\(\\d+\\.\\ds\\)$`))
    expect(lines[0]).toMatch(/: created \(/)
    expect(lines.at(-1)).toMatch(/: success 100% \(/)
    expect(lines.some((line) => line.includes("running 60%"))).toBe(true)
    expect(new Set(lines).size).toBe(lines.length)
    expect(out.stdout).not.toContain("%")
  })

  it("--json keeps progress on stderr and stdout one JSON document", async () => {
    const out = await t.cli(["run", "@test/steps@1.0.0", "main", "--interval", "50ms", "--json"])
    expect(out.code, out.stderr).toBe(0)
    expect(json(out.stdout).result.status).toBe("success")
    expect(out.stderr).toMatch(/: success 100% \(/)
  })

  it("--quiet shows no progress", async () => {
    const out = await t.cli(["run", "@test/steps@1.0.0", "main", "--interval", "50ms", "--quiet"])
    expect(out.code, out.stderr).toBe(0)
    expect(out.stderr).toBe("")
  })

  it("an upload shows its progress the same way", async () => {
    const file = join(t.dir, "data.bin")
    writeFileSync(file, Buffer.alloc(11 * 1024 * 1024, 7))
    const out = await t.cli(["upload", file])
    expect(out.code, out.stderr).toBe(0)
    const lines = out.stderr.trim().split("\n").filter((line) => line.startsWith("upload data.bin: "))
    expect(lines[0]).toMatch(/^upload data\.bin: starting 0% \(/)
    expect(lines.at(-1)).toMatch(/^upload data\.bin: uploaded 100% \(/)
    const percents = lines.map((line) => Number(/ (\d+)% /.exec(line)![1]))
    expect([...percents].sort((a, b) => a - b)).toEqual(percents)
  })
})
