import { Api, Queue, Task } from "@oomol-cloud-task/contract"
import { Block, type RunningEmulator, Simulation, startEmulator } from "@oomol-cloud-task/emulator"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import { call, createTask, decode, get } from "./support.js"

let emulator: RunningEmulator
afterEach(() => emulator.close())

const dashboard = async () => decode(Queue.Dashboard, await get(emulator, Api.paths.dashboard))
const list = async (query = "") => decode(Task.TaskListResponse, await get(emulator, `${Api.paths.tasks}${query}`))
const statusCounts = async () => {
  const counts: Record<string, number> = { queued: 0, scheduling: 0, scheduled: 0, running: 0 }
  for (const task of (await list("?size=100")).tasks) if (task.status in counts) counts[task.status]!++
  return counts
}

describe("limits", () => {
  it("runs at most maxConcurrency tasks at once, the rest wait queued, and the dashboard counts match", async () => {
    emulator = await startEmulator({ clock: "virtual", maxConcurrency: 2 })
    for (let i = 0; i < 5; i++) await createTask(emulator)
    emulator.advance(60)
    const first = await dashboard()
    expect(first.limits).toEqual({ maxConcurrency: 2, maxQueueSize: 100_000 })
    expect(first.count).toEqual({ queued: 3, scheduling: 2, scheduled: 0, running: 0 })
    expect(first.count).toEqual(await statusCounts())
    for (let step = 0; step < 20; step++) {
      emulator.advance(100)
      const { count } = await dashboard()
      expect(count).toEqual(await statusCounts())
      expect(count.scheduling + count.scheduled + count.running).toBeLessThanOrEqual(2)
    }
    expect((await list()).tasks.map((task) => task.status)).toEqual(Array(5).fill("success"))
  })

  it("refuses creation with 429 and a message once maxQueueSize tasks wait, creating nothing", async () => {
    emulator = await startEmulator({ clock: "virtual", maxQueueSize: 2 })
    await createTask(emulator)
    await createTask(emulator)
    const refused = await call(`${emulator.url}${Api.paths.tasks}`, {
      method: "POST",
      body: { type: "serverless", packageName: "p", packageVersion: "1", blockName: "b" }
    })
    expect(refused.status).toBe(429)
    expect((refused.json as { message: string }).message).toContain("Queue is full")
    expect(emulator.createdTasks()).toBe(2)
    expect(emulator.requests("createTask")).toBe(3)
    emulator.advance(100)
    await createTask(emulator)
    expect(emulator.createdTasks()).toBe(3)
  })
})

describe("pause and resume", () => {
  it("holds queued tasks while paused by the user, and starts them on resume", async () => {
    emulator = await startEmulator({ clock: "virtual" })
    const taskID = await createTask(emulator)
    const pause = await call(`${emulator.url}${Api.paths.pause}`, { method: "POST", body: {} })
    expect(pause.json).toEqual({ pauseType: "user" })
    expect((await dashboard()).pause).toEqual({ paused: true, type: "user", canResume: true })
    const held = await createTask(emulator)
    emulator.advance(10_000)
    for (const id of [taskID, held]) {
      expect((await get(emulator, Api.paths.taskResult(id))).json).toEqual({ status: "queued", progress: 0 })
    }
    expect((await dashboard()).count.queued).toBe(2)
    const resume = await call(`${emulator.url}${Api.paths.resume}`, { method: "POST", body: {} })
    expect(resume.json).toEqual({ pauseType: null })
    expect((await dashboard()).pause).toEqual({ paused: false, type: null, canResume: false })
    emulator.advance(1_000)
    expect((await list()).tasks.map((task) => task.status)).toEqual(["success", "success"])
  })

  it("keeps a billing pause the user cannot lift", async () => {
    emulator = await startEmulator({ clock: "virtual" })
    expect(emulator.configureQueue({ pause: "billing" }).pause).toEqual({ paused: true, type: "billing", canResume: false })
    expect((await call(`${emulator.url}${Api.paths.pause}`, { method: "POST" })).json).toEqual({ pauseType: "billing" })
    const resume = await call(`${emulator.url}${Api.paths.resume}`, { method: "POST" })
    expect(resume.status).toBe(403)
    expect((resume.json as { message: string }).message).toContain("billing")
    expect(emulator.configureQueue({ pause: null }).pause.paused).toBe(false)
  })
})

