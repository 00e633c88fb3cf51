/**
 * Hostile input through the Promise client: a base URL that is not http(s)
 * makes every call reject before anything is sent; input JSON cannot carry is
 * refused the same way; a task ID stays one segment of its route.
 */
import { type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { ApiError, InvalidInputError, OomolTaskClient } from "oomol-cloud-task-sdk"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

let emulator: RunningEmulator
beforeAll(async () => {
  emulator = await startEmulator()
})
afterAll(() => emulator.close())

const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error)

describe("hostile input through the Promise client", () => {
  it("a base URL that is not http(s): every call rejects, and nothing is sent", async () => {
    let fetched = 0
    const fetch: typeof globalThis.fetch = (input, init) => {
      fetched++
      return globalThis.fetch(input, init)
    }
    for (const baseUrl of ["ftp://host", "file:///etc/passwd", "javascript:alert(1)", "not a url", "//host"]) {
      for (const options of [{}, { fetch }]) {
        const client = new OomolTaskClient({ apiKey: "k", baseUrl, ...options })
        try {
          for (const call of [() => client.getDashboard(), () => client.createTask({ packageName: "p", packageVersion: "1", blockName: "b" })]) {
            const error = await rejection(call())
            expect(error).toBeInstanceOf(InvalidInputError)
            expect((error as Error).message).toBe("baseUrl must be an http:// or https:// URL")
          }
        } finally {
          await client.dispose()
        }
      }
    }
    expect(fetched).toBe(0)
  })

  it("input JSON cannot carry, or too much of it, is refused before sending", async () => {
    const client = new OomolTaskClient({ apiKey: "k", baseUrl: emulator.url })
    try {
      const before = emulator.requests()
      for (const inputValues of [{ f: () => 1 }, { n: 1n }, { x: Number.NaN }, { big: "x".repeat(9 * 1024 * 1024) }]) {
        const error = await rejection(client.createTask({ packageName: "p", packageVersion: "1", blockName: "b", inputValues }))
        expect(error).toBeInstanceOf(InvalidInputError)
      }
      expect(emulator.requests() - before).toBe(0)
    } finally {
      await client.dispose()
    }
  })

  it("a task ID stays one segment of its route", async () => {
    const client = new OomolTaskClient({ apiKey: "k", baseUrl: emulator.url })
    try {
      for (const id of ["a/../b", "../dashboard", "?x=1#y", "ünï cødé"]) {
        const error = await rejection(client.getTask(id))
        expect(error).toBeInstanceOf(ApiError)
        expect(error).toMatchObject({ status: 404, message: `Task ${id} not found` })
        const received = emulator.requestLog().at(-1)!
        expect(received.route).toBe("getTask")
        expect(new URL(received.url, emulator.url).pathname).toBe(`/v3/users/me/tasks/${encodeURIComponent(id)}`)
      }
      expect(await rejection(client.getTask("latest"))).toBeInstanceOf(InvalidInputError)
    } finally {
      await client.dispose()
    }
  })
})
