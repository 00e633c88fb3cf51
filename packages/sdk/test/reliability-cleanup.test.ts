/**
 * The Promise client cleans up after an abort, a timeout or a dispose in the
 * middle of a poll, a sleep, a retry's wait or an upload: the process is left
 * with no more timers or sockets than before the client was made.
 *
 * Over a `fetch` that keeps no idle connection the count is exact right after
 * the call; over the default Node transport (an undici pool per client, which
 * keeps idle connections for reuse) no timer is left after the call, and
 * nothing at all after `dispose()`.
 */
import { Fault, type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { Agent, fetch as undiciFetch } from "@effect/platform-node/Undici"
import {
  ClientDisposedError,
  NetworkError,
  OomolTaskClient,
  TimeoutError,
  UploadError
} from "oomol-cloud-task-sdk"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"

const LONG = { packageName: "@test/long", packageVersion: "1.0.0", blockName: "main" }

let emulator: RunningEmulator
let agent: Agent
beforeAll(async () => {
  emulator = await startEmulator({
    partSize: 1024,
    blocks: [{ packageName: LONG.packageName, durations: { queued: 0, running: 3_600_000 } }]
  })
  agent = new Agent({ pipelining: 0 })
})
afterAll(async () => {
  await agent.destroy()
  await emulator.close()
})
afterEach(() => emulator.clearFaults())

// A fetch whose every connection closes once its answer is in.
const freshFetch = ((input: string, init: RequestInit) =>
  undiciFetch(input, { ...init, dispatcher: agent } as Parameters<typeof undiciFetch>[1])) as unknown as typeof fetch

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const count = (resources: ReadonlyArray<string>) =>
  resources.reduce((map, r) => map.set(r, (map.get(r) ?? 0) + 1), new Map<string, number>())

/** What is active beyond `baseline` (only `kinds`, when given), once what was closing has closed (briefly). */
const beyond = async (baseline: ReadonlyArray<string>, kinds?: ReadonlyArray<string>) => {
  const extra = () => {
    const before = count(baseline)
    const left: Record<string, number> = {}
    for (const [kind, n] of count(process.getActiveResourcesInfo())) {
      if (kinds !== undefined && !kinds.includes(kind)) continue
      if (n > (before.get(kind) ?? 0)) left[kind] = n - (before.get(kind) ?? 0)
    }
    return left
  }
  for (let turn = 0; turn < 50 && Object.keys(extra()).length > 0; turn++) await sleep(10)
  return extra()
}

const requestsReach = async (route: Parameters<RunningEmulator["requests"]>[0], before: number, count = 1) => {
  for (let turn = 0; turn < 500 && emulator.requests(route) - before < count; turn++) await sleep(5)
  expect(emulator.requests(route) - before).toBeGreaterThanOrEqual(count)
  // Past the request, into whatever wait follows it.
  await sleep(20)
}

const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error)

const isAbort = (error: unknown) => expect(error).toMatchObject({ name: "AbortError", message: "The operation was aborted." })

interface Scenario {
  readonly name: string
  readonly options?: { readonly retries?: number; readonly requestTimeoutMs?: number }
  readonly run: (client: OomolTaskClient) => Promise<void>
}

