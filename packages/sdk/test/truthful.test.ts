/**
 * Truthful failures through the Promise client, as a hostile or unlucky user
 * meets them: a request that never left the machine is never "may have been
 * created"; input goes as JSON writes it, or is refused naming the field;
 * misuse is a clear `InvalidInputError` at once, never a hang or a call left
 * running; `requestTimeoutMs` holds whatever a caller's `fetch` does; an
 * answer too large to be an API answer is refused, not read into memory.
 */
import { type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import {
  InvalidInputError,
  MalformedResponseError,
  NetworkError,
  OomolTaskClient,
  TaskMayExistError
} from "oomol-cloud-task-sdk"
import { readFileSync } from "node:fs"
import { createServer } from "node:https"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { clientWith, dashboard, running, scriptedFetch } from "./support/fetch.js"

const BLOCK = { packageName: "@test/p", packageVersion: "1.0.0", blockName: "main" }
const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error)

let emulator: RunningEmulator
beforeAll(async () => {
  emulator = await startEmulator({ apiKey: "k" })
})
afterAll(() => emulator.close())

// A client of the test's, disposed at the end of it.
const using = async (options: ConstructorParameters<typeof OomolTaskClient>[0], use: (client: OomolTaskClient) => Promise<void>) => {
  const client = new OomolTaskClient({ retries: 0, ...options })
  try {
    await use(client)
  } finally {
    await client.dispose()
  }
}

describe("a request that never left the machine is never TaskMayExistError", () => {
  const fixture = (name: string) => readFileSync(new URL(`../../effect/test/fixtures/${name}`, import.meta.url))

  for (const [transport, options] of [["the default transport", {}], ["a caller's fetch", { fetch: globalThis.fetch }]] as const) {
    it(`a TLS certificate no one trusts, over ${transport}: NetworkError, requestSent false; the server saw no request`, async () => {
      let received = 0
      const server = createServer({ key: fixture("self-signed.key"), cert: fixture("self-signed.crt") }, (_, response) => {
        received++
        response.end("{}")
      })
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
      try {
        const baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
        await using({ ...options, baseUrl, apiKey: "k" }, async (client) => {
          const created = await rejection(client.createTask(BLOCK))
          expect(created).toBeInstanceOf(NetworkError)
          expect(created).not.toBeInstanceOf(TaskMayExistError)
          expect(created).toMatchObject({ requestSent: false })
          expect(await rejection(client.getDashboard())).toMatchObject({ requestSent: false })
        })
      } finally {
        server.closeAllConnections()
        await new Promise((resolve) => server.close(resolve))
      }
      expect(received).toBe(0)
    })

    it(`an API key read with a trailing newline is trimmed, as the official SDK's fetch trims it, over ${transport}`, async () => {
      await using({ ...options, baseUrl: emulator.url, apiKey: "k\n" }, async (client) => {
        expect((await client.createTask(BLOCK)).taskID).toBeTypeOf("string")
        expect(emulator.requestLog("createTask").at(-1)?.headers).toMatchObject({ authorization: "Bearer k" })
      })
    })

    it(`an API key with a line break inside is an InvalidInputError, nothing sent, over ${transport}`, async () => {
      const before = emulator.requests()
      await using({ ...options, baseUrl: emulator.url, apiKey: "k\nx-injected: 1" }, async (client) => {
        const error = await rejection(client.createTask(BLOCK))
        expect(error).toBeInstanceOf(InvalidInputError)
        expect((error as Error).message).toBe("apiKey is not a valid header value: it contains a line break")
      })
      expect(emulator.requests()).toBe(before)
    })
  }

  it("a port fetch refuses (6000): NetworkError, requestSent false", async () => {
    await using({ baseUrl: "http://127.0.0.1:6000", fetch: globalThis.fetch }, async (client) => {
      const error = await rejection(client.createTask(BLOCK))
      expect(error).toBeInstanceOf(NetworkError)
      expect(error).toMatchObject({ requestSent: false, message: "POST /v3/users/me/tasks failed: bad port" })
    })
  })

  it("a fetch failure that proves nothing either way still counts as sent", async () => {
    const s = scriptedFetch(() => ({ fail: new TypeError("Failed to fetch") }))
    const error = await rejection(clientWith(s.fetch).createTask(BLOCK))
    expect(error).toBeInstanceOf(TaskMayExistError)
  })
})

