import { Api, Failure, Logs, Queue, Task, Upload, Wire } from "@oomol-cloud-task/contract"
import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"

const listItem = {
  taskID: "t1",
  taskType: "user",
  ownerID: "o1",
  subscriptionID: null,
  packageID: null,
  status: "running",
  progress: 40,
  workload: "serverless",
  workloadID: "w1",
  resultURL: null,
  failedMessage: null,
  createdAt: 1,
  updatedAt: 2,
  startTime: 1,
  endTime: null,
  schedulerPayload: {}
}

const decodeError = <A, I>(schema: Schema.Codec<A, I>, input: unknown): string => {
  const result = Schema.decodeUnknownResult(schema)(input)
  if (Result.isSuccess(result)) throw new Error("expected a decode error")
  return result.failure.message
}

const failureOf = <A>(result: Result.Result<A, Schema.SchemaError>): Schema.SchemaError => {
  if (Result.isSuccess(result)) throw new Error("expected a decode error")
  return result.failure
}

describe("responses", () => {
  it("keeps unknown extra fields when asked to preserve them", () => {
    const page = Wire.decodeResponse(Task.TaskListResponse)(
      { tasks: [{ ...listItem, extra: 1 }], nextToken: null, traceID: "x" }
    )
    expect(Result.getOrThrow(page)).toMatchObject({ traceID: "x", tasks: [{ extra: 1 }] })
  })

  it("keeps unknown fields at every level a response's schema describes", () => {
    const Summary = Task.TaskResult(
      Schema.Struct({ pages: Schema.FiniteFromString, parts: Schema.Array(Schema.Struct({ name: Schema.String })) })
    )
    const decoded = Wire.decodeResponse(Summary)({
      status: "success",
      resultURL: null,
      resultData: { pages: "3", parts: [{ name: "a", size: 1 }], lang: "en" },
      traceID: "x"
    })
    expect(Result.getOrThrow(decoded)).toEqual({
      status: "success",
      resultURL: null,
      resultData: { pages: 3, parts: [{ name: "a", size: 1 }], lang: "en" },
      traceID: "x"
    })
    const detail = Wire.decodeResponse(Task.TaskDetail)({
      taskType: "user",
      taskID: "t",
      workload: "serverless",
      workloadID: "w",
      status: "queued",
      progress: 0,
      schedulerPayload: { a: 1 },
      createdAt: 1,
      startTime: null,
      endTime: null,
      resultURL: null,
      failedMessage: null,
      priority: 2
    })
    expect(Result.getOrThrow(detail)).toMatchObject({ taskType: "user", schedulerPayload: { a: 1 }, priority: 2 })
  })

  it("keeps unknown fields through a recursive schema, at every depth", () => {
    interface Node {
      readonly name: string
      readonly size: number
      readonly children: ReadonlyArray<Node>
    }
    interface NodeEncoded {
      readonly name: string
      readonly size: string
      readonly children: ReadonlyArray<NodeEncoded>
    }
    const Node: Schema.Codec<Node, NodeEncoded> = Schema.Struct({
      name: Schema.String,
      size: Schema.FiniteFromString,
      children: Schema.Array(Schema.suspend((): Schema.Codec<Node, NodeEncoded> => Node))
    })
    const tree = { name: "a", size: "1", extra: 1, children: [{ name: "b", size: "2", more: true, children: [] }] }
    expect(Result.getOrThrow(Wire.decodeResponse(Node)(tree))).toEqual({
      name: "a",
      size: 1,
      extra: 1,
      children: [{ name: "b", size: 2, more: true, children: [] }]
    })
    expect(Result.isFailure(Wire.decodeResponse(Node)({ ...tree, children: [{ name: "b", size: "x", children: [] }] }))).toBe(true)
  })

  it("decodes as the tolerant schema does, keys in the same order, whichever way it takes", () => {
    const Summary = Task.TaskResult(
      Schema.Struct({ pages: Schema.FiniteFromString, parts: Schema.Array(Schema.Struct({ name: Schema.String })) })
    )
    const schemas: ReadonlyArray<Schema.Codec<unknown, any>> = [
      Task.DefaultTaskResult,
      Task.TaskResult(Schema.Unknown),
      Task.TaskListResponse,
      Task.TaskDetail,
      Queue.Dashboard,
      Summary
    ]
    const inputs: ReadonlyArray<unknown> = [
      { status: "running", progress: 42 },
      { status: "running", progress: 42, traceID: "x", nested: { a: [1, { b: 2 }] } },
      { status: "success", resultURL: null, resultData: [{ a: 1 }, { b: { c: 2 } }], progress: 100, failedMessage: null },
      { status: "success", resultURL: null, resultData: { pages: "3", parts: [{ name: "a", size: 1 }], lang: "en" } },
      { status: "failed", error: null, traceID: "x" },
      JSON.parse(`{ "status": "queued", "progress": 0, "__proto__": { "polluted": true } }`),
      { tasks: [{ ...listItem, extra: { deep: [1] } }, listItem], nextToken: null, traceID: "x" },
      { tasks: [{ ...listItem, status: "done" }], nextToken: null },
      {
        limits: { maxConcurrency: 1, maxQueueSize: 2, burst: 3 },
        count: { queued: 0, scheduling: 0, scheduled: 0, running: 1 },
        pause: { paused: false, type: null, canResume: true, reason: "none" },
        region: "eu"
      },
      { status: "running" },
      "<html>",
      null
    ]
    for (const schema of schemas) {
      const tolerant = Schema.decodeUnknownResult(Wire.tolerant(schema))
      const decode = Wire.decodeResponse(schema)
      const decodeIssue = Wire.decodeResponseIssue(schema)
      for (const input of inputs) {
        const before = JSON.stringify(input)
        const [got, want] = [decode(input), tolerant(input)]
        expect(got._tag).toBe(want._tag)
        if (Result.isSuccess(got) && Result.isSuccess(want)) {
          expect(got.success).toEqual(want.success)
          expect(JSON.stringify(got.success)).toBe(JSON.stringify(want.success))
          expect(Object.getPrototypeOf(got.success)).toBe(Object.getPrototypeOf(want.success))
        } else if (Result.isFailure(got) && Result.isFailure(want)) {
          expect(Wire.describeSchemaError(got.failure)).toBe(Wire.describeSchemaError(want.failure))
        }
        // The same, failing with the issue itself.
        const issue = decodeIssue(input)
        expect(issue._tag).toBe(got._tag)
        if (Result.isSuccess(issue) && Result.isSuccess(got)) expect(issue.success).toEqual(got.success)
        if (Result.isFailure(issue) && Result.isFailure(got)) {
          expect(Schema.isSchemaError(issue.failure)).toBe(false)
          expect(Wire.describeSchemaError(issue.failure)).toBe(Wire.describeSchemaError(got.failure))
        }
        expect(JSON.stringify(input)).toBe(before)
      }
    }
  })

  it("drops unknown fields when decoded as a plain schema", () => {
    const page = Schema.decodeUnknownSync(Task.TaskListResponse)({ tasks: [{ ...listItem, extra: 1 }], nextToken: null, traceID: "x" })
    expect(page).toEqual({ tasks: [listItem], nextToken: null })
  })

  it("still refuses a response of the wrong shape, naming the field", () => {
    const error = failureOf(Wire.decodeResponse(Task.TaskListResponse)({ tasks: [{ ...listItem, status: "done" }], nextToken: null }))
    expect(Wire.describeSchemaError(error)).toMatch(/^tasks\.0\.status: Expected "queued" \| "scheduling"/)
    expect(Wire.problems(error)).toEqual([{ path: ["tasks", 0, "status"], message: expect.stringContaining("Expected \"queued\"") }])
    expect(Wire.describeFirstIssue(failureOf(Wire.decodeResponse(Task.TaskListResponse)("<html>")))).toBe("Expected object")
  })

  it("encodes a response keeping its unknown fields", () => {
    const encode = Wire.encodeResponse(Task.TaskListResponse)
    const item: Task.TaskListItem = { ...listItem, taskType: "user", status: "running" }
    const page = { tasks: [{ ...item, extra: 1 }], nextToken: null, traceID: "x" }
    expect(Result.getOrThrow(encode(page))).toEqual(page)
    expect(Schema.encodeSync(Task.TaskListResponse)(page)).toEqual({ tasks: [listItem], nextToken: null })
  })

  it("names a missing required field", () => {
    const { workloadID: _, ...missing } = listItem
    expect(decodeError(Task.TaskListItem, missing)).toContain('["workloadID"]')
  })

  it("names a field of the wrong type", () => {
    expect(decodeError(Task.TaskListItem, { ...listItem, progress: "40" })).toMatch(/Expected number[^\n]*\n\s*at \["progress"\]/)
    expect(Wire.describeSchemaError(failureOf(Schema.decodeUnknownResult(Task.TaskListItem)({ ...listItem, progress: "40" })))).toBe(
      "progress: Expected number"
    )
  })

  it("discriminates task details by taskType", () => {
    const shared = Schema.decodeUnknownSync(Task.TaskDetail)({
      taskType: "shared",
      taskID: "t",
      packageID: "p",
      subscriptionID: "s",
      status: "success",
      progress: 100,
      schedulerPayload: {},
      createdAt: 1,
      startTime: 1,
      endTime: 2,
      resultURL: null,
      failedMessage: null
    })
    expect(shared.taskType).toBe("shared")
  })

  it("decodes resultData with the caller's schema", () => {
    // v4's NumberFromString reads "x" as NaN; FiniteFromString refuses it, as v3's NumberFromString did.
    const Summary = Task.TaskResult(Schema.Struct({ pages: Schema.FiniteFromString }))
    expect(Schema.decodeUnknownSync(Summary)({ status: "success", resultURL: null, resultData: { pages: "3" } })).toEqual(
      { status: "success", resultURL: null, resultData: { pages: 3 } }
    )
    expect(decodeError(Summary, { status: "success", resultURL: null, resultData: { pages: "x" } })).toContain(
      '["resultData"]'
    )
  })

  it("decodes every result variant by default", () => {
    const decode = Schema.decodeUnknownSync(Task.DefaultTaskResult)
    expect(decode({ status: "queued", progress: 0 })).toEqual({ status: "queued", progress: 0 })
    expect(decode({ status: "failed", error: null })).toEqual({ status: "failed", error: null })
    expect(decode({ status: "success", resultURL: "u", resultData: [{ a: 1 }] })).toMatchObject({ resultData: [{ a: 1 }] })
  })

  it("parses the JSON text of log entries and keeps text that is not JSON", () => {
    const logs = Result.getOrThrow(Wire.decodeResponse(Logs.LogsResponse)({
      logs: [{ type: "BlockOutputs", outputs: '{"a":1}', stacks: "[1,2]", result: "not json", node_id: "n" }]
    }))
    expect(logs.logs[0]).toEqual({ type: "BlockOutputs", outputs: { a: 1 }, stacks: [1, 2], result: "not json", node_id: "n" })
  })

  it("encodes nested log values as JSON text that decodes back to the same value", () => {
    const entry: Logs.BlockOutput = { type: "BlockOutput", output: "123" }
    const wire = Schema.encodeSync(Logs.BlockOutput)(entry)
    expect(wire.output).toBe("\"123\"")
    expect(Schema.decodeUnknownSync(Logs.LogEntry)(wire)).toEqual(entry)
  })

  it("decodes each kind to its own shape: the type narrows an entry, so a BlockLog's text is a typed field", () => {
    const decode = Wire.decodeResponse(Logs.LogsResponse)
    const { logs } = Result.getOrThrow(decode({
      logs: [
        { type: "BlockLog", session_id: "s", job_id: "j", block_path: "p", log: "reading page 1", stdio: "stdout" },
        { type: "BlockOutput", handle: "text", output: "\"hello\"", done: true },
        { type: "BlockOutputs", outputs: "{\"text\":\"hello\"}" },
        { type: "BlockFinished", result: "{\"text\":\"hello\"}", error: null, block_path: null },
        { type: "SubflowBlockFinished", error: "boom" },
        { type: "SessionFinished", session_id: "s", path: "/flow" }
      ]
    }))
    // Written as a user would: no `"log" in entry`, no cast.
    const texts = logs.map((entry) => {
      switch (entry.type) {
        case "BlockLog":
          return `${entry.stdio}: ${entry.log}`
        case "BlockOutput":
          return `${entry.handle} = ${JSON.stringify(entry.output)}${entry.done ? " (done)" : ""}`
        case "BlockOutputs":
          return JSON.stringify(entry.outputs)
        case "BlockFinished":
          return entry.error ?? JSON.stringify(entry.result)
        case "SubflowBlockFinished":
          return `subflow: ${entry.error}`
        case "SessionFinished":
          return `session ${entry.path}`
        case "Unknown":
          return entry.kind
      }
    })
    expect(texts).toEqual([
      "stdout: reading page 1",
      "text = \"hello\" (done)",
      "{\"text\":\"hello\"}",
      "{\"text\":\"hello\"}",
      "subflow: boom",
      "session /flow"
    ])
  })

  it("refuses a known kind that breaks its shape, naming the field", () => {
    const decoded = Wire.decodeResponse(Logs.LogsResponse)({ logs: [{ type: "BlockLog", job_id: "j" }] })
    expect(Wire.describeIssues(failureOf(decoded))).toContain("logs.0.log: Missing key")
  })

  it("passes an unknown kind through: every field kept, its type as kind, written back as it came", () => {
    const wire = { type: "BlockStarted", job_id: "j", output: "{\"a\":1}", inputs: { x: 1 }, create_at: 5 }
    const entry = Result.getOrThrow(Wire.decodeResponse(Logs.LogEntry)(wire))
    expect(entry).toEqual({ type: "Unknown", kind: "BlockStarted", job_id: "j", output: { a: 1 }, inputs: { x: 1 }, create_at: 5 })
    expect(Result.getOrThrow(Wire.encodeResponse(Logs.LogEntry)(entry))).toEqual(wire)
  })
})