describe("listing", () => {
  it("pages newest first with an opaque nextToken, never repeating a task", async () => {
    emulator = await startEmulator({ clock: "virtual" })
    const ids: Array<string> = []
    for (let i = 0; i < 7; i++) {
      ids.push(await createTask(emulator))
      emulator.advance(1)
    }
    const seen: Array<string> = []
    let token: string | null = ""
    let pages = 0
    while (token !== null) {
      const page: Task.TaskListResponse = await list(`?size=3${token === "" ? "" : `&nextToken=${encodeURIComponent(token)}`}`)
      seen.push(...page.tasks.map((task) => task.taskID))
      token = page.nextToken
      pages++
    }
    expect(pages).toBe(3)
    expect(seen).toEqual([...ids].reverse())
    expect((await list()).tasks).toHaveLength(7)
  })

  it("filters by status, task type, workload, workload ID, package ID and block name", async () => {
    emulator = await startEmulator({ clock: "virtual" })
    emulator.defineBlock({ packageName: "@test/slow", durations: { running: 60_000 } })
    const fast = await createTask(emulator, { packageName: "@test/fast", blockName: "a" })
    const slow = await createTask(emulator, { packageName: "@test/slow", blockName: "b" })
    const shared = emulator.seedSharedTask({ packageName: "@test/fast", blockName: "a", subscriptionID: "sub-1" })
    emulator.advance(1_000)
    const ids = async (query: string) => (await list(query)).tasks.map((task) => task.taskID)
    expect(await ids("?status=success")).toEqual([shared, fast])
    expect(await ids("?status=running")).toEqual([slow])
    expect(await ids("?taskType=shared")).toEqual([shared])
    expect(await ids("?taskType=user")).toEqual([slow, fast])
    expect(await ids("?packageID=%40test%2Fslow")).toEqual([slow])
    expect(await ids("?blockName=a")).toEqual([shared, fast])
    expect(await ids("?workload=serverless")).toHaveLength(3)
    expect(await ids(`?workloadID=${Simulation.workloadID("@test/fast", "a")}`)).toEqual([shared, fast])
    expect(await ids("?status=failed")).toEqual([])
  })

  it("answers the latest task of each workload asked for", async () => {
    emulator = await startEmulator({ clock: "virtual" })
    await createTask(emulator, { blockName: "a" })
    emulator.advance(1)
    const latestA = await createTask(emulator, { blockName: "a" })
    const latestB = await createTask(emulator, { blockName: "b" })
    const [a, b] = [Simulation.workloadID("@test/pkg", "a"), Simulation.workloadID("@test/pkg", "b")]
    const answer = decode(
      Task.LatestTasksResponse,
      await get(emulator, `${Api.paths.latestTasks}?workloadIDs=${a},${b},unknown`)
    )
    expect(answer.map((item) => [item.workloadID, item.taskID])).toEqual([[a, latestA], [b, latestB]])
  })

  it("shows a seeded shared task with its package and subscription", async () => {
    emulator = await startEmulator({ clock: "virtual" })
    const taskID = emulator.seedSharedTask({ packageID: "pkg-42", subscriptionID: "sub-7" })
    const detail = decode(Task.TaskDetail, await get(emulator, Api.paths.task(taskID)))
    expect(detail).toMatchObject({ taskType: "shared", packageID: "pkg-42", subscriptionID: "sub-7", status: "queued" })
    expect("workload" in detail).toBe(false)
    expect(emulator.createdTasks()).toBe(1)
  })

  it("seeds a task under an ID of the caller's choosing, once", async () => {
    emulator = await startEmulator({ clock: "virtual" })
    const taskID = emulator.seedSharedTask({ taskID: "019234a5-b678-7def-8123-456789abcdef" })
    expect(taskID).toBe("019234a5-b678-7def-8123-456789abcdef")
    expect(decode(Task.TaskDetail, await get(emulator, Api.paths.task(taskID))).taskID).toBe(taskID)
    expect(() => emulator.seedSharedTask({ taskID })).toThrow(`Task ${taskID} already exists`)
  })
})

describe("the simulation", () => {
  const input = (script: Block.Script): Simulation.TaskInput => ({
    taskType: "user",
    packageName: "p",
    packageVersion: "1",
    blockName: "b",
    inputValues: undefined,
    packageID: "p",
    subscriptionID: null,
    script
  })

  it("holds ten thousand tasks without a timer and finishes them all when asked at the end", () => {
    const simulation = Simulation.make({ maxConcurrency: 10_000, maxQueueSize: 100_000, ownerID: "u", now: 0 })
    const script = Block.compile({})
    const tasks = Array.from({ length: 10_000 }, () => Result.getOrThrow(simulation.create(input(script), 0)))
    expect(simulation.dashboard(0).count.queued).toBe(10_000)
    expect(simulation.dashboard(script.queued + script.total).count).toEqual({ queued: 0, scheduling: 0, scheduled: 0, running: 0 })
    expect(tasks.every((task) => Simulation.stateAt(task, script.queued + script.total).status === "success")).toBe(true)
  })

  it("starts waiting tasks in order as slots free up, at the instant they free", () => {
    const simulation = Simulation.make({ maxConcurrency: 1, maxQueueSize: 10, ownerID: "u", now: 0 })
    const script = Block.compile({ durations: { queued: 0, scheduling: 0, scheduled: 0, running: 100 } })
    const [a, b, c] = [0, 1, 2].map(() => Result.getOrThrow(simulation.create(input(script), 0)))
    simulation.dashboard(1_000)
    expect([a, b, c].map((task) => [task!.admittedAt, Simulation.stateAt(task!, 1_000).endTime])).toEqual([
      [0, 100],
      [100, 200],
      [200, 300]
    ])
  })
})
