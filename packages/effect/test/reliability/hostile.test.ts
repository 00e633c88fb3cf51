/**
 * Hostile input: a task ID stays one path segment of the route it was meant
 * for, whatever it holds (as the emulator received it); input that JSON
 * cannot carry, or too much of it, and a base URL that is not http(s), are
 * refused before anything is sent.
 */
import { CloudTaskClient } from "@oomol-cloud-task/effect"
import { type Route, startEmulator } from "@oomol-cloud-task/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Redacted, Stream } from "effect"
import { createServer } from "node:http"
import { clientOn, listening, transports } from "./support.js"

const hostileIDs = [
  "a/b",
  "a/../b",
  "../dashboard",
  "x/..",
  "?size=1",
  "a?b=c",
  "#fragment",
  "a#b",
  "with space",
  " padded ",
  "a%2Fb",
  "%2e%2e",
  ".%2E",
  "back\\slash",
  "tab\tand\nnewline",
  "ünïcødé",
  "日本語のタスク",
  "emoji 🚀",
  "...",
  "a;b=c",
  "latest/result"
]

/** Every call that takes a task ID. */
const byTaskID = (
  client: CloudTaskClient.Service
): ReadonlyArray<(id: string) => Effect.Effect<unknown, { readonly _tag: string }>> => [
  client.getTask,
  client.getTaskResult,
  client.getTaskLogs,
  client.awaitResult,
  (id) => Stream.runDrain(client.watch(id)),
  (id) => Stream.runDrain(client.logs(id))
]

const scopedEmulator = Effect.acquireRelease(
  Effect.promise(() => startEmulator()),
  (emulator) => Effect.promise(emulator.close)
)

describe("a task ID is one path segment", () => {
  for (const [name, transport] of Object.entries(transports)) {
    it.live(`of the route it was meant for, as the emulator received it, over ${name}`, () =>
      Effect.gen(function*() {
        const emulator = yield* scopedEmulator
        const client = Context.get(yield* Layer.build(clientOn(emulator, transport)), CloudTaskClient.CloudTaskClient)
        const calls: ReadonlyArray<readonly [Route.RouteName, string, (id: string) => Effect.Effect<unknown, unknown>]> = [
          ["getTask", "", (id) => client.getTask(id)],
          ["getTaskResult", "/result", (id) => client.getTaskResult(id)],
          ["getTaskLogs", "/logs", (id) => client.getTaskLogs(id, { page: 2 })]
        ]
        for (const id of hostileIDs) {
          for (const [route, suffix, call] of calls) {
            const before = emulator.requests()
            const error = yield* Effect.flip(call(id))
            // The emulator looked the whole ID up, decoded, on the right route.
            expect(error).toMatchObject({ _tag: "ApiError", status: 404, message: `Task ${id} not found` })
            expect(emulator.requests() - before).toBe(1)
            const received = emulator.requestLog().at(-1)!
            expect(received.route).toBe(route)
            const url = new URL(received.url, emulator.url)
            expect(url.pathname).toBe(`/v3/users/me/tasks/${encodeURIComponent(id)}${suffix}`)
            expect(url.search).toBe(route === "getTaskLogs" ? "?page=2" : "")
            expect(url.hash).toBe("")
          }
        }
      }))
  }

  it.live("an ID a path would resolve away is refused, and nothing is sent", () =>
    Effect.gen(function*() {
      const emulator = yield* scopedEmulator
      const client = Context.get(yield* Layer.build(clientOn(emulator, transports.fetch!)), CloudTaskClient.CloudTaskClient)
      for (const id of ["", ".", ".."]) {
        for (const call of byTaskID(client)) {
          expect(yield* Effect.flip(call(id))).toMatchObject({
            _tag: "InvalidInput",
            message: "taskID must be a non-empty string other than \".\" or \"..\""
          })
        }
      }
      expect(emulator.requests()).toBe(0)
    }))

  it.live("\"latest\", which would call the latest-tasks endpoint, is refused, and nothing is sent", () =>
    Effect.gen(function*() {
      const emulator = yield* scopedEmulator
      const client = Context.get(yield* Layer.build(clientOn(emulator, transports.fetch!)), CloudTaskClient.CloudTaskClient)
      for (const call of byTaskID(client)) {
        expect(yield* Effect.flip(call("latest"))).toMatchObject({
          _tag: "InvalidInput",
          message: "taskID \"latest\" names the latest-tasks endpoint, not a task"
        })
      }
      expect(emulator.requests()).toBe(0)
      // Any other ID that starts like it is a task's.
      expect(yield* Effect.flip(client.getTask("latest/"))).toMatchObject({ status: 404, message: "Task latest/ not found" })
      expect(emulator.requestLog().at(-1)?.route).toBe("getTask")
    }))

  it.live("query values stay values", () =>
    Effect.gen(function*() {
      const emulator = yield* scopedEmulator
      const client = Context.get(yield* Layer.build(clientOn(emulator, transports.fetch!)), CloudTaskClient.CloudTaskClient)
      const workloadID = "w&size=1#x?y=/../z"
      yield* client.listTasks({ workloadID, blockName: "b c" })
      const url = new URL(emulator.requestLog("listTasks").at(-1)!.url, emulator.url)
      expect(url.pathname).toBe("/v3/users/me/tasks")
      expect(Object.fromEntries(url.searchParams)).toEqual({ workloadID, blockName: "b c" })
    }))
})