describe("requests", () => {
  it("enforces the page size with the official message", () => {
    for (const size of [0, 101, 1.5, Number.NaN]) {
      expect(decodeError(Task.ListTasksQuery, { size })).toContain("size must be an integer between 1 and 100")
    }
    expect(Schema.decodeUnknownSync(Task.ListTasksQuery)({ size: 100 })).toEqual({ size: 100 })
  })

  it("enforces workload ID rules with the official messages", () => {
    expect(decodeError(Task.WorkloadIDs, [])).toContain("workloadIDs cannot be empty")
    expect(decodeError(Task.WorkloadIDs, Array.from({ length: 51 }, (_, i) => `w${i}`))).toContain(
      "workloadIDs cannot exceed 50 items"
    )
    expect(decodeError(Task.WorkloadIDs, ["a", " "])).toContain("workloadIDs must not contain empty items")
    expect(decodeError(Task.WorkloadIDs, ["a,b"])).toContain("workloadIDs items must not contain commas")
  })

  it("encodes a create body with nothing but the wire fields", () => {
    const body = Schema.encodeUnknownSync(Task.CreateTaskBody)({
      type: "serverless",
      packageName: "p",
      packageVersion: "1.0.0",
      blockName: "main",
      webhookUrl: "https://hook",
      metadata: { a: 1 }
    })
    expect(body).toEqual({ type: "serverless", packageName: "p", packageVersion: "1.0.0", blockName: "main" })
  })

  it("refuses task IDs a URL would read as a path step", () => {
    for (const id of ["", ".", ".."]) expect(Result.isFailure(Schema.decodeUnknownResult(Task.TaskID)(id))).toBe(true)
    expect(Api.paths.task("a/../b?c#d e")).toBe("/v3/users/me/tasks/a%2F..%2Fb%3Fc%23d%20e")
  })

  it("describes its rules in JSON Schema as Schema's own checks do, and words them as they do", () => {
    const jsonSchema = (schema: Schema.Top) => Schema.toJsonSchemaDocument(schema).schema
    expect(jsonSchema(Task.CreateTaskBody)).toMatchObject({
      properties: { packageName: { type: "string", minLength: 1 }, blockName: { type: "string", minLength: 1 } }
    })
    expect(jsonSchema(Upload.UploadInitResponse)).toMatchObject({
      properties: {
        data: {
          properties: {
            part_size: { type: "integer", maximum: Number.MAX_SAFE_INTEGER, exclusiveMinimum: 0 },
            total_parts: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER }
          }
        }
      }
    })
    const init = (part_size: unknown, total_parts: unknown) => ({ data: { upload_id: "u", part_size, total_parts, presigned_urls: {} } })
    const problem = (input: unknown) => {
      const result = Wire.decodeResponse(Upload.UploadInitResponse, { reportInput: true })(input)
      return Result.isFailure(result) ? Wire.describeSchemaError(result.failure) : undefined
    }
    expect(problem(init(1.5, 1))).toBe("data.part_size: Expected an integer, got 1.5")
    expect(problem(init(0, 1))).toBe("data.part_size: Expected a value greater than 0, got 0")
    expect(problem(init(1, -1))).toBe("data.total_parts: Expected a value greater than or equal to 0, got -1")
    expect(problem(init(1, 0))).toBeUndefined()
  })
})

