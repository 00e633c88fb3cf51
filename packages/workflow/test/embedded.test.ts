/**
 * The embedded default in real processes: a program keeping its runs in a
 * local folder is killed with SIGKILL and started again; the emulator, in
 * this process, counts every task created.
 */
import { Fault, type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bundle, start, until } from "./processes.js"

let emulator: RunningEmulator
let script: string
let example: string
let dir: string

const envFor = (key: string, mode: "run" | "await" | "reconcile", extra: Record<string, string> = {}) => ({
  EMULATOR_URL: emulator.url,
  RUNS_DIR: dir,
  KEY: key,
  MODE: mode,
  BLOCK: "main",
  ...extra
})

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "oomol-workflow-embedded-"))
  ;[emulator, script, example] = await Promise.all([
    startEmulator({ clock: "real" }),
    bundle("embedded-child"),
    bundle("examples/durable-run")
  ])
  emulator.defineBlock({ packageName: "@test/durable", durations: { queued: 0, scheduling: 0, scheduled: 0, running: 4_000 } })
}, 60_000)

afterAll(async () => {
  await emulator?.close()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  if (script !== undefined) rmSync(script, { force: true })
  if (example !== undefined) rmSync(example, { force: true })
})

describe("the embedded default", () => {
  it("a run survives SIGKILL mid-wait and resumes when the program starts again: one task, its result delivered", async () => {
    const first = start(script, envFor("survivor", "run"))
    // Created, and polled a few times: the run is waiting.
    await until(() => emulator.requests("getTaskResult") >= 3, 60_000, "three polls")
    await first.kill()
    expect(await first.ended).toEqual({ code: null, signal: "SIGKILL" })
    expect(emulator.createdTasks()).toBe(1)
    const polls = emulator.requests("getTaskResult")

    // Started again, the program only waits: the engine resumes the run by itself.
    const second = start(script, envFor("survivor", "await"))
    const done = await second.next((event) => event.event === "done")
    expect(done.success.result).toEqual({ status: "success", resultURL: null, resultData: [{ key: "survivor" }] })
    expect(await second.ended).toEqual({ code: 0, signal: null })
    expect(emulator.requests("getTaskResult")).toBeGreaterThan(polls)
    expect(emulator.requests("createTask")).toBe(1)
    expect(emulator.createdTasks()).toBe(1)
  }, 120_000)

  it("a run killed while its create request is in flight never sends it again: it ends CreationUncertain", async () => {
    const created = emulator.createdTasks()
    const sent = emulator.requests("createTask")
    emulator.fault("createTask", Fault.latency(1_500))
    // A block of its own: the candidates are this run's only.
    const first = start(script, envFor("in-flight", "run", { BLOCK: "in-flight" }))
    await until(() => emulator.requests("createTask") === sent + 1, 60_000, "the create request")
    await first.kill()

    const second = start(script, envFor("in-flight", "run", { BLOCK: "in-flight" }))
    const done = await second.next((event) => event.event === "done")
    expect(done.error._tag).toBe("CreationUncertain")
    expect(done.error.reason).toBe("the process stopped while the create request was in flight")
    expect(await second.ended).toEqual({ code: 0, signal: null })
    expect(emulator.requests("createTask")).toBe(sent + 1)
    // Whatever the service did with the request, the run made no second task.
    expect(emulator.createdTasks() - created).toBe(done.error.candidates.length)
    expect(emulator.createdTasks() - created).toBeLessThanOrEqual(1)
  }, 120_000)

  it("a run left uncertain is resumed by another process with the task the caller picks", async () => {
    const created = emulator.createdTasks()
    emulator.fault("createTask", Fault.drop({ afterProcessing: true }))
    const first = start(script, envFor("picked", "run", { BLOCK: "picked" }))
    const uncertain = await first.next((event) => event.event === "done")
    expect(uncertain.error._tag).toBe("CreationUncertain")
    expect(uncertain.error.candidates).toHaveLength(1)
    await first.ended

    const taskID = uncertain.error.candidates[0].taskID
    const second = start(script, envFor("picked", "reconcile", { BLOCK: "picked", TASK_ID: taskID }))
    const done = await second.next((event) => event.event === "done")
    expect(done.success).toEqual({ taskID, result: { status: "success", resultURL: null, resultData: [{ key: "picked" }] } })
    expect(emulator.createdTasks() - created).toBe(1)
  }, 120_000)

  it("a second process cannot open the same folder while the first holds it", async () => {
    emulator.defineBlock({ packageName: "@test/durable", blockName: "long", durations: { running: 60_000 } })
    const first = start(script, envFor("holder", "run", { BLOCK: "long" }))
    await first.next((event) => event.event === "ready")
    const second = start(script, envFor("holder", "await"))
    expect(await second.ended).toEqual({ code: 1, signal: null })
    expect(second.output()).toContain(`is in use by process ${first.process.pid}`)
    await first.kill()
  }, 120_000)

  it("the runnable example: stopped with Ctrl-C while it waits, started again, it finishes the same run", async () => {
    const cwd = join(dir, "example")
    mkdirSync(cwd)
    const created = emulator.createdTasks()
    const env = { OOMOL_BASE_URL: emulator.url, RUN_SECONDS: "15" }
    const first = start(example, env, cwd)
    await first.printed("is waiting; tasks created on the emulator so far: " + String(created + 1))
    first.process.kill("SIGINT")
    expect((await first.ended).signal).toBeNull()
    expect(first.output()).not.toContain("is done")

    const second = start(example, env, cwd)
    await second.printed("is done: task")
    expect(await second.ended).toEqual({ code: 0, signal: null })
    expect(second.output()).toContain(`tasks created on the emulator so far: ${created + 1}`)
    expect(emulator.createdTasks()).toBe(created + 1)
  }, 120_000)
})
