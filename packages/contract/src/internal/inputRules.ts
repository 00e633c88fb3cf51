/**
 * The rules a caller's input meets before anything is sent, in the official
 * SDK's words and order (its messages are part of the promise the facade
 * keeps). `Task` exports them; the client checks with them, the emulator
 * refuses with them.
 */
import * as Schema from "effect/Schema"
import * as SchemaTransformation from "effect/SchemaTransformation"

const taskIDMessage = "taskID must be a non-empty string other than \".\" or \"..\""

/** `Task.TaskID`: a non-string is refused with the rule's own message. */
export const TaskID = Schema.String.annotate({ message: taskIDMessage }).check(
  Schema.makeFilter((id: string) => id.length > 0 && id !== "." && id !== "..", { message: taskIDMessage }),
  Schema.makeFilter((id: string) => id !== "latest", {
    message: "taskID \"latest\" names the latest-tasks endpoint, not a task"
  })
)

/**
 * A string field that may not be empty, with the official message. Like
 * `Schema.isNonEmpty` (the same JSON Schema), whose machinery of every length
 * check would follow it into a browser bundle.
 */
export const nonEmpty = (field: string) =>
  Schema.String.check(
    Schema.makeFilter((s: string) => s.length > 0, {
      message: `${field} must be a non-empty string`,
      toJsonSchema: () => ({ minLength: 1 })
    })
  )

const pageSizeMessage = "size must be an integer between 1 and 100"

/** `Task.PageSize`: any other value, of any type, gets the official message. */
export const PageSize = Schema.Number.annotate({ message: pageSizeMessage }).check(
  Schema.makeFilter((n: number) => Number.isInteger(n) && n >= 1 && n <= 100, { message: pageSizeMessage })
)

const workloadIDsMessage = {
  empty: "workloadIDs cannot be empty",
  tooMany: "workloadIDs cannot exceed 50 items",
  emptyItem: "workloadIDs must not contain empty items",
  comma: "workloadIDs items must not contain commas",
  notString: "workloadIDs must contain only strings",
  shape: "workloadIDs must be an array of strings or a comma-separated string"
} as const

// The official SDK's order: how many first, whatever the items are; then the items.
const WorkloadIDList = Schema.Array(Schema.Unknown).check(
  Schema.makeFilter((ids: ReadonlyArray<unknown>) => ids.length > 0, { message: workloadIDsMessage.empty }),
  Schema.makeFilter((ids: ReadonlyArray<unknown>) => ids.length <= 50, { message: workloadIDsMessage.tooMany })
).pipe(Schema.decodeTo(
  Schema.Array(Schema.String.annotate({ message: workloadIDsMessage.notString })).check(
    Schema.makeFilter((ids: ReadonlyArray<string>) => ids.every((id) => id.length > 0), {
      message: workloadIDsMessage.emptyItem
    }),
    // The IDs travel comma-joined: a comma inside one would split it in two.
    Schema.makeFilter((ids: ReadonlyArray<string>) => ids.every((id) => !id.includes(",")), {
      message: workloadIDsMessage.comma
    })
  ),
  // The same transformation as `passthroughSupertype()`, which no other browser code names.
  SchemaTransformation.passthrough({ strict: false })
))

const trimmed = (input: string | ReadonlyArray<unknown>): ReadonlyArray<unknown> => {
  if (typeof input !== "string") return input.map((id) => typeof id === "string" ? id.trim() : id)
  // A blank text names no workload at all, as in the official SDK.
  const text = input.trim()
  return text === "" ? [] : text.split(",").map((id) => id.trim())
}

/** `Task.WorkloadIDs`: an array or one comma-separated text, to the trimmed list; encodes to the text sent. */
export const WorkloadIDs = Schema.Union([Schema.String, Schema.Array(Schema.Unknown)]).annotate({
  message: workloadIDsMessage.shape
}).pipe(Schema.decodeTo(
  WorkloadIDList,
  SchemaTransformation.transform<ReadonlyArray<unknown>, string | ReadonlyArray<unknown>>({
    decode: trimmed,
    encode: (ids: ReadonlyArray<unknown>) => ids.join(",")
  })
))
