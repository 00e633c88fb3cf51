import { Api, Task } from "@oomol-cloud-task/contract"
import { Fault, type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import { auth, call, createBody, createTask, get } from "./support.js"

let emulator: RunningEmulator
beforeEach(async () => {
  emulator = await startEmulator({ clock: "virtual" })
})
afterEach(() => emulator.close())

const dashboard = () => get(emulator, Api.paths.dashboard)
const create = () => call(`${emulator.url}${Api.paths.tasks}`, { method: "POST", body: createBody() })
/** A request whose outcome is the error's message when the connection fails. */
const attempt = async (url: string, init: RequestInit = {}) => {
  try {
    const response = await fetch(url, { ...init, headers: { ...auth, "content-type": "application/json" } })
    return { status: response.status, headers: response.headers, body: await response.text() }
  } catch (error) {
    return `${(error as Error).message}: ${((error as Error).cause as Error | undefined)?.message}`
  }
}
const createURL = () => `${emulator.url}${Api.paths.tasks}`
const createInit = { method: "POST", body: JSON.stringify(createBody()) }
const pending = async (promise: Promise<unknown>) => {
  const marker = Symbol()
  const first = await Promise.race([promise, new Promise((resolve) => setImmediate(() => resolve(marker)))])
  return first === marker
}
/** Whether every resource of `now` is in `baseline`, counted. */
const within = (now: ReadonlyArray<string>, baseline: ReadonlyArray<string>) => {
  const left = [...baseline]
  return now.every((resource) => {
    const i = left.indexOf(resource)
    return i >= 0 && left.splice(i, 1).length === 1
  })
}
const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5))
}

describe("status faults", () => {
  it("answers 429 with Retry-After in seconds or as an HTTP date, then serves again", async () => {
    emulator.fault("dashboard", Fault.tooManyRequests(2))
    emulator.fault("dashboard", Fault.tooManyRequests(new Date(Date.UTC(2030, 0, 1))))
    const first = await dashboard()
    expect(first.status).toBe(429)
    expect(first.headers.get("retry-after")).toBe("2")
    expect(first.json).toEqual({ message: "Too Many Requests (emulated fault)" })
    expect((await dashboard()).headers.get("retry-after")).toBe("Tue, 01 Jan 2030 00:00:00 GMT")
    expect((await dashboard()).status).toBe(200)
  })

  it("answers any status with the body given, as JSON, as text, or none", async () => {
    emulator.fault("getTaskResult", Fault.status(500))
    emulator.fault("getTaskResult", Fault.status(402, { body: { message: "Insufficient balance", code: "PAYMENT_REQUIRED" } }))
    emulator.fault("getTaskResult", Fault.status(503, { body: "down for maintenance" }))
    emulator.fault("getTaskResult", Fault.status(502, { body: null, headers: { "x-proxy": "edge" } }))
    const path = Api.paths.taskResult("t")
    expect(await get(emulator, path)).toMatchObject({ status: 500, json: { message: "Internal Server Error (emulated fault)" } })
    expect(await get(emulator, path)).toMatchObject({ status: 402, json: { message: "Insufficient balance", code: "PAYMENT_REQUIRED" } })
    expect(await get(emulator, path)).toMatchObject({ status: 503, text: "down for maintenance" })
    const empty = await get(emulator, path)
    expect(empty).toMatchObject({ status: 502, text: "" })
    expect(empty.headers.get("x-proxy")).toBe("edge")
    expect((await get(emulator, path)).status).toBe(404)
  })

  it("consumes faults in order, each `times` times, and keeps a sticky one until cleared", async () => {
    emulator.fault("dashboard", Fault.status(503, { times: 2 }))
    emulator.fault("dashboard", Fault.status(500))
    const statuses = async (n: number) => {
      const seen: Array<number> = []
      for (let i = 0; i < n; i++) seen.push((await dashboard()).status)
      return seen
    }
    expect(await statuses(4)).toEqual([503, 503, 500, 200])
    emulator.fault("dashboard", Fault.sticky(Fault.status(502)))
    expect(await statuses(3)).toEqual([502, 502, 502])
    emulator.clearFaults("dashboard")
    expect(await statuses(1)).toEqual([200])
  })

  it("answers a proxy's HTML error page", async () => {
    emulator.fault("getTask", Fault.htmlError())
    const answer = await get(emulator, Api.paths.task("t"))
    expect(answer.status).toBe(502)
    expect(answer.headers.get("content-type")).toContain("text/html")
    expect(answer.text).toContain("<h1>502 Bad Gateway</h1>")
  })

  it("never creates the task of a request it answers itself", async () => {
    emulator.fault("createTask", Fault.status(503))
    expect((await create()).status).toBe(503)
    expect(emulator.requests("createTask")).toBe(1)
    expect(emulator.createdTasks()).toBe(0)
  })
})

