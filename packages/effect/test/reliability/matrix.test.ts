/**
 * The fault matrix: every endpoint against every fault the emulator can
 * inject, over a real socket, on each transport a Node client meets. Each cell
 * ends in a success after retries or in one specific typed error, as the
 * expected table (derived from the retry policy) says; nothing hangs, nothing
 * is untyped, no promise is left rejected.
 *
 * The policy, as `fastRetry` scales it down: idempotent requests (GETs,
 * pause, resume, the upload's init and final URL) are tried up to 4 times on a
 * transport failure, 408, 429, 500, 502, 503, 504; a 2xx body that is not the
 * API's is a `MalformedResponse` at once. A task creation is sent again only
 * when the service provably did not take it (429, 408, no connection);
 * anything else that may have reached the service is `TaskMayExist`. A part
 * PUT is tried on the upload's own schedule (here 3 tries); its answer's body
 * is never read as JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  type Cell,
  columns,
  describeExit,
  formatTable,
  HANG_TIMEOUT,
  parseTable,
  rows,
  sweep,
  transports,
  watchUnhandledRejections
} from "./support.js"

// Rows: endpoints; columns: faults; each cell: ok(requests) or the typed error (requests).
const expected = parseTable(`
endpoint          | 429 RA 1s | 500              | 503              | 503 sticky                            | drop             | drop mid-body    | hang             | hang sticky                           | malformed JSON                        | HTML 502         | schema break                          | extra field
createTask        | ok(2)     | TaskMayExist (1) | TaskMayExist (1) | TaskMayExist (1)                      | TaskMayExist (1) | TaskMayExist (1) | TaskMayExist (1) | TaskMayExist (1)                      | TaskMayExist (1)                      | TaskMayExist (1) | TaskMayExist (1)                      | ok(1)
listTasks         | ok(2)     | ok(2)            | ok(2)            | ApiError 503 (4)                      | ok(2)            | ok(2)            | ok(2)            | NetworkError (4)                      | MalformedResponse (1)                 | ok(2)            | MalformedResponse (1)                 | ok(1)
getLatestTasks    | ok(2)     | ok(2)            | ok(2)            | ApiError 503 (4)                      | ok(2)            | ok(2)            | ok(2)            | NetworkError (4)                      | MalformedResponse (1)                 | ok(2)            | MalformedResponse (1)                 | ok(1)
getTask           | ok(2)     | ok(2)            | ok(2)            | ApiError 503 (4)                      | ok(2)            | ok(2)            | ok(2)            | NetworkError (4)                      | MalformedResponse (1)                 | ok(2)            | MalformedResponse (1)                 | ok(1)
getTaskResult     | ok(2)     | ok(2)            | ok(2)            | ApiError 503 (4)                      | ok(2)            | ok(2)            | ok(2)            | NetworkError (4)                      | MalformedResponse (1)                 | ok(2)            | MalformedResponse (1)                 | ok(1)
getTaskLogs       | ok(2)     | ok(2)            | ok(2)            | ApiError 503 (4)                      | ok(2)            | ok(2)            | ok(2)            | NetworkError (4)                      | MalformedResponse (1)                 | ok(2)            | MalformedResponse (1)                 | ok(1)
getDashboard      | ok(2)     | ok(2)            | ok(2)            | ApiError 503 (4)                      | ok(2)            | ok(2)            | ok(2)            | NetworkError (4)                      | MalformedResponse (1)                 | ok(2)            | MalformedResponse (1)                 | ok(1)
pause             | ok(2)     | ok(2)            | ok(2)            | ApiError 503 (4)                      | ok(2)            | ok(2)            | ok(2)            | NetworkError (4)                      | MalformedResponse (1)                 | ok(2)            | MalformedResponse (1)                 | ok(1)
resume            | ok(2)     | ok(2)            | ok(2)            | ApiError 503 (4)                      | ok(2)            | ok(2)            | ok(2)            | NetworkError (4)                      | MalformedResponse (1)                 | ok(2)            | MalformedResponse (1)                 | ok(1)
upload: init      | ok(2)     | ok(2)            | ok(2)            | UploadError INIT_UPLOAD_FAILED (4)    | ok(2)            | ok(2)            | ok(2)            | UploadError INIT_UPLOAD_FAILED (4)    | UploadError INIT_UPLOAD_FAILED (1)    | ok(2)            | UploadError INIT_UPLOAD_FAILED (1)    | ok(1)
upload: part PUT  | ok(2)     | ok(2)            | ok(2)            | UploadError RETRY_EXHAUSTED (3)       | ok(2)            | ok(2)            | ok(2)            | UploadError RETRY_EXHAUSTED (3)       | ok(1)                                 | ok(2)            | ok(1)                                 | ok(1)
upload: final URL | ok(2)     | ok(2)            | ok(2)            | UploadError GET_UPLOAD_URL_FAILED (4) | ok(2)            | ok(2)            | ok(2)            | UploadError GET_UPLOAD_URL_FAILED (4) | UploadError GET_UPLOAD_URL_FAILED (1) | ok(2)            | UploadError GET_UPLOAD_URL_FAILED (1) | ok(1)
`)

const unhandled = watchUnhandledRejections()
const printed = new Map<string, string>()
beforeAll(() => unhandled.start())
afterAll(() => {
  unhandled.stop()
  console.log(Object.keys(transports).flatMap((name) => printed.get(name) ?? []).join("\n\n"))
})

/** A cell as the table reads it; an extra field must be kept on the value handed back. */
const describeCell = ({ column, exit, requests, row }: Cell): string => {
  const described = describeExit(exit, requests)
  if (column.fault._tag !== "ExtraField" || exit._tag !== "Success" || row.extra === undefined) return described
  return row.extra(exit.value) === "unexpected" ? described : `${described}, field lost`
}

const header = expected[0]!
const expectedCell = (row: string, column: string) =>
  expected.find((r) => r[0] === row)?.[header.indexOf(column)]

// Columns where transports differ: how each reports a connection that drops or hangs.
const connectionColumns = columns.filter((c) => ["Drop", "DropMidBody", "Hang"].includes(c.fault._tag))

// The transports side by side: each row has its own emulator.
describe.concurrent("fault matrix", () => {
  for (const [name, transport] of Object.entries(transports)) {
    const only = name === "fetch" ? columns : connectionColumns
    it.live(`every endpoint × every fault, over ${name}`, () =>
      Effect.gen(function*() {
        const cells = yield* sweep(
          transport,
          only,
          (column) => (column.fault._tag === "Hang" ? { requestTimeout: HANG_TIMEOUT } : {})
        )
        const table = rows.map((row, r) => [row.name, ...cells[r]!.map(describeCell)])
        printed.set(name, `Fault matrix over ${name}:\n${formatTable(["endpoint", ...only.map((c) => c.name)], table)}`)
        const wanted = rows.map((row) => [row.name, ...only.map((c) => expectedCell(row.name, c.name) ?? "?")])
        expect(table).toEqual(wanted)
        expect(unhandled.seen).toEqual([])
      }))
  }
})
