import { startEmulator, type RunningEmulator } from "@oomol-cloud-task/emulator"
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest"
import { join } from "node:path"
import { type Example, outOfCredit, readmeTaskID, readmeDir } from "./support/readme.js"

// The README's examples, imported as written, against an emulator found through
// OOMOL_BASE_URL (the examples give no baseUrl) with OOMOL_API_KEY set.
let emulator: RunningEmulator
beforeAll(async () => {
  emulator = await startEmulator({ clock: "real", apiKey: "readme-key", blocks: [outOfCredit] })
  emulator.seedSharedTask({ taskID: readmeTaskID })
  process.env.OOMOL_BASE_URL = emulator.url
  process.env.OOMOL_API_KEY = "readme-key"
})
afterAll(async () => {
  delete process.env.OOMOL_BASE_URL
  delete process.env.OOMOL_API_KEY
  await emulator.close()
})
afterEach(() => {
  vi.restoreAllMocks()
})

// Imported by name: type-checking them is tsconfig.readme.json's work, with the README's unused locals allowed.
const load = (example: Example): Promise<unknown> => import(/* @vite-ignore */ join(readmeDir, `${example}.ts`))

const printed = () => {
  const lines: Array<string> = []
  const keep = (...args: Array<unknown>) => void lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "))
  vi.spyOn(console, "log").mockImplementation(keep)
  vi.spyOn(console, "error").mockImplementation(keep)
  return lines
}

describe("the README's examples, as written, against the emulator", () => {
  it("Quick Start: createAndWait with progress, then the result", async () => {
    const lines = printed()
    await load("quick-start")
    const taskID = lines.find((l) => l.startsWith("taskID: "))?.slice("taskID: ".length)
    expect(taskID).toMatch(/^[0-9a-f-]{36}$/)
    expect(lines.some((l) => /^progress: \d+ status: (queued|scheduling|scheduled|running)$/.test(l))).toBe(true)
    expect(lines).toContain("resultURL: null")
    expect(lines).toContain(`resultData: [{"text":"hello"}]`)
  })

  it("Authentication and Create a task: the bearer key, the extra header, a serverless task", async () => {
    const before = emulator.createdTasks()
    await load("create-task")
    expect(emulator.createdTasks()).toBe(before + 1)
    const [request] = emulator.requestLog("createTask").slice(-1)
    expect(request!.headers.authorization).toBe("Bearer readme-key")
    expect(request!.headers["x-client"]).toBe("my-app")
  })

  it("Query tasks: the listing, the latest tasks, the task's detail and result", async () => {
    await load("query-tasks")
    expect(emulator.requestLog("listTasks").at(-1)!.url).toBe("/v3/users/me/tasks?size=20&status=running&taskType=user")
    expect(emulator.requestLog("latestTasks").at(-1)!.url).toContain("workloadIDs=550e8400-e29b-41d4-a716-446655440022%2C550e8400-e29b-41d4-a716-446655440023")
    expect(emulator.requestLog("getTask").at(-1)!.url).toBe(`/v3/users/me/tasks/${readmeTaskID}`)
    expect(emulator.requestLog("getTaskResult").at(-1)!.url).toBe(`/v3/users/me/tasks/${readmeTaskID}/result`)
  })

  it("Pause or resume the queue", async () => {
    const before = emulator.requests("pause") + emulator.requests("resume")
    await load("pause-resume")
    expect(emulator.requests("pause") + emulator.requests("resume")).toBe(before + 4)
  })

  it("Error handling: a task that runs out of credit is a TaskFailedError with the quota code", async () => {
    const lines = printed()
    await load("error-handling")
    expect(lines[0]).toMatch(/^[0-9a-f-]{36} INSUFFICIENT_QUOTA 402 Task failed: Insufficient balance \{"status":"failed","error":"Insufficient balance"\}$/)
    expect(lines[1]).toBe("INSUFFICIENT_QUOTA")
  })
})
