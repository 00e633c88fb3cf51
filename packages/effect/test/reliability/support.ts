/**
 * What the reliability tests share: the transports a client can run on, a
 * client pointed at an emulator, how an outcome reads in a table, and the
 * check that nothing is left running.
 */
import { FetchHttpClient, type HttpClient } from "@effect/platform"
import { NodeHttpClient, Undici } from "@effect/platform-node"
import { CloudTaskClient, Errors, Retry, UndiciHttpClient } from "@oomol-cloud-task/effect"
import { Fault, type Route, type RunningEmulator, Simulation, startEmulator } from "@oomol-cloud-task/emulator"
import { Cause, Effect, Exit, Layer, Option, Redacted, Schedule } from "effect"
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import * as Net from "node:net"

/** Bounds an effect in real time, so a cell that would hang reads `HUNG` instead of stalling the suite. */
const bounded = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.timeoutFail(effect, { duration: "15 seconds", onTimeout: () => "HUNG" as const })

/** A key no test output may ever contain. */
export const SECRET = "sk-live-SECRET-3f9a"

/** Retries as the default policy does, but in milliseconds: a matrix cell costs little. */
export const fastRetry = Retry.make({ base: "5 millis", cap: "20 millis", maxRetryAfter: "3 seconds" })

/**
 * The transports a client meets in Node, which report a dropped or hung
 * connection each in their own way: fetch (Node's bundled undici), the undici
 * package through `NodeHttpClient`, node:http, and undici's dispatcher through
 * this package's `UndiciHttpClient`.
 */
export const transports: Readonly<Record<string, Layer.Layer<HttpClient.HttpClient>>> = {
  fetch: FetchHttpClient.layer,
  undici: NodeHttpClient.layerUndici,
  "node:http": NodeHttpClient.layer,
  UndiciHttpClient: UndiciHttpClient.layer()
}

const undiciAgent = Effect.acquireRelease(
  Effect.sync(() => new Undici.Agent({ pipelining: 0 })),
  (agent) => Effect.promise(() => agent.destroy())
)

/**
 * The same transports without keep-alive, each with its own connection pool
 * (closed with the layer): every socket closes once its answer is in, so what
 * is open after a test is what the client left behind, exactly.
 */
export const freshTransports: Readonly<Record<string, Layer.Layer<HttpClient.HttpClient>>> = {
  fetch: Layer.unwrapScoped(Effect.map(undiciAgent, (agent) =>
    FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(
      FetchHttpClient.Fetch,
      ((input, init) => Undici.fetch(input as string, { ...init, dispatcher: agent } as Undici.RequestInit)) as typeof fetch
    ))))),
  undici: NodeHttpClient.layerUndiciWithoutDispatcher.pipe(
    Layer.provide(Layer.scoped(NodeHttpClient.Dispatcher, undiciAgent))
  ),
  "node:http": NodeHttpClient.layer,
  UndiciHttpClient: Layer.unwrapScoped(Effect.map(undiciAgent, (dispatcher) => UndiciHttpClient.layer({ dispatcher })))
}

/** The client on `transport`, pointed at a running emulator. */
export const clientOn = (
  emulator: Pick<RunningEmulator, "url" | "uploadBaseUrl">,
  transport: Layer.Layer<HttpClient.HttpClient>,
  options: CloudTaskClient.Options = {}
) =>
  CloudTaskClient.layer({
    apiKey: Redacted.make(SECRET),
    baseUrl: emulator.url,
    uploadBaseUrl: emulator.uploadBaseUrl,
    retry: fastRetry,
    ...options
  }).pipe(Layer.provide(transport), Layer.orDie)

/**
 * An outcome as a table cell: `ok(2)` for a success after two requests,
 * else the error's tag with its status or code, then the requests
 * (`ApiError 503 (4)`). Anything that is not one of the client's errors (a
 * defect, an interruption) reads `UNTYPED …`, which no table expects.
 */
export const describeExit = (exit: Exit.Exit<unknown, unknown>, requests: number): string => {
  if (Exit.isSuccess(exit)) return `ok(${requests})`
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure) && failure.value === "HUNG") return "HUNG"
  if (Option.isNone(failure) || !Errors.isCloudTaskError(failure.value)) {
    return `UNTYPED ${Cause.pretty(exit.cause).split("\n")[0]}`
  }
  const error = failure.value
  const detail = error._tag === "ApiError" ? ` ${error.status}` : error._tag === "UploadError" ? ` ${error.code}` : ""
  return `${error._tag}${detail} (${requests})`
}