describe("connection faults", () => {
  it("drops the connection before answering, without serving the request", async () => {
    emulator.fault("createTask", Fault.drop())
    expect(await attempt(createURL(), createInit)).toBe("fetch failed: other side closed")
    expect(emulator.createdTasks()).toBe(0)
    emulator.fault("createTask", Fault.drop({ afterProcessing: true }))
    expect(await attempt(createURL(), createInit)).toBe("fetch failed: other side closed")
    expect(emulator.createdTasks()).toBe(1)
    expect(emulator.requests("createTask")).toBe(2)
  })

  it("drops the connection in the middle of the body of a request it served", async () => {
    emulator.fault("createTask", Fault.dropMidBody({ bytes: 5 }))
    expect(await attempt(createURL(), createInit)).toBe("terminated: other side closed")
    expect(emulator.createdTasks()).toBe(1)
  })

  it("delays an answer by the emulator's clock", async () => {
    emulator.fault("dashboard", Fault.latency(5_000))
    const answer = attempt(`${emulator.url}${Api.paths.dashboard}`)
    await until(() => emulator.requests("dashboard") === 1)
    expect(await pending(answer)).toBe(true)
    emulator.advance(5_000)
    expect(await answer).toMatchObject({ status: 200 })
  })

  it("hangs until the emulator closes, and close frees every resource", async () => {
    await emulator.close()
    const baseline = process.getActiveResourcesInfo()
    emulator = await startEmulator({ clock: "virtual" })
    emulator.fault("dashboard", Fault.sticky(Fault.hang()))
    const hung = [attempt(`${emulator.url}${Api.paths.dashboard}`), attempt(`${emulator.url}${Api.paths.dashboard}`)]
    await until(() => emulator.requests("dashboard") === 2)
    expect(await pending(Promise.race(hung))).toBe(true)
    await emulator.close()
    expect(await Promise.all(hung)).toEqual(Array(2).fill("fetch failed: other side closed"))
    // Whatever was still closing when the baseline was taken may be gone by now: what
    // remains must be part of the baseline.
    for (let turn = 0; turn < 100 && !within(process.getActiveResourcesInfo(), baseline); turn++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    expect(process.getActiveResourcesInfo().filter((r) => !baseline.includes(r))).toEqual([])
    expect(within(process.getActiveResourcesInfo(), baseline)).toBe(true)
  })
})

describe("broken bodies", () => {
  it("sends JSON that does not parse, for a request it served", async () => {
    emulator.fault("createTask", Fault.malformedJson())
    const answer = await create()
    expect(answer.status).toBe(200)
    expect(answer.headers.get("content-type")).toContain("application/json")
    expect(answer.json).toBeUndefined()
    expect(emulator.createdTasks()).toBe(1)
  })

  it("truncates the body, announcing the short length, no length, or the full one", async () => {
    const full = (await dashboard()).text
    emulator.fault("dashboard", Fault.truncated({ bytes: 10 }))
    emulator.fault("dashboard", Fault.truncated({ bytes: 10, contentLength: "none" }))
    emulator.fault("dashboard", Fault.truncated({ contentLength: "full" }))
    const honest = await dashboard()
    expect(honest.text).toBe(full.slice(0, 10))
    expect(honest.headers.get("content-length")).toBe("10")
    const chunked = await dashboard()
    expect(chunked.text).toBe(full.slice(0, 10))
    expect(chunked.headers.get("content-length")).toBeNull()
    expect(chunked.headers.get("transfer-encoding")).toBe("chunked")
    expect(await attempt(`${emulator.url}${Api.paths.dashboard}`)).toBe("terminated: other side closed")
  })

  it("breaks the schema: a field missing or of the wrong type", async () => {
    const taskID = await createTask(emulator)
    emulator.fault("createTask", Fault.schemaBreak())
    emulator.fault("getTask", Fault.schemaBreak({ field: "progress", mode: "wrongType" }))
    emulator.fault("listTasks", Fault.schemaBreak({ field: "tasks.0.status" }))
    emulator.fault("latestTasks", Fault.schemaBreak())
    const broken = (schema: Schema.Decoder<unknown>, json: unknown) =>
      Result.isFailure(Schema.decodeUnknownResult(schema)(json))
    expect(((await create()).json)).toEqual({})
    const detail = await get(emulator, Api.paths.task(taskID))
    expect((detail.json as { progress: unknown }).progress).toBe("not a number")
    expect(broken(Task.TaskDetail, detail.json)).toBe(true)
    expect(broken(Task.TaskListResponse, (await get(emulator, Api.paths.tasks)).json)).toBe(true)
    expect((await get(emulator, `${Api.paths.latestTasks}?workloadIDs=none`)).json).toEqual({
      unexpected: "an object, not a list"
    })
  })

  it("adds a field the contract does not know, still a valid answer", async () => {
    const taskID = await createTask(emulator)
    emulator.fault("getTaskResult", Fault.extraField({ field: "traceID", value: "abc" }))
    emulator.fault("listTasks", Fault.extraField())
    const result = await get(emulator, Api.paths.taskResult(taskID))
    expect(result.json).toEqual({ status: "queued", progress: 0, traceID: "abc" })
    expect(Result.isSuccess(Schema.decodeUnknownResult(Task.DefaultTaskResult)(result.json))).toBe(true)
    const list = await get(emulator, Api.paths.tasks)
    expect(list.json).toMatchObject({ unexpectedField: "unexpected" })
  })
})

describe("counters", () => {
  it("count every request per route, faulted ones included, and the tasks actually created", async () => {
    emulator.fault("createTask", Fault.status(503))
    await create()
    await create()
    await dashboard()
    await get(emulator, Api.paths.task("missing"))
    await fetch(`${emulator.url}${Api.paths.dashboard}`, { method: "OPTIONS", headers: { origin: "http://a" } })
    expect(emulator.counters()).toEqual({
      requests: expect.objectContaining({ createTask: 2, dashboard: 1, getTask: 1, listTasks: 0 }),
      createdTasks: 1
    })
    expect(emulator.requests()).toBe(4)
    const [first] = emulator.requestLog("createTask")
    expect(first).toMatchObject({ route: "createTask", method: "POST", url: Api.paths.tasks })
    expect(first!.headers["authorization"]).toBe("Bearer test-key")
    await emulator.reset()
    expect(emulator.requests()).toBe(0)
    expect(emulator.createdTasks()).toBe(0)
  })
})
