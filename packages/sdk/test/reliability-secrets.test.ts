/**
 * The Promise client keeps the API key (and the default headers) secret: in
 * no error it rejects with, however printed, nor in an inspection of the
 * client; presigned part PUTs carry neither.
 */
import { Fault, type Route, type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { OomolTaskClient } from "oomol-cloud-task-sdk"
import { createServer, type IncomingHttpHeaders } from "node:http"
import { inspect } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const SECRET = "sk-live-SECRET-3f9a"
const TEAM_TOKEN = "team-SECRET-8d21"
const secrets = [SECRET, TEAM_TOKEN]
const TASK = { packageName: "@test/p", packageVersion: "1.0.0", blockName: "main" }

const json = (value: unknown) => {
  try {
    return JSON.stringify(value) ?? ""
  } catch (error) {
    return String(error)
  }
}

/** Every way a rejection is commonly printed, each checked for a secret. */
const leaks = (values: ReadonlyArray<unknown>): ReadonlyArray<string> =>
  values.flatMap((value) =>
    [
      String(value),
      value instanceof Error ? `${value.message}\n${value.stack}` : "",
      json(value),
      inspect(value, { depth: Infinity }),
      inspect(value, { depth: Infinity, showHidden: true })
    ].filter((text) => secrets.some((secret) => text.includes(secret)))
  )

const clients: Array<OomolTaskClient> = []
const clientOf = (emulator: RunningEmulator, options: ConstructorParameters<typeof OomolTaskClient>[0] = {}) => {
  const client = new OomolTaskClient({
    apiKey: SECRET,
    baseUrl: emulator.url,
    defaultHeaders: { "x-team-token": TEAM_TOKEN },
    retries: 0,
    ...options
  })
  clients.push(client)
  return client
}

const emulators: Array<RunningEmulator> = []
const emulatorOf = async (options: Parameters<typeof startEmulator>[0] = {}) => {
  const emulator = await startEmulator({ partSize: 1024, ...options })
  emulators.push(emulator)
  return emulator
}
afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()))
  await Promise.all(emulators.splice(0).map((e) => e.close()))
})

const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error)
const drain = async (iterator: AsyncIterable<unknown>) => {
  for await (const _ of iterator) void _
}

type Call = (client: OomolTaskClient, emulator: RunningEmulator, taskID: string) => Promise<unknown>

const methods: ReadonlyArray<readonly [Route.RouteName, Call]> = [
  ["createTask", (c) => c.createTask(TASK)],
  ["listTasks", (c) => c.listTasks({ size: 5 })],
  ["listTasks", (c) => drain(c.tasks())],
  ["latestTasks", (c) => c.getLatestTasks(["w"])],
  ["getTask", (c, _, id) => c.getTask(id)],
  ["getTaskResult", (c, _, id) => c.getTaskResult(id)],
  ["getTaskResult", (c, _, id) => c.awaitResult(id, { intervalMs: 5, timeoutMs: 150 })],
  ["getTaskResult", (c, _, id) => drain(c.watch(id, { intervalMs: 5, timeoutMs: 150 }))],
  ["getTaskLogs", (c, _, id) => c.getTaskLogs(id)],
  ["getTaskLogs", (c, _, id) => drain(c.logs(id))],
  ["dashboard", (c) => c.getDashboard()],
  ["pause", (c) => c.pauseUserQueue()],
  ["resume", (c) => c.resumeUserQueue()],
  ["uploadInit", (c, e) => c.uploadFile(new Uint8Array(10), { uploadBaseUrl: e.uploadBaseUrl })],
  ["uploadPart", (c, e) => c.uploadFile(new Uint8Array(10), { uploadBaseUrl: e.uploadBaseUrl, retries: 1 })],
  ["uploadUrl", (c, e) => c.uploadFile(new Uint8Array(10), { uploadBaseUrl: e.uploadBaseUrl })]
]

const faults: ReadonlyArray<Fault.Fault> = [
  Fault.tooManyRequests(1),
  Fault.status(500),
  Fault.status(503),
  Fault.drop(),
  Fault.dropMidBody(),
  Fault.hang(),
  Fault.malformedJson(),
  Fault.htmlError(),
  Fault.schemaBreak()
]

