import { Api } from "@oomol-cloud-task/contract"
import { connectEmulator, Control, Fault, type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { call, createTask, get, preflight } from "./support.js"

let emulator: RunningEmulator
afterEach(() => emulator.close())

const asked = (headers: Record<string, string>) => fetch(`${emulator.url}${Api.paths.dashboard}`, { headers })

describe("credentials", () => {
  it("accepts any bearer key or session cookie, and refuses the rest with 401 { message }", async () => {
    emulator = await startEmulator()
    expect((await asked({ authorization: "Bearer anything" })).status).toBe(200)
    expect((await asked({ cookie: "theme=dark; oomol-token=session" })).status).toBe(200)
    for (const headers of [{}, { authorization: "Bearer " }, { authorization: "raw-key" }, { cookie: "oomol-token=" }]) {
      const answer = await asked(headers)
      expect(answer.status).toBe(401)
      expect(typeof ((await answer.json()) as { message: unknown }).message).toBe("string")
    }
  })

  it("accepts only the fixed key and session token when started with them", async () => {
    emulator = await startEmulator({ apiKey: "right", sessionToken: "good" })
    expect((await asked({ authorization: "Bearer right" })).status).toBe(200)
    expect((await asked({ cookie: "oomol-token=good" })).status).toBe(200)
    expect(await (await asked({ authorization: "Bearer wrong" })).json()).toEqual({ message: "Invalid API key" })
    expect((await asked({ cookie: "oomol-token=bad" })).status).toBe(401)
  })

  it("answers 404 { message } for a path it does not serve", async () => {
    emulator = await startEmulator()
    const answer = await get(emulator, "/v3/nowhere")
    expect(answer.status).toBe(404)
    expect((answer.json as { message: string }).message).toContain("/v3/nowhere")
  })
})

describe("CORS", () => {
  it("reflects the page's origin with credentials, and exposes Retry-After", async () => {
    emulator = await startEmulator()
    const answer = await asked({ origin: "http://page.example:5173", cookie: "oomol-token=s" })
    expect(answer.headers.get("access-control-allow-origin")).toBe("http://page.example:5173")
    expect(answer.headers.get("access-control-allow-credentials")).toBe("true")
    expect(answer.headers.get("access-control-expose-headers")).toContain("Retry-After")
    const refused = await asked({ origin: "http://page.example:5173" })
    expect(refused.status).toBe(401)
    expect(refused.headers.get("access-control-allow-origin")).toBe("http://page.example:5173")
  })

  it("answers a preflight with the headers and methods asked for, without credentials", async () => {
    emulator = await startEmulator()
    const answer = await preflight(
      `${emulator.url}${Api.paths.tasks}`,
      "http://page.example",
      "POST",
      "authorization,content-type,x-client"
    )
    expect(answer.status).toBe(204)
    expect(answer.headers.get("access-control-allow-headers")).toBe("authorization,content-type,x-client")
    expect(answer.headers.get("access-control-allow-methods")).toBe("GET, POST, PUT, OPTIONS")
    expect(answer.headers.get("access-control-allow-credentials")).toBe("true")
    expect(emulator.requests()).toBe(0)
  })
})

describe("control endpoints", () => {
  const control = (path: string, body?: unknown) =>
    fetch(`${emulator.url}${path}`, {
      method: body === undefined ? "GET" : "POST",
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    }).then(async (response) => ({ status: response.status, json: await response.json() as Record<string, any> }))

  it("reach every operation over HTTP without credentials", async () => {
    emulator = await startEmulator({ clock: "virtual" })
    const start = emulator.now()
    expect((await control(Control.paths.faults, { route: "dashboard", fault: { _tag: "Status", status: 503, times: "Infinity" } })).json)
      .toEqual({ pending: 1 })
    expect((await get(emulator, Api.paths.dashboard)).status).toBe(503)
    expect((await get(emulator, Api.paths.dashboard)).status).toBe(503)
    await control(Control.paths.clearFaults, {})
    expect((await get(emulator, Api.paths.dashboard)).status).toBe(200)

    await control(Control.paths.blocks, { packageName: "@test/broke", fail: "Insufficient balance", durations: { running: 0 } })
    const taskID = await createTask(emulator, { packageName: "@test/broke" })
    expect((await control(Control.paths.advance, { ms: 1_000 })).json).toEqual({ now: start + 1_000 })
    expect((await control(Control.paths.clock)).json).toEqual({ now: start + 1_000 })
    expect((await get(emulator, Api.paths.taskResult(taskID))).json).toEqual({ status: "failed", error: "Insufficient balance" })

    const counters = await control(Control.paths.counters)
    expect(counters.json).toMatchObject({ createdTasks: 1, requests: { dashboard: 3, createTask: 1, getTaskResult: 1 } })
    expect((await control(`${Control.paths.requests}?route=createTask`)).json["requests"]).toHaveLength(1)
    expect((await control(`${Control.paths.requests}?route=nope`)).status).toBe(400)
    expect((await control(Control.paths.parts)).json).toEqual({ parts: [] })

    const shared = await control(Control.paths.sharedTasks, { subscriptionID: "sub-1" })
    expect((await get(emulator, Api.paths.task(shared.json["taskID"]))).json).toMatchObject({ taskType: "shared" })
    expect((await control(Control.paths.queue, { maxConcurrency: 3, pause: "system" })).json).toMatchObject({
      limits: { maxConcurrency: 3 },
      pause: { paused: true, type: "system", canResume: false }
    })

    expect((await control(Control.paths.reset, {})).status).toBe(200)
    expect((await control(Control.paths.counters)).json["createdTasks"]).toBe(0)
    expect((await get(emulator, Api.paths.task(taskID))).status).toBe(404)
  })

  it("refuse a body that does not decode, with 400 { message }", async () => {
    emulator = await startEmulator()
    const bad = await control(Control.paths.faults, { route: "nowhere", fault: { _tag: "Status", status: 503 } })
    expect(bad.status).toBe(400)
    expect(bad.json["message"]).toContain("route")
    expect((await control(Control.paths.faults, { route: "dashboard", fault: { _tag: "Status", status: 99 } })).status)
      .toBe(400)
    expect((await control(Control.paths.advance, { ms: -1 })).status).toBe(400)
    expect((await call(`${emulator.url}${Control.paths.blocks}`, { method: "POST", body: "[" })).status).toBe(400)
  })

  it("are wrapped by connectEmulator for tests in another process", async () => {
    emulator = await startEmulator({ clock: "virtual" })
    const remote = connectEmulator(`${emulator.url}/`)
    await remote.fault("dashboard", Fault.sticky(Fault.status(503)))
    expect([(await get(emulator, Api.paths.dashboard)).status, (await get(emulator, Api.paths.dashboard)).status])
      .toEqual([503, 503])
    await remote.clearFaults()
    await remote.defineBlock({ packageName: "@test/remote", resultData: { remote: true }, durations: { running: 0 } })
    const taskID = await createTask(emulator, { packageName: "@test/remote" })
    expect(await remote.advance(1_000)).toBe(await remote.now())
    expect((await get(emulator, Api.paths.taskResult(taskID))).json).toMatchObject({ resultData: { remote: true } })
    expect(await remote.counters()).toMatchObject({ createdTasks: 1, requests: { dashboard: 2 } })
    expect((await remote.requestLog("createTask")).map((request) => request.method)).toEqual(["POST"])
    expect(await remote.partUploads()).toEqual([])
    const shared = await remote.seedSharedTask()
    expect((await get(emulator, Api.paths.task(shared))).json).toMatchObject({ taskType: "shared" })
    expect((await remote.configureQueue({ maxQueueSize: 1 })).limits.maxQueueSize).toBe(1)
    await remote.reset()
    expect(emulator.createdTasks()).toBe(0)
    await expect(remote.fault("nowhere" as never, Fault.drop())).rejects.toThrow("Expected")
  })
})
