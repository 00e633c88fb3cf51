import { build } from "esbuild"
import { execFile } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import {
  ApiError,
  InvalidInputError,
  MalformedResponseError,
  NetworkError,
  OomolTaskClient,
  TaskMayExistError
} from "oomol-cloud-task-sdk"
import { describe, expect, it } from "vitest"
import { clientWith, dashboard, listItem, scriptedFetch } from "./support/fetch.js"


describe("what goes on the wire", () => {
  it("sends the API key as a bearer token, the default headers, and credentials include", async () => {
    const s = scriptedFetch(() => ({ json: dashboard }))
    const client = clientWith(s.fetch, { apiKey: "secret", defaultHeaders: { "x-client": "my-app" } })
    expect(await client.getDashboard()).toEqual(dashboard)
    const [call] = s.calls
    expect(call!.url.href).toBe("https://api.test/v3/users/me/dashboard")
    expect(call!.headers.get("authorization")).toBe("Bearer secret")
    expect(call!.headers.get("x-client")).toBe("my-app")
    expect(call!.credentials).toBe("include")
  })

  it("without an API key sends no Authorization, and passes the credentials mode given", async () => {
    const s = scriptedFetch(() => ({ json: dashboard }))
    await clientWith(s.fetch, { credentials: "omit" }).getDashboard()
    expect(s.calls[0]!.headers.has("authorization")).toBe(false)
    expect(s.calls[0]!.credentials).toBe("omit")
  })

  it("calls a custom fetch as the official SDK did: a URL string and a Headers object", async () => {
    const s = scriptedFetch(() => ({ json: dashboard }))
    await clientWith(s.fetch).getDashboard()
    expect(typeof s.calls[0]!.input).toBe("string")
    expect(s.calls[0]!.rawHeaders).toBeInstanceOf(Headers)
  })

  it("reads a trailing /, /v1 or /v3 off the base URL", async () => {
    for (const baseUrl of ["https://api.test/", "https://api.test/v1", "https://api.test/v3/"]) {
      const s = scriptedFetch(() => ({ json: dashboard }))
      await clientWith(s.fetch, { baseUrl }).getDashboard()
      expect(s.calls[0]!.url.href).toBe("https://api.test/v3/users/me/dashboard")
    }
  })

  it("takes the base URL from OOMOL_BASE_URL when none is given", async () => {
    const s = scriptedFetch(() => ({ json: dashboard }))
    process.env.OOMOL_BASE_URL = "https://env.test"
    try {
      // No baseUrl given: the environment's is used.
      await clientWith(s.fetch, { baseUrl: undefined }).getDashboard()
    } finally {
      delete process.env.OOMOL_BASE_URL
    }
    expect(s.calls[0]!.url.origin).toBe("https://env.test")
  })

  it("createTask posts a serverless task and drops webhookUrl and metadata", async () => {
    const s = scriptedFetch(() => ({ json: { taskID: "t-1" } }))
    const created = await clientWith(s.fetch).createTask({
      packageName: "@oomol/my-package",
      packageVersion: "1.0.0",
      blockName: "main",
      inputValues: { foo: "bar" },
      webhookUrl: "https://hook.test",
      metadata: { a: 1 }
    })
    expect(created).toEqual({ taskID: "t-1" })
    const [call] = s.calls
    expect(`${call!.method} ${call!.url.pathname}`).toBe("POST /v3/users/me/tasks")
    expect(call!.headers.get("content-type")).toBe("application/json")
    expect(JSON.parse(call!.body!)).toEqual({
      type: "serverless",
      packageName: "@oomol/my-package",
      packageVersion: "1.0.0",
      blockName: "main",
      inputValues: { foo: "bar" }
    })
  })

  it("listTasks sends the filters given and leaves out empty ones", async () => {
    const s = scriptedFetch(() => ({ json: { tasks: [listItem("a")], nextToken: null } }))
    const page = await clientWith(s.fetch).listTasks({ size: 20, status: "running", taskType: "user", workloadID: "" })
    expect(page.tasks.map((t) => t.taskID)).toEqual(["a"])
    expect(Object.fromEntries(s.calls[0]!.url.searchParams)).toEqual({ size: "20", status: "running", taskType: "user" })
  })

  it("getLatestTasks joins an array, trims, and takes a comma-separated string", async () => {
    const s = scriptedFetch(() => ({ json: [] }))
    const client = clientWith(s.fetch)
    await client.getLatestTasks([" a ", "b"])
    await client.getLatestTasks("c,d")
    expect(s.calls.map((c) => c.url.searchParams.get("workloadIDs"))).toEqual(["a,b", "c,d"])
  })

  it("task IDs are one encoded path segment; getTaskDetail is getTask", async () => {
    const detail = { ...listItem("a/b?c"), taskType: "user" }
    const s = scriptedFetch(() => ({ json: detail }))
    const client = clientWith(s.fetch)
    await client.getTask("a/b?c")
    await client.getTaskDetail("a/b?c")
    await client.getTaskResult("a/b?c").catch(() => undefined)
    expect(s.calls.map((c) => c.url.pathname)).toEqual([
      "/v3/users/me/tasks/a%2Fb%3Fc",
      "/v3/users/me/tasks/a%2Fb%3Fc",
      "/v3/users/me/tasks/a%2Fb%3Fc/result"
    ])
  })

  it("pause and resume post to the user queue", async () => {
    const s = scriptedFetch((call) => ({ json: { pauseType: call.url.pathname.endsWith("pause") ? "user" : null } }))
    const client = clientWith(s.fetch)
    expect(await client.pauseUserQueue()).toEqual({ pauseType: "user" })
    expect(await client.resumeUserQueue()).toEqual({ pauseType: null })
    await client.setTasksPause(true)
    await client.setTasksPause(false)
    expect(s.calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual([
      "POST /v3/user/pause",
      "POST /v3/user/resume",
      "POST /v3/user/pause",
      "POST /v3/user/resume"
    ])
  })

  it("getTaskLogs asks for the page given", async () => {
    const s = scriptedFetch(() => ({ json: { logs: [{ type: "BlockLog", log: "hello", stacks: "[1]" }] } }))
    const page = await clientWith(s.fetch).getTaskLogs("t", { page: 2 })
    expect(page.logs[0]).toEqual({ type: "BlockLog", log: "hello", stacks: [1] })
    expect(s.calls[0]!.url.pathname + s.calls[0]!.url.search).toBe("/v3/users/me/tasks/t/logs?page=2")
  })
})

describe("input rules reject before any request, with the official messages", () => {
  const cases: Array<[string, (c: OomolTaskClient) => Promise<unknown>, string]> = [
    ["size 0", (c) => c.listTasks({ size: 0 }), "size must be an integer between 1 and 100"],
    ["size 101", (c) => c.listTasks({ size: 101 }), "size must be an integer between 1 and 100"],
    ["size 1.5", (c) => c.listTasks({ size: 1.5 }), "size must be an integer between 1 and 100"],
    ["no workload IDs", (c) => c.getLatestTasks([]), "workloadIDs cannot be empty"],
    ["51 workload IDs", (c) => c.getLatestTasks(Array.from({ length: 51 }, (_, i) => `w${i}`)), "workloadIDs cannot exceed 50 items"],
    ["an empty workload ID", (c) => c.getLatestTasks(["a", " "]), "workloadIDs must not contain empty items"]
  ]
  for (const [name, call, message] of cases) {
    it(name, async () => {
      const s = scriptedFetch(() => ({ json: [] }))
      const error = await call(clientWith(s.fetch)).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(Error)
      expect(error).toBeInstanceOf(InvalidInputError)
      expect((error as Error).message).toBe(message)
      expect(s.calls).toHaveLength(0)
    })
  }
})

describe("failures as the official classes", () => {
  it("a non-2xx answer is an ApiError with the status, the body, and the body's message", async () => {
    const s = scriptedFetch(() => ({ status: 404, json: { message: "Task not found" } }))
    const error = await clientWith(s.fetch).getTask("nope").catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 404, body: { message: "Task not found" }, message: "Task not found" })
    expect(String(error)).toBe("ApiError: Task not found")
  })

  it("a body without a message reads Request failed: <status>; Retry-After is kept", async () => {
    const s = scriptedFetch(() => ({ status: 429, text: "slow down", headers: { "retry-after": "7" } }))
    const error = await clientWith(s.fetch).getDashboard().catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 429, body: "slow down", message: "Request failed: 429", retryAfterMs: 7000 })
  })

  it("no answer is a NetworkError, a TypeError as fetch's own failure was", async () => {
    const s = scriptedFetch(() => ({ fail: new TypeError("fetch failed") }))
    const error = await clientWith(s.fetch).getDashboard().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NetworkError)
    expect(error).toBeInstanceOf(TypeError)
    expect((error as NetworkError).requestSent).toBe(true)
    expect(String(error)).toBe("NetworkError: GET /v3/users/me/dashboard failed: fetch failed")
  })

  it("a 2xx body that breaks the schema is a MalformedResponseError, an ApiError", async () => {
    const s = scriptedFetch(() => ({ json: { limits: {} } }))
    const error = await clientWith(s.fetch).getDashboard().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MalformedResponseError)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 200, body: { limits: {} } })
    expect((error as Error).message).toMatch(/^GET \/v3\/users\/me\/dashboard answered an unexpected body: /)
  })

  it("a creation whose fate is unknown is a TaskMayExistError, an ApiError, and is not sent twice", async () => {
    const s = scriptedFetch(() => ({ status: 502, json: { message: "bad gateway" } }))
    const client = clientWith(s.fetch, { retries: 3 })
    const error = await client.createTask({ packageName: "p", packageVersion: "1", blockName: "b" }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TaskMayExistError)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 502, reason: "bad gateway", body: { message: "bad gateway" } })
    expect(String(error)).toMatch(/^TaskMayExistError: The task may have been created: bad gateway/)
    expect(s.calls).toHaveLength(1)
  })

  it("a creation the service refused outright is a plain ApiError", async () => {
    const s = scriptedFetch(() => ({ status: 400, json: { message: "unknown package" } }))
    const error = await clientWith(s.fetch).createTask({ packageName: "p", packageVersion: "1", blockName: "b" }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).not.toBeInstanceOf(TaskMayExistError)
  })

  it("a transient failure of a read is tried again, as many times as retries says", async () => {
    const s = scriptedFetch((_call, i) => (i < 1 ? { status: 503, json: {} } : { json: dashboard }))
    expect(await clientWith(s.fetch, { retries: 1 }).getDashboard()).toEqual(dashboard)
    expect(s.calls).toHaveLength(2)
  })

  it("never rejects with a FiberFailure or a message that is a JSON dump", async () => {
    const s = scriptedFetch(() => ({ status: 500, json: { detail: { deeply: ["nested"] } } }))
    const error = await clientWith(s.fetch).getDashboard().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as Error).name).toBe("ApiError")
    expect((error as Error).message).toBe("Request failed: 500")
    expect(String(error)).not.toMatch(/FiberFailure|\{/)
  })

  it("an uncaught one prints under its own name from a minified bundle, not as `Xc [ApiError]`", async () => {
    const dir = mkdtempSync(join(tmpdir(), "oomol-sdk-names-"))
    try {
      // Minified as the published bundle is (no keepNames): the classes get short names.
      await build({
        entryPoints: [fileURLToPath(new URL("../src/index.ts", import.meta.url))],
        bundle: true,
        minify: true,
        format: "esm",
        platform: "neutral",
        conditions: ["@oomol-cloud-task/source", "module", "import", "default"],
        mainFields: ["module", "main"],
        outfile: join(dir, "sdk.mjs"),
        logLevel: "warning"
      })
      const thrown = {
        ApiError: `new ApiError("Request failed: 500", 500)`,
        TaskMayExistError: `new TaskMayExistError("Request failed: 502", "502", 502)`,
        NetworkError: `new NetworkError("GET /v3/users/me/dashboard failed: refused", false)`
      }
      for (const [name, expression] of Object.entries(thrown)) {
        writeFileSync(join(dir, "main.mjs"), `import { ${name} } from "./sdk.mjs"\nthrow ${expression}\n`)
        const { stderr } = await promisify(execFile)(process.execPath, [join(dir, "main.mjs")]).then(
          () => ({ stderr: "" }),
          (e: { stderr: string }) => e
        )
        const message = expression.slice(expression.indexOf('"') + 1, expression.indexOf('",'))
        expect(stderr).toContain(`\n${name}: ${message}\n`)
        expect(stderr).not.toContain(`[${name}]`)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("an invalid base URL rejects the first call with a readable error", async () => {
    const s = scriptedFetch(() => ({ json: dashboard }))
    const error = await clientWith(s.fetch, { baseUrl: "ftp://nope" }).getDashboard().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidInputError)
    expect((error as Error).message).toBe("baseUrl must be an http:// or https:// URL")
  })
})
