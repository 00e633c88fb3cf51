/**
 * The control API is described once (`Control.Api`): the emulator serves that
 * description, over a socket and in process, and `connectEmulator` and any
 * `HttpApiClient` call it.
 */
import { Api, Upload } from "@oomol-cloud-task/contract"
import { connectEmulator, Control, Emulator, Fault, type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { HttpApi, HttpApiClient } from "effect/http-api"
import { call, createTask, get, preflight } from "./support.js"

let emulator: RunningEmulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

const start = async (options: Parameters<typeof startEmulator>[0] = {}) => (emulator = await startEmulator(options))

/** Every endpoint of the description: its method and path. */
const described = (): ReadonlyArray<{ readonly method: string; readonly path: string }> => {
  const endpoints: Array<{ method: string; path: string }> = []
  HttpApi.reflect(Control.Api, {
    onGroup: () => {},
    onEndpoint: ({ endpoint }) => void endpoints.push({ method: endpoint.method, path: endpoint.path })
  })
  return endpoints
}

/** A raw control request, as another program sends it: no credentials, `fetch`'s own content type. */
const raw = (url: string, method: string, body?: string, headers: Record<string, string> = {}) =>
  fetch(url, { method, headers, ...(body === undefined ? {} : { body }) })
    .then(async (response) => ({ status: response.status, headers: response.headers, json: await response.json() }))

describe("the control API's description", () => {
  it("names every control path, and the emulator serves each at its method only", async () => {
    const running = await start()
    const endpoints = described()
    expect(endpoints.map(({ path }) => path).sort()).toEqual(Object.values(Control.paths).sort())
    expect(endpoints).toHaveLength(11)
    for (const { method, path } of endpoints) {
      const served = await raw(`${running.url}${path}`, method, method === "GET" ? undefined : "{}")
      expect([200, 400], `${method} ${path}`).toContain(served.status)
      const other = method === "GET" ? "POST" : "GET"
      // Unless the path serves that method too (none does): 404 { message }.
      const refused = await raw(`${running.url}${path}`, other, other === "GET" ? undefined : "{}")
      expect(refused.status, `${other} ${path}`).toBe(404)
      expect(typeof refused.json.message).toBe("string")
    }
    // Control requests are not counted among the task API's.
    expect(running.requests()).toBe(0)
  })

  it("reads every body as JSON whatever its content type; an all-optional body may be left out", async () => {
    const running = await start()
    expect((await raw(`${running.url}${Control.paths.clearFaults}`, "POST")).json).toEqual({})
    expect((await raw(`${running.url}${Control.paths.sharedTasks}`, "POST", "")).status).toBe(200)
    const form = { "content-type": "application/x-www-form-urlencoded" }
    expect((await raw(`${running.url}${Control.paths.queue}`, "POST", `{"maxQueueSize":7}`, form)).json)
      .toMatchObject({ limits: { maxQueueSize: 7 } })
    const faulted = await raw(
      `${running.url}${Control.paths.faults}`,
      "POST",
      JSON.stringify({ route: "dashboard", fault: { _tag: "Status", status: 503 } }),
      { "content-type": "text/plain" }
    )
    expect(faulted.json).toEqual({ pending: 1 })
    // A required body left out is refused like any other that does not decode.
    const missing = await raw(`${running.url}${Control.paths.advance}`, "POST")
    expect(missing.status).toBe(400)
    expect(typeof missing.json.message).toBe("string")
  })

  it("refuses a key no schema names, and a bad query, with 400 { message } naming the field", async () => {
    const running = await start()
    const extra = await raw(`${running.url}${Control.paths.advance}`, "POST", `{"ms":1,"seconds":2}`)
    expect(extra.status).toBe(400)
    expect(extra.json.message).toContain("seconds")
    const query = await raw(`${running.url}${Control.paths.requests}?route=nowhere`, "GET")
    expect(query.status).toBe(400)
    expect(query.json.message).toContain("route")
    // A parameter the query does not name is ignored, as before.
    expect((await raw(`${running.url}${Control.paths.requests}?page=2`, "GET")).json).toEqual({ requests: [] })
  })

  it("words each refusal as one readable sentence naming the field and what it may be", async () => {
    const running = await start()
    const routes = "createTask, listTasks, latestTasks, getTask, getTaskResult, getTaskLogs, dashboard, pause, resume, uploadInit, uploadPart, uploadUrl, download"
    const faultTags = "Status, Latency, Drop, DropMidBody, Hang, MalformedJson, Truncated, HtmlError, SchemaBreak, ExtraField"
    const cases: ReadonlyArray<readonly [string, string, string | undefined, string]> = [
      [Control.paths.advance, "POST", `{"ms":1,"seconds":2}`, "seconds is not a known field"],
      [Control.paths.advance, "POST", `{"ms":-1}`, "ms must be a value greater than or equal to 0"],
      [Control.paths.advance, "POST", undefined, "request body must be an object"],
      [Control.paths.advance, "POST", "[", "Request body is not valid JSON"],
      [`${Control.paths.requests}?route=nowhere`, "GET", undefined, `route must be one of ${routes}`],
      [Control.paths.faults, "POST", JSON.stringify({ route: "nowhere", fault: { _tag: "Drop" } }), `route must be one of ${routes}`],
      [Control.paths.faults, "POST", JSON.stringify({ route: "dashboard", fault: { _tag: "Nope" } }), `fault must be an object whose _tag is one of ${faultTags}`],
      [Control.paths.queue, "POST", `{"maxConcurrency":"x"}`, "maxConcurrency must be a number"]
    ]
    for (const [path, method, body, message] of cases) {
      const answer = await raw(`${running.url}${path}`, method, body)
      expect(answer.status).toBe(400)
      expect(answer.json).toEqual({ message })
    }
  })

  it("answers CORS on control endpoints as on the task API", async () => {
    const running = await start()
    const answer = await raw(`${running.url}${Control.paths.clock}`, "GET", undefined, { origin: "http://page.example" })
    expect(answer.headers.get("access-control-allow-origin")).toBe("http://page.example")
    expect(answer.headers.get("access-control-allow-credentials")).toBe("true")
    const asked = await preflight(`${running.url}${Control.paths.faults}`, "http://page.example", "POST", "content-type")
    expect(asked.status).toBe(204)
    expect(asked.headers.get("access-control-allow-methods")).toContain("POST")
  })
})

describe("connectEmulator", () => {
  it("round-trips every control endpoint", async () => {
    const running = await start({ clock: "virtual", partSize: 1024 })
    const remote = connectEmulator(running.url)
    expect(remote.url).toBe(running.url)

    // fault, clearFaults (one route, then all)
    await remote.fault("dashboard", Fault.sticky(Fault.status(503)))
    await remote.fault("listTasks", Fault.status(502))
    await remote.clearFaults("dashboard")
    expect((await get(running, Api.paths.dashboard)).status).toBe(200)
    await remote.clearFaults()
    expect((await get(running, Api.paths.tasks)).status).toBe(200)

    // defineBlock, advance, now
    await remote.defineBlock({ packageName: "@test/remote", resultData: 42, durations: { running: 0 } })
    const taskID = await createTask(running, { packageName: "@test/remote" })
    const before = await remote.now()
    expect(before).toBe(running.now())
    expect(await remote.advance(1_000)).toBe(before + 1_000)
    expect(running.now()).toBe(before + 1_000)
    expect((await get(running, Api.paths.taskResult(taskID))).json).toMatchObject({ resultData: 42 })

    // partUploads
    const init = await call(`${running.uploadBaseUrl}${Api.paths.uploadInit}`, {
      method: "POST",
      body: { file_extension: ".txt", size: 10, file_name: "note" }
    })
    const upload = (init.json as typeof Upload.UploadInitResponse.Type).data
    expect((await fetch(upload.presigned_urls["1"]!, { method: "PUT", body: new Uint8Array(10) })).status).toBe(200)
    expect(await remote.partUploads()).toEqual(running.partUploads())
    expect(await remote.partUploads()).toHaveLength(1)

    // counters, requestLog (every route, then one)
    expect(await remote.counters()).toEqual(running.counters())
    expect(await remote.requestLog()).toEqual(running.requestLog())
    expect((await remote.requestLog("createTask")).map(({ method, route }) => [route, method]))
      .toEqual([["createTask", "POST"]])

    // seedSharedTask, configureQueue
    const shared = await remote.seedSharedTask({ taskID: "shared-remote", packageName: "@test/remote" })
    expect(shared).toBe("shared-remote")
    expect((await get(running, Api.paths.task(shared))).json).toMatchObject({ taskType: "shared" })
    const dashboard = await remote.configureQueue({ maxConcurrency: 2, pause: "billing" })
    expect(dashboard).toEqual((await get(running, Api.paths.dashboard)).json)
    expect(dashboard).toMatchObject({ limits: { maxConcurrency: 2 }, pause: { paused: true, type: "billing" } })

    // reset
    await remote.reset()
    expect(running.createdTasks()).toBe(0)
    expect(await remote.requestLog()).toEqual([])
  })

  it("rejects with the path and the reason: a value its schema refuses, an error of the emulator, no emulator", async () => {
    const running = await start()
    const remote = connectEmulator(running.url)
    // The description's schemas check the call before it is sent.
    await expect(remote.advance(-1)).rejects.toThrow(`${Control.paths.advance}: ms: Expected a value greater than or equal to 0`)
    await expect(remote.configureQueue({ maxConcurrency: 0 })).rejects.toThrow(Control.paths.queue)
    expect(running.requestLog()).toEqual([])
    // The emulator's own { message } when it answers one.
    await remote.seedSharedTask({ taskID: "twice" })
    await expect(remote.seedSharedTask({ taskID: "twice" })).rejects.toThrow(/shared-tasks: .*Task twice already exists/)
    await running.close()
    await expect(connectEmulator(running.url).now()).rejects.toThrow(Control.paths.clock)
  })
})

describe("an HttpApiClient made from Control.Api", () => {
  it.effect("controls the emulator served in process", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const control = yield* HttpApiClient.make(Control.Api, { baseUrl: emulator.url })
      expect(yield* control.fault({ payload: { route: "dashboard", fault: Fault.status(503, { times: 2 }) } }))
        .toEqual({ pending: 1 })
      expect(yield* emulator.pendingFaults("dashboard")).toBe(1)
      expect(yield* control.advance({ payload: { ms: 500 } })).toEqual({ now: (yield* emulator.now()) })
      expect((yield* control.counters()).requests.dashboard).toBe(0)
      expect(yield* control.reset()).toEqual({})
      expect(yield* emulator.pendingFaults("dashboard")).toBe(0)
    }).pipe(Effect.provide(Emulator.layerClient({ clock: "virtual" }))))

  it.effect("decodes a refusal as the description's error, InvalidRequest", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const http = yield* HttpClient.HttpClient
      // Sent raw: the client's own encoding would refuse this route before sending.
      const request = HttpClientRequest.post(`${emulator.url}${Control.paths.faults}`).pipe(
        HttpClientRequest.bodyText(JSON.stringify({ route: "nowhere", fault: { _tag: "Drop" } }), "application/json")
      )
      const response = yield* http.execute(request)
      expect(response.status).toBe(400)
      const refused = yield* Effect.flip(HttpApiClient.decodeResponse(Control.Api, { group: "control", endpoint: "fault" })(response))
      expect(refused).toBeInstanceOf(Control.InvalidRequest)
      expect(refused._tag).toBe("InvalidRequest")
      expect(refused.message).toMatch(/^route must be one of createTask, listTasks, /)
    }).pipe(Effect.provide(Emulator.layerClient())))
})
