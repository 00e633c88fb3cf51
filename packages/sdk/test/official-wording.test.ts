/**
 * Every input check of the official SDK 1.1.0, case by case, through the
 * facade: the official class and message, and nothing sent. The official
 * checks are those of its `listTasks` (`size`) and `getLatestTasks`
 * (`workloadIDs`, as an array and as a comma-separated text); it checks no
 * task ID and no base URL. Where it sends a request anyway, or crashes on a
 * value of the wrong type, this package refuses before sending, with its own
 * message (`docs/migrating.md`); those rows say what the official SDK does.
 */
import { InvalidInputError, type OomolTaskClient } from "oomol-cloud-task-sdk"
import { describe, expect, it } from "vitest"
import { clientWith, dashboard, scriptedFetch } from "./support/fetch.js"

const ids = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`)
// What a JavaScript caller, or a value typed `any`, may pass.
const untyped = <A>(value: unknown): A => value as A

interface Row {
  /** The call, as a caller writes it. */
  readonly input: string
  readonly call: (client: OomolTaskClient) => Promise<unknown>
  readonly options?: { readonly baseUrl?: unknown }
}

/** The official SDK rejects with `new Error(message)` before sending. */
interface OfficialRow extends Row {
  readonly officialClass: "Error"
  readonly officialMessage: string
}

/** The official SDK sends (or crashes); this package refuses with `message`. */
interface StricterRow extends Row {
  readonly official: string
  readonly message: string
}

const SIZE = "size must be an integer between 1 and 100"
const EMPTY = "workloadIDs cannot be empty"
const TOO_MANY = "workloadIDs cannot exceed 50 items"
const EMPTY_ITEM = "workloadIDs must not contain empty items"
const TASK_ID = "taskID must be a non-empty string other than \".\" or \"..\""
const BASE_URL = "baseUrl must be an http:// or https:// URL"

const official: ReadonlyArray<OfficialRow> = [
  // listTasks: `size !== undefined` and not an integer from 1 to 100.
  { input: "listTasks({ size: 0 })", call: (c) => c.listTasks({ size: 0 }), officialClass: "Error", officialMessage: SIZE },
  { input: "listTasks({ size: 101 })", call: (c) => c.listTasks({ size: 101 }), officialClass: "Error", officialMessage: SIZE },
  { input: "listTasks({ size: -1 })", call: (c) => c.listTasks({ size: -1 }), officialClass: "Error", officialMessage: SIZE },
  { input: "listTasks({ size: 1.5 })", call: (c) => c.listTasks({ size: 1.5 }), officialClass: "Error", officialMessage: SIZE },
  { input: "listTasks({ size: NaN })", call: (c) => c.listTasks({ size: Number.NaN }), officialClass: "Error", officialMessage: SIZE },
  { input: "listTasks({ size: Infinity })", call: (c) => c.listTasks({ size: Infinity }), officialClass: "Error", officialMessage: SIZE },
  { input: "listTasks({ size: null })", call: (c) => c.listTasks({ size: untyped(null) }), officialClass: "Error", officialMessage: SIZE },
  { input: "listTasks({ size: \"20\" })", call: (c) => c.listTasks({ size: untyped("20") }), officialClass: "Error", officialMessage: SIZE },
  // getLatestTasks with an array: none, more than 50 (whatever the items), then an empty item after trimming.
  { input: "getLatestTasks([])", call: (c) => c.getLatestTasks([]), officialClass: "Error", officialMessage: EMPTY },
  { input: "getLatestTasks(51 IDs)", call: (c) => c.getLatestTasks(ids(51)), officialClass: "Error", officialMessage: TOO_MANY },
  {
    input: "getLatestTasks([\" \", …50 IDs]) (mixed, too many: the count first)",
    call: (c) => c.getLatestTasks([" ", ...ids(50)]),
    officialClass: "Error",
    officialMessage: TOO_MANY
  },
  {
    input: "getLatestTasks([1, …50 IDs]) (a non-string item, too many: the count first)",
    call: (c) => c.getLatestTasks(untyped([1, ...ids(50)])),
    officialClass: "Error",
    officialMessage: TOO_MANY
  },
  { input: "getLatestTasks([\"\"])", call: (c) => c.getLatestTasks([""]), officialClass: "Error", officialMessage: EMPTY_ITEM },
  { input: "getLatestTasks([\"  \"]) (blank)", call: (c) => c.getLatestTasks(["  "]), officialClass: "Error", officialMessage: EMPTY_ITEM },
  {
    input: "getLatestTasks([\"a\", \" \", \"b\"]) (mixed)",
    call: (c) => c.getLatestTasks(["a", " ", "b"]),
    officialClass: "Error",
    officialMessage: EMPTY_ITEM
  },
  {
    input: "getLatestTasks([\"a\", \"\\t\\n\"]) (whitespace)",
    call: (c) => c.getLatestTasks(["a", "\t\n"]),
    officialClass: "Error",
    officialMessage: EMPTY_ITEM
  },
  {
    input: "getLatestTasks([\" \", …49 IDs]) (mixed, 50: the items)",
    call: (c) => c.getLatestTasks([" ", ...ids(49)]),
    officialClass: "Error",
    officialMessage: EMPTY_ITEM
  },
  // getLatestTasks with a text: empty once trimmed.
  { input: "getLatestTasks(\"\")", call: (c) => c.getLatestTasks(""), officialClass: "Error", officialMessage: EMPTY },
  { input: "getLatestTasks(\"  \") (blank)", call: (c) => c.getLatestTasks("  "), officialClass: "Error", officialMessage: EMPTY },
  {
    input: "getLatestTasks(\" \\t\\n \") (whitespace)",
    call: (c) => c.getLatestTasks(" \t\n "),
    officialClass: "Error",
    officialMessage: EMPTY
  }
]

describe("the official SDK's input checks: its class and message, nothing sent", () => {
  it.each(official.map((row) => [row.input, row] as const))("%s", async (_, row) => {
    const s = scriptedFetch(() => ({ json: [] }))
    const client = clientWith(s.fetch, row.options as never)
    // An async method of the official SDK rejects; it never throws at the call.
    const pending = row.call(client)
    expect(pending).toBeInstanceOf(Promise)
    const error = await pending.then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect(error).toBeInstanceOf(InvalidInputError)
    expect((error as Error).message).toBe(row.officialMessage)
    expect(s.calls).toHaveLength(0)
  })
})

const stricter: ReadonlyArray<StricterRow> = [
  { input: "getLatestTasks(\"a,,b\")", call: (c) => c.getLatestTasks("a,,b"), official: "sends workloadIDs=a,,b", message: EMPTY_ITEM },
  { input: "getLatestTasks(\" , \")", call: (c) => c.getLatestTasks(" , "), official: "sends workloadIDs=,", message: EMPTY_ITEM },
  { input: "getLatestTasks(51 IDs as a text)", call: (c) => c.getLatestTasks(ids(51).join(",")), official: "sends all 51", message: TOO_MANY },
  {
    input: "getLatestTasks([\"a,b\"])",
    call: (c) => c.getLatestTasks(["a,b"]),
    official: "sends workloadIDs=a,b (two IDs)",
    message: "workloadIDs items must not contain commas"
  },
  {
    input: "getLatestTasks([\"a\", 1]) (a non-string item)",
    call: (c) => c.getLatestTasks(untyped(["a", 1])),
    official: "TypeError: id.trim is not a function",
    message: "workloadIDs must contain only strings"
  },
  {
    input: "getLatestTasks(undefined)",
    call: (c) => c.getLatestTasks(untyped(undefined)),
    official: "TypeError: Cannot read properties of undefined (reading 'trim')",
    message: "workloadIDs must be an array of strings or a comma-separated string"
  },
  {
    input: "getLatestTasks(42)",
    call: (c) => c.getLatestTasks(untyped(42)),
    official: "TypeError: workloadIDs.trim is not a function",
    message: "workloadIDs must be an array of strings or a comma-separated string"
  },
  { input: "getTask(\"\")", call: (c) => c.getTask(""), official: "sends GET /v3/users/me/tasks/ (the listing)", message: TASK_ID },
  { input: "getTask(\".\")", call: (c) => c.getTask("."), official: "sends GET /v3/users/me/tasks/. (the listing)", message: TASK_ID },
  { input: "getTask(\"..\")", call: (c) => c.getTask(".."), official: "sends GET /v3/users/me/tasks/.. (another route)", message: TASK_ID },
  {
    input: "getTask(\"latest\")",
    call: (c) => c.getTask("latest"),
    official: "sends GET /v3/users/me/tasks/latest (the latest-tasks endpoint)",
    message: "taskID \"latest\" names the latest-tasks endpoint, not a task"
  },
  { input: "getTask(undefined)", call: (c) => c.getTask(untyped(undefined)), official: "sends GET /v3/users/me/tasks/undefined", message: TASK_ID },
  { input: "getTaskResult(\"\")", call: (c) => c.getTaskResult(""), official: "sends GET /v3/users/me/tasks//result", message: TASK_ID },
  { input: "awaitResult(\"..\")", call: (c) => c.awaitResult(".."), official: "polls GET /v3/users/me/result", message: TASK_ID },
  {
    input: "new OomolTaskClient({ baseUrl: \"\" })",
    call: (c) => c.getDashboard(),
    options: { baseUrl: "" },
    official: "fetches the relative /v3/… (a TypeError in Node, the page's own origin in a browser)",
    message: BASE_URL
  },
  {
    input: "new OomolTaskClient({ baseUrl: \"  \" }) (blank)",
    call: (c) => c.getDashboard(),
    options: { baseUrl: "  " },
    official: "fetches \"  /v3/…\" (a TypeError in Node)",
    message: BASE_URL
  },
  {
    input: "new OomolTaskClient({ baseUrl: 42 })",
    call: (c) => c.getDashboard(),
    options: { baseUrl: 42 },
    official: "TypeError: baseUrl.endsWith is not a function, from the constructor",
    message: BASE_URL
  },
  {
    input: "new OomolTaskClient({ baseUrl: \"ftp://files.test\" })",
    call: (c) => c.getDashboard(),
    options: { baseUrl: "ftp://files.test" },
    official: "fetch fails (a TypeError)",
    message: BASE_URL
  }
]

describe("where the official SDK sends anyway or crashes: refused before sending, with a message", () => {
  it.each(stricter.map((row) => [row.input, row] as const))("%s", async (_, row) => {
    const s = scriptedFetch(() => ({ json: [] }))
    const error = await row.call(clientWith(s.fetch, row.options as never)).then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidInputError)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toBe(row.message)
    expect(s.calls).toHaveLength(0)
  })
})

describe("what the official SDK accepts is sent", () => {
  const cases: ReadonlyArray<readonly [string, (c: OomolTaskClient) => Promise<unknown>, string]> = [
    ["listTasks({ size: undefined })", (c) => c.listTasks({ size: undefined }), "/v3/users/me/tasks"],
    ["listTasks({ size: 1 })", (c) => c.listTasks({ size: 1 }), "/v3/users/me/tasks?size=1"],
    ["listTasks({ size: 100 })", (c) => c.listTasks({ size: 100 }), "/v3/users/me/tasks?size=100"],
    ["getLatestTasks([\" a \", \"b\"]) (whitespace)", (c) => c.getLatestTasks([" a ", "b"]), "/v3/users/me/tasks/latest?workloadIDs=a%2Cb"],
    ["getLatestTasks(\" a \") (whitespace)", (c) => c.getLatestTasks(" a "), "/v3/users/me/tasks/latest?workloadIDs=a"],
    ["getLatestTasks(50 IDs)", (c) => c.getLatestTasks(ids(50)), `/v3/users/me/tasks/latest?workloadIDs=${ids(50).join("%2C")}`],
    ["getTask(\" \") (blank, sent as the official SDK sends it)", (c) => c.getTask(" "), "/v3/users/me/tasks/%20"]
  ]
  it.each(cases)("%s", async (_, call, sent) => {
    const s = scriptedFetch((request) => ({ json: request.url.pathname.endsWith("/latest") ? [] : { tasks: [], nextToken: null } }))
    await call(clientWith(s.fetch)).catch(() => undefined)
    expect(s.calls.map((c) => c.url.pathname + c.url.search)).toEqual([sent])
  })

  it("a base URL with whitespace around it, and a trailing /v1/", async () => {
    const s = scriptedFetch(() => ({ json: dashboard }))
    await clientWith(s.fetch, { baseUrl: " https://api.test/v1/ " }).getDashboard()
    expect(s.calls[0]!.url.href).toBe("https://api.test/v3/users/me/dashboard")
  })
})
