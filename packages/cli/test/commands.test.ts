/**
 * Every command of the built `oomol-task`, run as a child process against an
 * emulator, in human and `--json` output.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { json, type Setup, setup } from "./binary.js"

let t: Setup

beforeAll(async () => {
  t = await setup()
})
afterAll(() => t?.close())

const fast = ["--interval", "50ms"]

/** Creates a task of `block` and answers its ID. */
const created = async (block: string, ...args: Array<string>) => {
  const out = await t.cli(["create", "@test/pkg@1.0.0", block, ...args])
  expect(out.code, out.stderr).toBe(0)
  return out.stdout.trim()
}

describe("run", () => {
  it("creates a task with typed inputs, waits for it and prints its result", async () => {
    const before = t.emulator.createdTasks()
    const out = await t.cli(["run", "@test/pkg@1.0.0", "main", "-i", "n=3", "--input", "s=hello", "--input", "o={\"a\":1}", ...fast])
    expect(out.code, out.stderr).toBe(0)
    expect(t.emulator.createdTasks()).toBe(before + 1)
    expect(out.stdout).toMatch(/^task: +\S+\nstatus: +success\nresult data:\n/)
    // The emulator answers the inputs as the result: their JSON types survived the command line.
    const data = JSON.parse(out.stdout.slice(out.stdout.indexOf("[")))
    expect(data).toEqual([{ n: 3, s: "hello", o: { a: 1 } }])
  })

  it("--json prints one document: the task ID and its result", async () => {
    const out = await t.cli(["run", "@test/pkg@1.0.0", "main", "--input", "flag=true", "--json", ...fast])
    expect(out.code, out.stderr).toBe(0)
    const doc = json(out.stdout)
    expect(Object.keys(doc)).toEqual(["taskID", "result"])
    expect(doc.result).toMatchObject({ status: "success", resultData: [{ flag: true }] })
  })

  it("--input-file gives the inputs, and --input overrides its keys", async () => {
    const file = join(t.dir, "inputs.json")
    writeFileSync(file, JSON.stringify({ a: 1, b: "two", nested: { c: [1, 2] } }))
    const out = await t.cli(["run", "@test/pkg@1.0.0", "main", "--input-file", file, "--input", "b=3", "--json", ...fast])
    expect(out.code, out.stderr).toBe(0)
    expect(json(out.stdout).result.resultData).toEqual([{ a: 1, b: 3, nested: { c: [1, 2] } }])
  })

  it("takes --flag=value as well as --flag value", async () => {
    const out = await t.cli(["run", "@test/pkg@1.0.0", "main", "--input=eq=a=b", "--interval=50ms", "--json"])
    expect(out.code, out.stderr).toBe(0)
    expect(json(out.stdout).result.resultData).toEqual([{ eq: "a=b" }])
  })
})

describe("create, wait, result, get", () => {
  it("create prints only the task ID; --json prints { taskID }", async () => {
    const id = await created("main")
    expect(id).toMatch(/^[\w-]+$/)
    const out = await t.cli(["create", "@test/pkg@1.0.0", "main", "--json"])
    expect(out.code, out.stderr).toBe(0)
    expect(Object.keys(json(out.stdout))).toEqual(["taskID"])
  })

  it("wait follows a task to its end and prints its result, as run does", async () => {
    const id = await created("main", "--input", "k=v")
    const human = await t.cli(["wait", id, ...fast])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toContain(`task:   ${id}\nstatus: success`)
    const doc = await t.cli(["wait", id, "--json", ...fast])
    expect(json(doc.stdout)).toEqual({ taskID: id, result: { status: "success", resultURL: null, resultData: [{ k: "v" }] } })
  })

  it("result prints the state now: queued while the queue is paused, then the success", async () => {
    expect((await t.cli(["pause", "--json"])).code).toBe(0)
    const id = await created("main", "--input", "x=1")
    try {
      const queued = await t.cli(["result", id])
      expect(queued.code, queued.stderr).toBe(0)
      expect(queued.stdout).toContain("status:   queued")
      expect(json((await t.cli(["result", id, "--json"])).stdout)).toEqual({ status: "queued", progress: 0 })
    } finally {
      expect((await t.cli(["resume"])).code).toBe(0)
    }
    expect((await t.cli(["wait", id, "--quiet", ...fast])).code).toBe(0)
    const done = await t.cli(["result", id, "--json"])
    expect(json(done.stdout)).toEqual({ status: "success", resultURL: null, resultData: [{ x: 1 }] })
  })

  it("get prints the task's detail as fields, and --json as it came", async () => {
    const id = await created("main")
    await t.cli(["wait", id, "--quiet", ...fast])
    const human = await t.cli(["get", id])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toMatch(new RegExp(`^task: +${id}\\ntype: +user\\nstatus: +success\\nprogress: +100%`))
    expect(human.stdout).toMatch(/created: +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/)
    expect(json((await t.cli(["get", id, "--json"])).stdout)).toMatchObject({ taskID: id, taskType: "user", status: "success" })
  })
})