/** Lines of `cells` with padded columns, a header row first. */
export const formatTable = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const all = [header, ...rows]
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? "").length)))
  return all.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ").trimEnd()).join("\n")
}

/** Parses a table written as `a | b | c` lines (the first one the header) into its cells. */
export const parseTable = (text: string): ReadonlyArray<ReadonlyArray<string>> =>
  text.trim().split("\n").map((line) => line.split("|").map((cell) => cell.trim()))

const count = (resources: ReadonlyArray<string>) => {
  const counts = new Map<string, number>()
  for (const r of resources) counts.set(r, (counts.get(r) ?? 0) + 1)
  return counts
}

/** What is active now beyond `baseline`, by kind (`{ Timeout: 1, TCPSocketWrap: 2 }`). */
export const resourcesBeyond = (baseline: ReadonlyArray<string>): Record<string, number> => {
  const before = count(baseline)
  const extra: Record<string, number> = {}
  for (const [kind, n] of count(process.getActiveResourcesInfo())) {
    const more = n - (before.get(kind) ?? 0)
    if (more > 0) extra[kind] = more
  }
  return extra
}

/**
 * Waits (a few hundred milliseconds at most) for the active timers, sockets
 * and handles to come back to `baseline`, allowing for what was still closing,
 * and answers what is left beyond it.
 */