describe("strict request decoding", () => {
  const body = { type: "serverless", packageName: "p", packageVersion: "1.0.0", blockName: "main" }

  it("accepts exactly the wire fields", () => {
    expect(Result.getOrThrow(Wire.decodeRequest(Task.CreateTaskBody)({ ...body, inputValues: { a: 1 } }))).toEqual({
      ...body,
      inputValues: { a: 1 }
    })
  })

  it("refuses an unknown field and reports every problem, each naming its field", () => {
    const error = failureOf(Wire.decodeRequest(Task.CreateTaskBody)({ ...body, packageName: "", blockName: 3, webhookUrl: "x" }))
    expect(Wire.describeIssues(error)).toEqual([
      "webhookUrl: Expected no excess property",
      "packageName must be a non-empty string",
      "blockName: Expected string"
    ])
    expect(Wire.describeSchemaError(error)).toBe(
      "webhookUrl: Expected no excess property; packageName must be a non-empty string; blockName: Expected string"
    )
    expect(Wire.describeFirstIssue(error)).toBe("webhookUrl: Expected no excess property")
  })

  it("keeps a rule's own message as the description", () => {
    const error = failureOf(Wire.decodeRequest(Task.ListTasksQuery)({ size: 0 }))
    expect(Wire.describeFirstIssue(error)).toBe("size must be an integer between 1 and 100")
    expect(Wire.problems(error)).toEqual([{ path: ["size"], message: "size must be an integer between 1 and 100" }])
    expect(Wire.describeFirstIssue(failureOf(Wire.decodeRequest(Task.ListTasksQuery)({ size: 1, page: 2 })))).toBe(
      "page: Expected no excess property"
    )
    expect(Wire.describeFirstIssue(failureOf(Schema.decodeUnknownResult(Task.TaskID)("latest")))).toBe(
      "taskID \"latest\" names the latest-tasks endpoint, not a task"
    )
  })
})