describe("logs", () => {
  it("prints every entry of an ended task, one a line, and --json as one array", async () => {
    const id = await created("main")
    await t.cli(["wait", id, "--quiet", ...fast])
    const human = await t.cli(["logs", id])
    expect(human.code, human.stderr).toBe(0)
    const lines = human.stdout.trim().split("\n")
    expect(lines[0]).toBe("[BlockLog] @test/pkg/blocks/main: Preparing inputs")
    expect(lines.at(-1)).toBe(`[SessionFinished] ${id}`)
    const entries = json((await t.cli(["logs", id, "--json"])).stdout)
    expect(entries.map((e: { type: string }) => e.type)).toEqual(lines.map((l) => /^\[(\w+)\]/.exec(l)![1]))
  })

  it("--follow reads a running task's logs until it has ended", async () => {
    t.emulator.defineBlock({ packageName: "@test/pkg", blockName: "slow-logs", durations: { running: 600 }, logs: 4 })
    const id = await created("slow-logs")
    const out = await t.cli(["logs", id, "--follow", ...fast])
    expect(out.code, out.stderr).toBe(0)
    const lines = out.stdout.trim().split("\n")
    expect(lines.filter((l) => l.startsWith("[BlockLog]"))).toHaveLength(4)
    expect(lines.at(-1)).toBe(`[SessionFinished] ${id}`)
  })
})

describe("list and latest", () => {
  it("list prints a table of tasks, filtered", async () => {
    const id = await created("listed")
    await t.cli(["wait", id, "--quiet", ...fast])
    const out = await t.cli(["list", "--block-name", "listed", "--status", "success"])
    expect(out.code, out.stderr).toBe(0)
    const [header, ...rows] = out.stdout.trim().split("\n")
    expect(header).toMatch(/^TASK ID +STATUS +PROGRESS +BLOCK +WORKLOAD ID +CREATED$/)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatch(new RegExp(`^${id} +success +100% +listed `))
    expect((await t.cli(["list", "--block-name", "listed", "--status", "failed"])).stdout.trim()).toBe("No tasks.")
  })

  it("list pages with --size and --next-token, and --all follows every page", async () => {
    for (let i = 0; i < 3; i++) await created("paged")
    const first = await t.cli(["list", "--block-name", "paged", "--size", "2", "--json"])
    const page = json(first.stdout)
    expect(page.tasks).toHaveLength(2)
    expect(page.nextToken).toEqual(expect.any(String))
    const human = await t.cli(["list", "--block-name", "paged", "--size", "2"])
    expect(human.stderr).toContain(`more: oomol-task list --next-token ${page.nextToken}`)
    const second = json((await t.cli(["list", "--block-name", "paged", "--size", "2", "--next-token", page.nextToken, "--json"])).stdout)
    expect(second.tasks).toHaveLength(1)
    const all = json((await t.cli(["list", "--block-name", "paged", "--size", "1", "--all", "--json"])).stdout)
    expect(all.nextToken).toBeNull()
    expect(all.tasks.map((task: { taskID: string }) => task.taskID)).toEqual(
      [...page.tasks, ...second.tasks].map((task: { taskID: string }) => task.taskID)
    )
  })

  it("latest prints the latest task of each workload", async () => {
    const id = await created("newest")
    const { workloadID } = json((await t.cli(["get", id, "--json"])).stdout)
    const out = await t.cli(["latest", workloadID])
    expect(out.code, out.stderr).toBe(0)
    expect(out.stdout).toMatch(/^WORKLOAD ID +TASK ID +STATUS +PROGRESS +CREATED +ENDED\n/)
    expect(out.stdout).toContain(`${workloadID}  ${id}`)
    const doc = json((await t.cli(["latest", `${workloadID},${workloadID}`, "--json"])).stdout)
    expect(doc[0]).toMatchObject({ taskID: id, workloadID })
  })
})

describe("the queue", () => {
  it("dashboard, pause and resume", async () => {
    const dashboard = await t.cli(["dashboard"])
    expect(dashboard.code, dashboard.stderr).toBe(0)
    expect(dashboard.stdout).toMatch(/^QUEUED +SCHEDULING +SCHEDULED +RUNNING +MAX CONCURRENCY +MAX QUEUE SIZE\n/)
    expect(dashboard.stdout).toContain("paused: no")

    const paused = await t.cli(["pause"])
    expect(paused.stdout.trim()).toBe("Queue paused (by user).")
    const doc = json((await t.cli(["dashboard", "--json"])).stdout)
    expect(doc.pause).toEqual({ paused: true, type: "user", canResume: true })
    expect((await t.cli(["dashboard"])).stdout).toContain("paused: yes (by user, you can resume it)")

    expect(json((await t.cli(["resume", "--json"])).stdout)).toEqual({ pauseType: null })
    expect(json((await t.cli(["dashboard", "--json"])).stdout).pause.paused).toBe(false)
  })
})

describe("upload", () => {
  it("uploads a file and prints the URL it can be downloaded from", async () => {
    const file = join(t.dir, "report.csv")
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17, "a,b,c\n")
    writeFileSync(file, bytes)
    const out = await t.cli(["upload", file])
    expect(out.code, out.stderr).toBe(0)
    const url = out.stdout.trim()
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.+report\.csv$/)
    expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(bytes)).toBe(true)
    expect(out.stderr).toContain("upload report.csv: uploaded 100%")

    const doc = json((await t.cli(["upload", file, "--json", "--quiet"])).stdout)
    expect(doc).toMatchObject({ file_name: "report.csv", file_size: bytes.length, url: expect.any(String) })
  })
})