describe("input refused before anything is sent", () => {
  const request = { packageName: "@test/p", packageVersion: "1.0.0", blockName: "main" }
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  const deeper: { a: { b: Record<string, unknown> } } = { a: { b: {} } }
  deeper.a.b.c = deeper.a

  const unsendable: ReadonlyArray<readonly [string, Record<string, unknown>, RegExp]> = [
    ["a function", { f: () => 1 }, /^inputValues\.f is a function, which JSON cannot carry$/],
    ["a bigint", { n: 10n }, /^inputValues\.n is a bigint, which JSON cannot carry$/],
    ["a symbol", { s: Symbol("s") }, /^inputValues\.s is a symbol, which JSON cannot carry$/],
    ["NaN", { deep: { x: [1, Number.NaN] } }, /^inputValues\.deep\.x\[1\] is NaN, which JSON cannot carry$/],
    ["Infinity", { x: Infinity }, /^inputValues\.x is Infinity, which JSON cannot carry$/],
    ["a cycle", { a: cyclic }, /^inputValues\.a\.self refers to itself, which JSON cannot carry$/],
    // The path is the field's own, at the top too (it was one level too deep).
    ["a cycle at the top", cyclic, /^inputValues\.self refers to itself, which JSON cannot carry$/],
    ["a cycle through a field", deeper, /^inputValues\.a\.b\.c refers back to inputValues\.a, which JSON cannot carry$/],
    ["a Map", { m: new Map([["k", 1]]) }, /^inputValues\.m is a Map, which JSON cannot carry$/],
    ["a Set", { s: new Set([1]) }, /^inputValues\.s is a Set, which JSON cannot carry$/],
    ["an Error", { e: new Error("lost") }, /^inputValues\.e is an Error, which JSON cannot carry$/],
    ["an invalid Date", { d: new Date(Number.NaN) }, /^inputValues\.d is an invalid Date, which JSON cannot carry$/],
    ["a boxed NaN", { n: new Number(Number.NaN) }, /^inputValues\.n is NaN, which JSON cannot carry$/],
    ["a toJSON that gives NaN", { t: { toJSON: () => Number.NaN } }, /^inputValues\.t is NaN, which JSON cannot carry$/],
    ["undefined in a list", { list: [1, undefined] }, /^inputValues\.list\[1\] is undefined, which JSON cannot carry$/],
    ["too many bytes", { text: "x".repeat(9 * 1024 * 1024) }, /^the task's input is \d+ bytes as JSON; the limit is 8388608$/],
    ["too many bytes of multi-byte text", { text: "日".repeat(3 * 1024 * 1024) }, /^the task's input is \d+ bytes as JSON; the limit is 8388608$/]
  ]

  for (const [name, inputValues, message] of unsendable) {
    it.live(`inputValues with ${name}`, () =>
      Effect.gen(function*() {
        const emulator = yield* scopedEmulator
        const client = Context.get(yield* Layer.build(clientOn(emulator, transports.fetch!)), CloudTaskClient.CloudTaskClient)
        for (const create of [client.createTask, client.createAndWait]) {
          const error = yield* Effect.flip(create({ ...request, inputValues }))
          expect(error._tag).toBe("InvalidInput")
          expect(error.message).toMatch(message)
        }
        expect(emulator.requests()).toBe(0)
        expect(emulator.createdTasks()).toBe(0)
      }))
  }

  it.live("a request that is not an object (from JavaScript) is InvalidInput, not a crash", () =>
    Effect.gen(function*() {
      const emulator = yield* scopedEmulator
      const client = Context.get(yield* Layer.build(clientOn(emulator, transports.fetch!)), CloudTaskClient.CloudTaskClient)
      for (const bad of [null, undefined, "task", 42]) {
        for (const create of [client.createTask, client.createAndWait]) {
          expect(yield* Effect.flip(create(bad as never))).toMatchObject({
            _tag: "InvalidInput",
            message: "the task to create must be an object"
          })
        }
      }
      expect(emulator.requests()).toBe(0)
    }))

  it.live("a smaller limit of the caller's applies", () =>
    Effect.gen(function*() {
      const emulator = yield* scopedEmulator
      const client = Context.get(
        yield* Layer.build(clientOn(emulator, transports.fetch!, { maxInputBytes: 1024 })),
        CloudTaskClient.CloudTaskClient
      )
      const error = yield* Effect.flip(client.createTask({ ...request, inputValues: { text: "x".repeat(2000) } }))
      expect(error).toMatchObject({ _tag: "InvalidInput" })
      expect(yield* client.createTask({ ...request, inputValues: { text: "x".repeat(900) } })).toHaveProperty("taskID")
      expect(emulator.requests("createTask")).toBe(1)
    }))

  it.effect("a base URL that is not http(s) fails the layer", () =>
    Effect.gen(function*() {
      const bad = ["ftp://host", "file:///etc/passwd", "javascript:alert(1)", "data:text/plain,x", "ws://host", "not a url", "//host/path", ""]
      for (const url of bad) {
        for (const options of [{ baseUrl: url }, { uploadBaseUrl: url }]) {
          const layer = CloudTaskClient.layer({ apiKey: Redacted.make("k"), ...options }).pipe(Layer.provide(transports.fetch!))
          const error = yield* Effect.flip(Effect.provide(CloudTaskClient.CloudTaskClient, layer))
          expect(error).toMatchObject({
            _tag: "InvalidInput",
            message: `${Object.keys(options)[0]} must be an http:// or https:// URL`
          })
        }
      }
    }))
})

describe("inputValues go as JSON writes them, as with the official SDK", () => {
  const request = { packageName: "@test/p", packageVersion: "1.0.0", blockName: "main" }
  class Point {
    constructor(readonly x: number, readonly y: number) {}
    norm() {
      return Math.hypot(this.x, this.y)
    }
  }

  /** A server that keeps each body it receives and answers a created task. */
  const capturing = Effect.gen(function*() {
    const bodies: Array<string> = []
    const server = createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk)).on("end", () => {
        bodies.push(Buffer.concat(chunks).toString("utf8"))
        response.writeHead(200, { "content-type": "application/json" }).end("{\"taskID\":\"t\"}")
      })
    })
    return { url: yield* listening(server), bodies }
  })

  const sendable: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
    ["a Date, a URL, a toJSON, a class instance and a boxed number", {
      when: new Date(0),
      site: new URL("https://x.test/a?b=1"),
      price: { toJSON: () => "12.50" },
      point: new Point(3, 4),
      count: new Number(3),
      text: new String("t"),
      skipped: undefined
    }],
    // A key JSON.parse makes an own property; a copy by assignment would turn it into a prototype.
    ["a top-level __proto__ key", JSON.parse("{\"__proto__\":{\"polluted\":true},\"a\":1}") as Record<string, unknown>],
    ["a nested __proto__ key", { outer: JSON.parse("{\"__proto__\":1}") as unknown }]
  ]

  for (const [name, inputValues] of sendable) {
    it.live(`${name}: exactly what JSON.stringify writes, no key dropped`, () =>
      Effect.gen(function*() {
        const server = yield* capturing
        const client = Context.get(
          yield* Layer.build(clientOn({ url: server.url, uploadBaseUrl: server.url }, transports.fetch!)),
          CloudTaskClient.CloudTaskClient
        )
        yield* client.createTask({ ...request, inputValues })
        expect(server.bodies).toEqual([JSON.stringify({ type: "serverless", ...request, inputValues })])
        const sent = JSON.parse(server.bodies[0]!) as { inputValues: object }
        expect(Object.keys(sent.inputValues)).toEqual(Object.keys(JSON.parse(JSON.stringify(inputValues)) as object))
      }))
  }
})