describe("inputValues go as JSON.stringify writes them, as in the official SDK", () => {
  class Point {
    constructor(readonly x: number, readonly y: number) {}
  }
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic

  it("a Date, a URL, a toJSON and a class instance are sent as JSON writes them; a JSON __proto__ key is kept", async () => {
    const s = scriptedFetch(() => ({ json: { taskID: "t" } }))
    const inputValues = {
      when: new Date(0),
      site: new URL("https://x.test/a"),
      price: { toJSON: () => "12.50" },
      point: new Point(3, 4),
      raw: JSON.parse("{\"__proto__\":1}") as unknown
    }
    await clientWith(s.fetch).createTask({ ...BLOCK, inputValues })
    expect(s.calls[0]!.body).toBe(JSON.stringify({ type: "serverless", ...BLOCK, inputValues }))
    expect(s.calls[0]!.body).toContain("\"raw\":{\"__proto__\":1}")
  })

  const refused: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
    ["NaN", { a: [1, Number.NaN] }, "inputValues.a[1] is NaN, which JSON cannot carry"],
    ["a cycle at the top", cyclic, "inputValues.self refers to itself, which JSON cannot carry"],
    ["a Map", { m: new Map() }, "inputValues.m is a Map, which JSON cannot carry"],
    ["an invalid Date", { d: new Date(Number.NaN) }, "inputValues.d is an invalid Date, which JSON cannot carry"]
  ]
  for (const [name, inputValues, message] of refused) {
    it(`${name}: an InvalidInputError naming the field, nothing sent`, async () => {
      const s = scriptedFetch(() => ({ json: { taskID: "t" } }))
      const error = await rejection(clientWith(s.fetch).createTask({ ...BLOCK, inputValues }))
      expect(error).toBeInstanceOf(InvalidInputError)
      expect((error as Error).message).toBe(message)
      expect(s.calls).toHaveLength(0)
    })
  }
})

describe("misuse is a clear InvalidInputError at once", () => {
  it("awaitAll with a string (an iterable of characters) polls nothing", async () => {
    const s = scriptedFetch(() => running(1))
    const client = clientWith(s.fetch)
    for (const taskIDs of ["task-id", null, 42]) {
      const error = await rejection(client.awaitAll(taskIDs as unknown as Iterable<string>).next())
      expect(error).toBeInstanceOf(InvalidInputError)
      expect((error as Error).message).toBe("taskIDs must be an array or other iterable of task IDs, not a string")
    }
    expect(s.calls).toHaveLength(0)
  })

  it("a signal that is not an AbortSignal: rejected before the call starts, nothing sent, nothing left running", async () => {
    const s = scriptedFetch(() => running(1))
    const client = clientWith(s.fetch)
    const signal = { aborted: false } as unknown as AbortSignal
    const calls = [
      () => client.awaitResult("t", { signal, intervalMs: 10 }),
      () => client.getDashboard({ signal }),
      () => client.createTask(BLOCK, { signal }),
      () => client.getTaskResult("t", signal),
      () => client.watch("t", { signal }).next(),
      () => client.uploadFile(new Uint8Array(1), { signal })
    ]
    for (const call of calls) {
      const error = await rejection(call())
      expect(error).toBeInstanceOf(InvalidInputError)
      expect((error as Error).message).toBe("signal must be an AbortSignal")
    }
    // A call that had started would be polling by now (every 10 ms), out of dispose()'s reach.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(s.calls).toHaveLength(0)
  })

  it("createTask(null) and other requests that are not objects", async () => {
    const s = scriptedFetch(() => ({ json: { taskID: "t" } }))
    const client = clientWith(s.fetch)
    for (const request of [null, undefined, "task"]) {
      for (const call of [() => client.createTask(request as never), () => client.createAndWait(request as never)]) {
        const error = await rejection(call())
        expect(error).toBeInstanceOf(InvalidInputError)
        expect((error as Error).message).toBe("the task to create must be an object")
      }
    }
    expect(s.calls).toHaveLength(0)
  })

  it("options given as null are no options, as undefined is (no TypeError from inside the client)", async () => {
    const s = scriptedFetch((call) => ({ json: call.url.pathname.endsWith("/result") ? { status: "success", resultURL: null } : dashboard }))
    const client = clientWith(s.fetch)
    expect(await client.awaitResult("t", null as never)).toMatchObject({ status: "success" })
    expect(await client.createAndWait({ ...BLOCK }, null as never).catch((e: unknown) => e)).not.toBeInstanceOf(TypeError)
    expect((await client.watch("t", null as never).next()).value).toMatchObject({ status: "success" })
    expect(await client.logs("t", null as never).next().catch((e: unknown) => e)).not.toBeInstanceOf(TypeError)
    expect(await client.awaitAll(["t"], null as never).next()).toMatchObject({ value: { taskID: "t", status: "fulfilled" } })
    expect(await client.uploadFile(new Uint8Array(1), null as never).catch((e: unknown) => e)).not.toBeInstanceOf(TypeError)
  })

  it("a query that is no object is the same InvalidInputError for tasks() as for listTasks()", async () => {
    const s = scriptedFetch(() => ({ json: { tasks: [], nextToken: null } }))
    const client = clientWith(s.fetch)
    for (const query of [null, 42]) {
      const listed = await rejection(client.listTasks(query as never))
      const iterated = await rejection(client.tasks(query as never).next())
      expect(listed).toBeInstanceOf(InvalidInputError)
      expect(iterated).toBeInstanceOf(InvalidInputError)
      expect((iterated as Error).message).toBe((listed as Error).message)
    }
    expect(s.calls).toHaveLength(0)
  })

  it("a fetch that is not a function fails every call at once, never tried again", async () => {
    await using({ baseUrl: emulator.url, fetch: "x" as unknown as typeof fetch, retries: 3 }, async (client) => {
      for (const call of [() => client.getDashboard(), () => client.createTask(BLOCK)]) {
        const error = await rejection(call())
        expect(error).toBeInstanceOf(InvalidInputError)
        expect((error as Error).message).toBe("fetch must be a function")
      }
    })
  })

  it("default headers and credentials no transport can send fail every call at once", async () => {
    const cases: ReadonlyArray<readonly [ConstructorParameters<typeof OomolTaskClient>[0], string]> = [
      [{ defaultHeaders: { "x-client": "a\nb" } }, "defaultHeaders[\"x-client\"] is not a valid header value: it contains a line break"],
      [{ defaultHeaders: "x-client: a" as never }, "defaultHeaders must be an object of header names and values"],
      [{ credentials: "bogus" as RequestCredentials }, "credentials must be \"omit\", \"same-origin\" or \"include\""]
    ]
    const before = emulator.requests()
    for (const [options, message] of cases) {
      await using({ ...options, baseUrl: emulator.url }, async (client) => {
        const error = await rejection(client.getDashboard())
        expect(error).toBeInstanceOf(InvalidInputError)
        expect((error as Error).message).toBe(message)
      })
    }
    expect(emulator.requests()).toBe(before)
  })
})