const scenarios: ReadonlyArray<Scenario> = [
  {
    name: "an abort while a poll sleeps",
    run: async (client) => {
      const { taskID } = await client.createTask(LONG)
      const controller = new AbortController()
      const before = emulator.requests("getTaskResult")
      const pending = rejection(client.awaitResult(taskID, { intervalMs: 60_000, signal: controller.signal }))
      await requestsReach("getTaskResult", before)
      controller.abort()
      isAbort(await pending)
    }
  },
  {
    name: "an abort during a request that hangs",
    run: async (client) => {
      emulator.fault("getTaskResult", Fault.sticky(Fault.hang()))
      const controller = new AbortController()
      const before = emulator.requests("getTaskResult")
      const pending = rejection(client.awaitResult("any", { signal: controller.signal }))
      await requestsReach("getTaskResult", before)
      controller.abort()
      isAbort(await pending)
    }
  },
  {
    name: "an abort during a retry's wait",
    run: async (client) => {
      emulator.fault("dashboard", Fault.sticky(Fault.status(503, { retryAfter: 60 })))
      const controller = new AbortController()
      const before = emulator.requests("dashboard")
      const pending = rejection(client.getDashboard({ signal: controller.signal }))
      await requestsReach("dashboard", before)
      controller.abort()
      isAbort(await pending)
    }
  },
  {
    name: "a wait's timeout in the middle of a poll",
    run: async (client) => {
      const { taskID } = await client.createTask(LONG)
      emulator.fault("getTaskResult", Fault.sticky(Fault.hang()))
      expect(await rejection(client.awaitResult(taskID, { intervalMs: 10, timeoutMs: 300 }))).toBeInstanceOf(TimeoutError)
    }
  },
  {
    name: "a wait's timeout while it sleeps",
    run: async (client) => {
      const { taskID } = await client.createTask(LONG)
      expect(await rejection(client.awaitResult(taskID, { intervalMs: 60_000, timeoutMs: 200 }))).toBeInstanceOf(TimeoutError)
    }
  },
  {
    name: "the request timeout",
    options: { retries: 0, requestTimeoutMs: 200 },
    run: async (client) => {
      emulator.fault("getTask", Fault.sticky(Fault.hang()))
      const error = await rejection(client.getTask("any"))
      expect(error).toBeInstanceOf(NetworkError)
    }
  },
  {
    name: "an abort in the middle of an upload",
    run: async (client) => {
      emulator.fault("uploadPart", Fault.sticky(Fault.hang()))
      const controller = new AbortController()
      const before = emulator.requests("uploadPart")
      const pending = rejection(client.uploadFile(new Uint8Array(8 * 1024), {
        uploadBaseUrl: emulator.uploadBaseUrl,
        concurrency: 4,
        signal: controller.signal
      }))
      await requestsReach("uploadPart", before, 4)
      controller.abort()
      expect(await pending).toMatchObject({ code: "UPLOAD_CANCELLED" })
      expect(await pending).toBeInstanceOf(UploadError)
    }
  },
  {
    name: "an iterator left after its first value",
    run: async (client) => {
      const { taskID } = await client.createTask(LONG)
      for await (const status of client.watch(taskID, { intervalMs: 60_000 })) {
        expect(status.status).not.toBe("success")
        break
      }
    }
  },
  {
    name: "a dispose while waiting",
    run: async (client) => {
      const { taskID } = await client.createTask(LONG)
      const before = emulator.requests("getTaskResult")
      const pending = rejection(client.awaitResult(taskID, { intervalMs: 60_000 }))
      const iterator = client.awaitAll([taskID], { intervalMs: 60_000 })
      const next = rejection(iterator.next())
      await requestsReach("getTaskResult", before, 2)
      await client.dispose()
      expect(await pending).toBeInstanceOf(ClientDisposedError)
      expect(await next).toBeInstanceOf(ClientDisposedError)
    }
  }
]


describe("the Promise client leaves nothing behind", () => {
  for (const scenario of scenarios) {
    it(`${scenario.name}, over a fetch without idle connections: exactly the baseline after the call`, async () => {
      const baseline = process.getActiveResourcesInfo()
      const client = new OomolTaskClient({ apiKey: "k", ...scenario.options, baseUrl: emulator.url, fetch: freshFetch })
      try {
        await scenario.run(client)
        expect(await beyond(baseline)).toEqual({})
      } finally {
        await client.dispose()
      }
      expect(await beyond(baseline)).toEqual({})
    })

    it(`${scenario.name}, over the default transport: no timer after the call, nothing after dispose()`, async () => {
      const baseline = process.getActiveResourcesInfo()
      const client = new OomolTaskClient({ apiKey: "k", ...scenario.options, baseUrl: emulator.url })
      try {
        await scenario.run(client)
        expect(await beyond(baseline, ["Timeout", "Immediate"])).toEqual({})
      } finally {
        await client.dispose()
      }
      expect(await beyond(baseline)).toEqual({})
    })
  }
})