describe("the Promise client keeps the key secret", () => {
  const errors: Array<unknown> = []
  beforeAll(async () => {
    // Each method on its own emulator, side by side; each fault for good.
    await Promise.all(methods.map(async ([route, call]) => {
      const emulator = await emulatorOf()
      const client = clientOf(emulator, { requestTimeoutMs: 300 })
      const { taskID } = await clientOf(emulator).createTask(TASK)
      for (const fault of faults) {
        // A part has its own timeout (10 minutes) and is cancelled by a signal, as below.
        if (route === "uploadPart" && fault._tag === "Hang") continue
        emulator.fault(route, Fault.sticky(fault))
        errors.push(await rejection(call(client, emulator, taskID)))
        emulator.clearFaults()
      }
    }))

    const emulator = await emulatorOf({ blocks: [{ packageName: "@test/fails", fail: "Insufficient balance" }] })
    const client = clientOf(emulator)
    const upload = (options = {}) => client.uploadFile(new Uint8Array(10), { uploadBaseUrl: emulator.uploadBaseUrl, ...options })
    errors.push(
      await rejection(client.listTasks({ size: 0 })),
      await rejection(client.createTask({ ...TASK, inputValues: { f: () => 1 } })),
      await rejection(client.createAndWait({ ...TASK, packageName: "@test/fails" }, { intervalMs: 5 }))
    )
    emulator.fault("uploadInit", Fault.schemaBreak({ field: "data.presigned_urls.1" }))
    errors.push(await rejection(upload()))
    emulator.fault("uploadPart", Fault.status(403))
    errors.push(await rejection(upload()))
    emulator.fault("uploadPart", Fault.sticky(Fault.hang()))
    errors.push(await rejection(upload({ signal: AbortSignal.timeout(100) })))
    emulator.clearFaults()
    errors.push(await rejection(client.getDashboard({ signal: AbortSignal.abort(new Error("user left")) })))

    const refusing = await emulatorOf({ apiKey: "someone-else" })
    errors.push(await rejection(clientOf(refusing).getDashboard()))
    const closed = await emulatorOf()
    await closed.close()
    errors.push(await rejection(clientOf(closed).getDashboard()))
    const disposed = clientOf(emulator)
    await disposed.dispose()
    errors.push(await rejection(disposed.getDashboard()))
  }, 30_000)

  it("in no rejection of any kind", () => {
    // Some faults leave some calls whole (a part's answer is never read as JSON).
    const failures = errors.filter((e) => e !== undefined)
    expect(failures.length).toBeGreaterThan(100)
    const kinds = new Set(failures.map((e) => {
      const error = e as { name?: string; code?: string }
      return error.name === "UploadError" ? `UploadError ${error.code}` : error.name
    }))
    expect([...kinds].sort()).toEqual([
      "AbortError",
      "ApiError",
      "ClientDisposedError",
      "InvalidInputError",
      "MalformedResponseError",
      "NetworkError",
      "TaskFailedError",
      "TaskMayExistError",
      "TimeoutError",
      "UploadError GET_UPLOAD_URL_FAILED",
      "UploadError INIT_UPLOAD_FAILED",
      "UploadError MISSING_PRESIGNED_URL",
      "UploadError RETRY_EXHAUSTED",
      "UploadError UPLOAD_CANCELLED",
      "UploadError UPLOAD_FAILED"
    ])
    // A network failure keeps what the transport said, and the connection refused says it was never sent.
    expect(failures.some((e) => (e as Error).name === "NetworkError" && (e as Error).cause !== undefined)).toBe(true)
    expect(failures.some((e) => (e as { requestSent?: boolean }).requestSent === false)).toBe(true)
    expect(leaks(failures)).toEqual([])
  })

  it("in an inspection of the client, over fetch and over the default transport", async () => {
    const emulator = await emulatorOf()
    for (const client of [clientOf(emulator), clientOf(emulator, { fetch: globalThis.fetch })]) {
      await client.getDashboard()
      expect(emulator.requestLog("dashboard").at(-1)?.headers).toMatchObject({ authorization: `Bearer ${SECRET}` })
      expect(leaks([client, Object.getPrototypeOf(client)])).toEqual([])
    }
  })
})

describe("the Promise client's part PUTs carry no credentials", () => {
  it("on the emulator's store and on another host", async () => {
    const received: Array<IncomingHttpHeaders> = []
    const store = createServer((request, response) => {
      received.push(request.headers)
      request.resume().on("end", () => response.end())
    })
    await new Promise<void>((resolve) => store.listen(0, "127.0.0.1", resolve))
    const address = store.address()
    const storeUrl = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`
    try {
      const emulator = await emulatorOf()
      for (const client of [clientOf(emulator), clientOf(emulator, { fetch: globalThis.fetch })]) {
        await client.uploadFile(new Uint8Array(3 * 1024), { uploadBaseUrl: emulator.uploadBaseUrl })
        emulator.fault("uploadInit", Fault.status(200, {
          body: {
            data: { upload_id: "elsewhere", part_size: 1024, total_parts: 1, presigned_urls: { "1": `${storeUrl}/bucket/1?sig=s` } }
          }
        }))
        emulator.fault("uploadUrl", Fault.status(200, {
          body: { data: { url: `${storeUrl}/f`, expires_at: "x", file_name: "f", file_size: 10, mime_type: "x" } }
        }))
        expect(await client.uploadFile(new Uint8Array(10), { uploadBaseUrl: emulator.uploadBaseUrl })).toBe(`${storeUrl}/f`)
      }
      const parts = emulator.partUploads()
      expect(parts).toHaveLength(6)
      for (const part of parts) expect(part).toMatchObject({ authorization: false, cookie: false, nonStandardHeaders: [] })
      expect(received).toHaveLength(2)
      for (const headers of received) {
        expect(headers.authorization).toBeUndefined()
        expect(headers["x-team-token"]).toBeUndefined()
        expect(headers.cookie).toBeUndefined()
      }
    } finally {
      store.closeAllConnections()
      await new Promise((resolve) => store.close(resolve))
    }
  })
})
