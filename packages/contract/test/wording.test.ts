/**
 * The input rules in the official SDK's words, and refused requests in
 * readable sentences (`Wire.requestProblems`).
 */
import { Task, Upload, Wire } from "@oomol-cloud-task/contract"
import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"

const refusal = <A, I>(schema: Schema.Codec<A, I>, input: unknown, subject?: string): ReadonlyArray<string> => {
  const result = Wire.decodeRequest(schema)(input)
  if (Result.isSuccess(result)) throw new Error(`expected ${JSON.stringify(input)} to be refused`)
  return Wire.requestProblems(result.failure, subject)
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`)

describe("Task.WorkloadIDs: an array or one comma-separated text, the official rules in the official order", () => {
  it.each([
    ["an empty array", [], "workloadIDs cannot be empty"],
    ["an empty text", "", "workloadIDs cannot be empty"],
    ["a blank text", "  ", "workloadIDs cannot be empty"],
    ["a text of tabs and newlines", "\t\n ", "workloadIDs cannot be empty"],
    ["51 IDs", ids(51), "workloadIDs cannot exceed 50 items"],
    ["51 IDs, one of them blank: the count is checked first", [" ", ...ids(50)], "workloadIDs cannot exceed 50 items"],
    ["51 IDs, one of them not a string: the count is checked first", [1, ...ids(50)], "workloadIDs cannot exceed 50 items"],
    ["51 IDs as one text", ids(51).join(","), "workloadIDs cannot exceed 50 items"],
    ["a blank item", [" "], "workloadIDs must not contain empty items"],
    ["a blank item among others", ["a", "  ", "b"], "workloadIDs must not contain empty items"],
    ["an empty item in a text", "a,,b", "workloadIDs must not contain empty items"],
    ["a comma in an item", ["a,b"], "workloadIDs items must not contain commas"],
    ["an item that is not a string", ["a", 1], "workloadIDs must contain only strings"],
    ["neither an array nor a text", 42, "workloadIDs must be an array of strings or a comma-separated string"],
    ["nothing", undefined, "workloadIDs must be an array of strings or a comma-separated string"]
  ])("refuses %s", (_, input, message) => {
    expect(refusal(Task.WorkloadIDs, input, "workloadIDs")).toEqual([message])
  })

  it("trims each ID of either form; encodes to the comma-joined text that is sent", () => {
    const decode = Schema.decodeUnknownSync(Task.WorkloadIDs)
    expect(decode([" a ", "b"])).toEqual(["a", "b"])
    expect(decode(" a , b ")).toEqual(["a", "b"])
    expect(decode(ids(50))).toHaveLength(50)
    expect(Schema.encodeSync(Task.WorkloadIDs)(["a", "b"])).toBe("a,b")
  })
})

describe("one message for any wrong value, whatever its type", () => {
  it.each([0, 101, 1.5, -1, Number.NaN, Infinity, null, "20", true])("size %s", (size) => {
    expect(refusal(Task.ListTasksQuery, { size }, "query")).toEqual(["size must be an integer between 1 and 100"])
  })

  it.each([42, null, undefined, "", ".", ".."])("taskID %s", (taskID) => {
    expect(refusal(Task.TaskID, taskID, "taskID")).toEqual(["taskID must be a non-empty string other than \".\" or \"..\""])
  })
})

describe("Wire.requestProblems: one readable sentence per problem, naming the field", () => {
  it("says what a field may be, never Schema's notation or an optional field's undefined", () => {
    const problems = refusal(Task.ListTasksQuery, { size: 101, status: "done", taskType: "team", nextToken: 7 }, "query")
    expect(problems).toEqual([
      "size must be an integer between 1 and 100",
      "nextToken must be a string",
      "status must be one of queued, scheduling, scheduled, running, success, failed",
      "taskType must be one of user, shared"
    ])
    for (const problem of problems) {
      expect(problem).not.toMatch(/Expected|undefined|\||"queued"/)
    }
  })

  it("names a missing, an unknown and a mistyped field, and the whole when it is not an object", () => {
    expect(refusal(Task.CreateTaskBody, { type: "applet", packageName: "", extra: 1, inputValues: [] }, "request body"))
      .toEqual([
        "extra is not a known field",
        "type must be \"serverless\"",
        "packageName must be a non-empty string",
        "packageVersion is required",
        "blockName is required",
        "inputValues must be an object"
      ])
    expect(refusal(Task.CreateTaskBody, "text", "request body")).toEqual(["request body must be an object"])
    expect(refusal(Upload.UploadInitBody, { file_extension: ".pdf", size: -1 })).toEqual([
      "size must be an integer of at least 0"
    ])
  })

  it("says each problem once, and describeRequestError joins them in one line", () => {
    const result = Wire.decodeRequest(Task.ListTasksQuery)({ size: "x", status: "done" })
    if (Result.isSuccess(result)) throw new Error("expected a refusal")
    expect(Wire.describeRequestError(result.failure, "query")).toBe(
      "size must be an integer between 1 and 100; status must be one of queued, scheduling, scheduled, running, success, failed"
    )
  })

  it("names a union of tagged objects by its tag, and a nested field by its path", () => {
    const Shape = Schema.Struct({
      shape: Schema.Union([
        Schema.Struct({ kind: Schema.Literal("circle"), radius: Schema.Number }),
        Schema.Struct({ kind: Schema.Literal("square"), side: Schema.Number })
      ]),
      points: Schema.Array(Schema.Struct({ x: Schema.Number }))
    })
    expect(refusal(Shape, { shape: { kind: "line" }, points: [{ x: 1 }, { x: "2" }] })).toEqual([
      "shape must be an object whose kind is one of circle, square",
      "points[1].x must be a number"
    ])
    expect(refusal(Shape, { shape: { kind: "circle", radius: null }, points: [] })).toEqual(["shape.radius must be a number"])
  })
})