describe("helpers", () => {
  it("normalizes base URLs", () => {
    expect(Api.normalizeBaseUrl("https://h/")).toBe("https://h")
    expect(Api.normalizeBaseUrl("https://h/v1")).toBe("https://h")
    expect(Api.normalizeBaseUrl("https://h/v3/")).toBe("https://h")
    expect(Api.normalizeBaseUrl("https://h/api/v3")).toBe("https://h/api")
  })

  it("reads an error body's message", () => {
    expect(Failure.requestFailedMessage(400, { message: " bad " })).toBe("bad")
    expect(Failure.requestFailedMessage(400, { error: "worse" })).toBe("worse")
    expect(Failure.requestFailedMessage(502, "<html>")).toBe("<html>")
    expect(Failure.requestFailedMessage(502, undefined)).toBe("Request failed: 502")
    expect(Failure.requestFailedMessage(500, { message: 3 })).toBe("Request failed: 500")
  })

  it("classifies insufficient quota in English and Chinese", () => {
    for (const reason of ["Insufficient funds", "quota exceeded", "low balance", "no credit", "余额不足", "点数不够", "费用"]) {
      expect(Failure.classifyFailure(reason)).toEqual({ code: "INSUFFICIENT_QUOTA", statusCode: 402 })
    }
    expect(Failure.classifyFailure("division by zero")).toEqual({})
  })

  it("splits file names and part ranges", () => {
    expect(Upload.splitFileName("dir/report.final.pdf")).toEqual({ extension: ".pdf", stem: "report.final" })
    expect(Upload.splitFileName("README")).toEqual({ extension: ".", stem: "README" })
    expect(Upload.partRange(3, 10, 25)).toEqual([20, 25])
  })
})