describe("requestTimeoutMs holds whatever a caller's fetch does", () => {
  const fetches: Record<string, typeof fetch> = {
    "ignores the signal and never settles": () => new Promise(() => {}),
    "answers, then never ends the body": async () =>
      new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode("{")) }), { status: 200 }),
    "settles long after the timeout, ignoring the signal": () =>
      new Promise((resolve) => setTimeout(() => resolve(new Response(JSON.stringify(dashboard))), 60_000).unref())
  }
  for (const [name, fetch] of Object.entries(fetches)) {
    it(`a fetch that ${name}: NetworkError "no answer within 200ms"`, async () => {
      const error = await rejection(clientWith(fetch, { requestTimeoutMs: 200 }).getDashboard())
      expect(error).toBeInstanceOf(NetworkError)
      expect((error as Error).message).toBe("GET /v3/users/me/dashboard failed: no answer within 200ms")
    })
  }
})

describe("an answer larger than any the API gives", () => {
  it("is a MalformedResponseError, its body not kept (16 MiB by default)", async () => {
    const huge = `{"pad":"${" ".repeat(16 * 1024 * 1024)}"}`
    const s = scriptedFetch(() => ({ text: huge }))
    const error = await rejection(clientWith(s.fetch).getDashboard())
    expect(error).toBeInstanceOf(MalformedResponseError)
    expect(error).toMatchObject({
      status: 200,
      body: undefined,
      message: "GET /v3/users/me/dashboard answered 200 with a body larger than 16777216 bytes"
    })
  })

  it("is refused even when its Content-Length says less (a browser hides a cross-origin Content-Encoding)", async () => {
    const huge = `{"pad":"${" ".repeat(16 * 1024 * 1024)}"}`
    const s = scriptedFetch(() => ({ text: huge, headers: { "content-length": "1024" } }))
    const error = await rejection(clientWith(s.fetch).getDashboard())
    expect(error).toBeInstanceOf(MalformedResponseError)
    expect((error as Error).message).toBe("GET /v3/users/me/dashboard answered 200 with a body larger than 16777216 bytes")
  })
})