export const settledBeyond = async (baseline: ReadonlyArray<string>): Promise<Record<string, number>> => {
  for (let turn = 0; turn < 50; turn++) {
    if (Object.keys(resourcesBeyond(baseline)).length === 0) break
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return resourcesBeyond(baseline)
}

/** Unhandled rejections seen while a test file runs. */
export const watchUnhandledRejections = () => {
  const seen: Array<unknown> = []
  const listener = (reason: unknown) => void seen.push(reason)
  return {
    seen,
    start: () => void process.on("unhandledRejection", listener),
    stop: () => void process.off("unhandledRejection", listener)
  }
}


/** The task every row creates before its fault is set. */
export const PACKAGE = { packageName: "@test/matrix", packageVersion: "1.0.0", blockName: "main" }

/** How long a request or part may take in a column of hung connections. */
export const HANG_TIMEOUT = "500 millis"

/** A fault of the matrix, by the name of its column. */
export interface Column {
  readonly name: string
  readonly fault: Fault.Fault
}

/** Every fault a client must survive; each applies once unless sticky. */
export const columns: ReadonlyArray<Column> = [
  { name: "429 RA 1s", fault: Fault.tooManyRequests(1) },
  { name: "500", fault: Fault.status(500) },
  { name: "503", fault: Fault.status(503) },
  { name: "503 sticky", fault: Fault.sticky(Fault.status(503)) },
  { name: "drop", fault: Fault.drop() },
  { name: "drop mid-body", fault: Fault.dropMidBody() },
  { name: "hang", fault: Fault.hang() },
  { name: "hang sticky", fault: Fault.sticky(Fault.hang()) },
  { name: "malformed JSON", fault: Fault.malformedJson() },
  { name: "HTML 502", fault: Fault.htmlError() },
  { name: "schema break", fault: Fault.schemaBreak() },
  { name: "extra field", fault: Fault.extraField() }
]

type Client = CloudTaskClient.Service

/** An endpoint of the matrix: the route its fault goes on, and a call of it. */
export interface Row {
  readonly name: string
  readonly route: Route.RouteName
  readonly run: (client: Client, taskID: string) => Effect.Effect<unknown, Errors.CloudTaskError>
  /** Where an extra field of the answer shows in the value, for rows that hand the answer back. */
  readonly extra?: (value: any) => unknown
}

// One part, its PUT tried at most 3 times, 5 ms apart.
const uploadOnce = (client: Client) =>
  client.upload(new Uint8Array(100), {
    name: "matrix.bin",
    retry: Schedule.intersect(Schedule.spaced("5 millis"), Schedule.recurs(2)),
    partTimeout: HANG_TIMEOUT
  })

/** Every endpoint, and each step of an upload. */
export const rows: ReadonlyArray<Row> = [
  { name: "createTask", route: "createTask", run: (c) => c.createTask(PACKAGE), extra: (v) => v.unexpectedField },
  { name: "listTasks", route: "listTasks", run: (c) => c.listTasks({ size: 5 }), extra: (v) => v.unexpectedField },
  {
    name: "getLatestTasks",
    route: "latestTasks",
    run: (c) => c.getLatestTasks([Simulation.workloadID(PACKAGE.packageName, PACKAGE.blockName)]),
    extra: (v) => v[0]?.unexpectedField
  },
  { name: "getTask", route: "getTask", run: (c, id) => c.getTask(id), extra: (v) => v.unexpectedField },
  { name: "getTaskResult", route: "getTaskResult", run: (c, id) => c.getTaskResult(id), extra: (v) => v.unexpectedField },
  { name: "getTaskLogs", route: "getTaskLogs", run: (c, id) => c.getTaskLogs(id), extra: (v) => v.unexpectedField },
  { name: "getDashboard", route: "dashboard", run: (c) => c.getDashboard(), extra: (v) => v.unexpectedField },
  { name: "pause", route: "pause", run: (c) => c.pauseUserQueue(), extra: (v) => v.unexpectedField },
  { name: "resume", route: "resume", run: (c) => c.resumeUserQueue(), extra: (v) => v.unexpectedField },
  { name: "upload: init", route: "uploadInit", run: uploadOnce },
  { name: "upload: part PUT", route: "uploadPart", run: uploadOnce },
  { name: "upload: final URL", route: "uploadUrl", run: uploadOnce }
]

/** A cell's run: how it ended (`"HUNG"` past its bound) and how many requests its route received. */
export interface Cell {
  readonly row: Row
  readonly column: Column
  readonly exit: Exit.Exit<unknown, Errors.CloudTaskError | "HUNG">
  readonly requests: number
}

/**
 * Runs every row against every column over `transport`: each row on its own
 * emulator (rows side by side), its columns one after another, each with a
 * fresh task and only its own fault. `options` configures the client of a
 * column; `around` wraps each call (a logger, a tracer).
 */
export const sweep = (
  transport: Layer.Layer<HttpClient.HttpClient>,
  only: ReadonlyArray<Column>,
  options: (column: Column) => CloudTaskClient.Options,
  around: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E> = (effect) => effect
): Effect.Effect<ReadonlyArray<ReadonlyArray<Cell>>> =>
  Effect.forEach(rows, (row) =>
    Effect.acquireUseRelease(
      Effect.promise(() => startEmulator({ partSize: 1024 })),
      (emulator) =>
        Effect.forEach(only, (column) =>
          Effect.gen(function*() {
            // The task is made by a client with the default timeout: a cell's may be short.
            const { taskID } = yield* Effect.provide(
              Effect.flatMap(CloudTaskClient.CloudTaskClient, (client) => client.createTask(PACKAGE)),
              clientOn(emulator, transport)
            )
            const client = yield* CloudTaskClient.CloudTaskClient
            emulator.clearFaults()
            emulator.fault(row.route, column.fault)
            const before = emulator.requests(row.route)
            const exit = yield* Effect.exit(bounded(around(row.run(client, taskID))))
            const requests = emulator.requests(row.route) - before
            emulator.clearFaults()
            return { row, column, exit, requests }
          }).pipe(Effect.provide(clientOn(emulator, transport, options(column))), Effect.orDie)),
      (emulator) => Effect.promise(() => emulator.close())
    ), { concurrency: "unbounded" })

/** A request another host received. */
export interface Received {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
}

/**
 * Another host (a port of 127.0.0.1 that is neither API): it records every
 * request and answers `answer` (200 `{}` by default). Closed with the scope.
 */
export const otherHost = (
  answer: (request: Received) => { readonly status: number; readonly body: string } = () => ({ status: 200, body: "{}" })
) =>
  Effect.gen(function*() {
    const received: Array<Received> = []
    const server = createServer((request, response) => {
      const seen = { method: request.method ?? "", url: request.url ?? "", headers: request.headers }
      received.push(seen)
      request.resume().on("end", () => {
        const { body, status } = answer(seen)
        response.writeHead(status, { "content-type": "application/json" }).end(body)
      })
    })
    return { url: yield* listening(server), received }
  })

/** `server` listening on a free port of 127.0.0.1, closed (every connection too) with the scope: its URL. */
export const listening = (server: Server) =>
  Effect.gen(function*() {
    yield* Effect.acquireRelease(
      Effect.async<void>((resume) => void server.listen(0, "127.0.0.1", () => resume(Effect.void))),
      () =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    const address = server.address()
    return `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`
  })

/** A port of 127.0.0.1 nothing listens on: bound, then freed. */
export const closedPort = Effect.async<number>((resume) => {
  const server = Net.createServer().listen(0, "127.0.0.1", () => {
    const address = server.address()
    server.close(() => resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0)))
  })
})
