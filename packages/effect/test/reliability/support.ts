/**
 * What the reliability tests share: the transports a client can run on, a
 * client pointed at an emulator, how an outcome reads in a table, and the
 * check that nothing is left running.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Undici from "@effect/platform-node/Undici"
import { CloudTaskClient, Errors, Retry, UndiciHttpClient } from "@oomol-cloud-task/effect"
import { Fault, type Route, type RunningEmulator, Simulation, startEmulator } from "@oomol-cloud-task/emulator"
import { Cause, Clock, Duration, Effect, Exit, Fiber, Layer, Option, Redacted, Schedule, Scheduler, Stream } from "effect"
import { FetchHttpClient, HttpClient, type HttpClientResponse } from "effect/http"
import { readFileSync } from "node:fs"
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import * as Net from "node:net"
import { Agent } from "undici"

/** Bounds an effect in real time, so a cell that would hang reads `HUNG` instead of stalling the suite. */
const bounded = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.timeoutOrElse(effect, { duration: "15 seconds", orElse: () => Effect.fail("HUNG" as const) })

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
  "node:http": NodeHttpClient.layerNodeHttp,
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
  fetch: Layer.unwrap(Effect.map(undiciAgent, (agent) =>
    FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(
      FetchHttpClient.Fetch,
      // undici's Response differs from the DOM lib's only in its iterators' typings.
      ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
        Undici.fetch(input as string, { ...init, dispatcher: agent } as Undici.RequestInit)) as unknown as typeof fetch
    ))))),
  undici: NodeHttpClient.layerUndiciNoDispatcher.pipe(
    Layer.provide(Layer.effect(NodeHttpClient.Dispatcher, undiciAgent))
  ),
  "node:http": NodeHttpClient.layerNodeHttp,
  UndiciHttpClient: Layer.unwrap(Effect.map(undiciAgent, (dispatcher) => UndiciHttpClient.layer({ dispatcher })))
}

/**
 * An undici `Agent` whose connections never come: its connector holds every
 * attempt until the Agent goes (with the scope), so a request waits for its
 * connection for as long as the test likes. `waiting` holds one entry per
 * connection attempt held.
 */
export const stalledAgent = Effect.acquireRelease(
  Effect.sync(() => {
    const waiting: Array<(error: Error) => void> = []
    const agent = new Agent({ connect: (_options, callback) => void waiting.push((e) => callback(e, null)) })
    return { agent, waiting }
  }),
  ({ agent, waiting }) =>
    Effect.promise(() => {
      for (const give of waiting) give(new Error("gone"))
      return agent.destroy()
    })
)

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
  const failure = Cause.findErrorOption(exit.cause)
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

/** How long a request or part may take in a column of hung connections (on the cell's time, see `cellTime`). */
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
    retry: Schedule.max([Schedule.spaced("5 millis"), Schedule.recurs(2)]),
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

/** A clock whose time moves only when told; sleepers due at an instant all wake together. */
export const simulatedClock = (start: number) => {
  let now = start
  let sleepers: Array<{ readonly at: number; readonly wake: () => void }> = []
  const nanos = () => BigInt(Math.round(now * 1_000_000))
  const clock: Clock.Clock = {
    currentTimeMillisUnsafe: () => now,
    currentTimeMillis: Effect.sync(() => now),
    currentTimeNanosUnsafe: nanos,
    currentTimeNanos: Effect.sync(nanos),
    // Simulated time is the only time here: it never goes back.
    monotonicTimeNanosUnsafe: nanos,
    monotonicTimeNanos: Effect.sync(nanos),
    sleep: (duration) =>
      Effect.callback<void>((resume) => {
        const sleeper = { at: now + Duration.toMillis(duration), wake: () => resume(Effect.void) }
        sleepers.push(sleeper)
        return Effect.sync(() => {
          sleepers = sleepers.filter((s) => s !== sleeper)
        })
      })
  }
  return {
    clock,
    now: () => now,
    sleeping: () => sleepers.length,
    /** Wakes the sleepers due first, if they are due by `until`; answers whether there were any. */
    wakeNext: (until: number): boolean => {
      if (sleepers.length === 0) return false
      const at = Math.min(...sleepers.map((s) => s.at))
      if (at > until) return false
      now = Math.max(now, at)
      const due = sleepers.filter((s) => s.at <= at)
      sleepers = sleepers.filter((s) => s.at > at)
      due.forEach((s) => s.wake())
      return true
    },
    setNow: (instant: number) => {
      now = instant
    }
  }
}

/**
 * The time of a cell: a clock of its own that moves only when the call has
 * nothing left to do but wait, that is when every fiber it started is
 * suspended and every request it has in flight is one the emulator holds,
 * hung by the call's fault on `route`. A timeout then strikes a hung request
 * and never a healthy one, however slowly a busy machine serves it; retry
 * waits pass at once. The client's transport goes through `track`, each call
 * through `run(fault)`, one call at a time.
 *
 * Why: on real time, the short timeouts of a cell (`HANG_TIMEOUT` for parts
 * and hung requests, a creation's 250 ms) also struck healthy requests when
 * the machine was busy. The matrix once read `ok(3)` for a part PUT after a
 * dropped connection, on the undici-based transports, whose first column is
 * "drop" and so runs in the busiest moment of the file, when every emulator
 * starts at once (fetch reaches "drop" seconds later): the retried PUT, slower
 * than 500 ms, was aborted after the emulator had counted it, and a third one
 * went through. No pooled connection was at fault: each try was answered or
 * aborted.
 */
export const cellTime = (emulator: Pick<RunningEmulator, "requests">, route: Route.RouteName) => {
  // The first `hangs` requests the route receives in the call are held.
  let hangs = 0
  let before = 0
  const time = simulatedClock(Date.now())
  // The requests in flight, each with the route's count of requests when it started.
  const inFlight = new Set<{ readonly arrivals: number }>()
  const held = (request: { readonly arrivals: number }) =>
    emulator.requests(route) > request.arrivals && request.arrivals - before < hangs
  // Tasks scheduled by the call's fibers and not yet run: none means each is suspended.
  let pending = 0

  const counting = (parent: Scheduler.Scheduler): Scheduler.Scheduler => ({
    executionMode: parent.executionMode,
    shouldYield: (fiber) => parent.shouldYield(fiber),
    makeDispatcher: () => {
      const dispatcher = parent.makeDispatcher()
      return {
        scheduleTask: (task, priority) => {
          pending++
          dispatcher.scheduleTask(() => {
            try {
              task()
            } finally {
              pending--
            }
          }, priority)
        },
        flush: () => dispatcher.flush()
      }
    }
  })

  /** `transport`, keeping count of the requests in flight: from sending to the last byte of the answer. */
  const track = (transport: Layer.Layer<HttpClient.HttpClient>): Layer.Layer<HttpClient.HttpClient> =>
    Layer.effect(
      HttpClient.HttpClient,
      Effect.map(HttpClient.HttpClient, (client) =>
        HttpClient.transformResponse(client, (response) =>
          Effect.suspend(() => {
            const request = { arrivals: emulator.requests(route) }
            inFlight.add(request)
            const done = Effect.sync(() => void inFlight.delete(request))
            // Done once the body is read (whichever way), or once the request fails.
            const reading = (answer: HttpClientResponse.HttpClientResponse): HttpClientResponse.HttpClientResponse => {
              const read = (key: "arrayBuffer" | "text" | "json" | "urlParamsBody" | "formData") => ({
                get: () => {
                  const body: Effect.Effect<unknown, unknown> = answer[key]
                  return Effect.ensuring(body, done)
                }
              })
              return Object.create(answer, {
                arrayBuffer: read("arrayBuffer"),
                text: read("text"),
                json: read("json"),
                urlParamsBody: read("urlParamsBody"),
                formData: read("formData"),
                stream: { get: () => Stream.ensuring(answer.stream, done) }
              })
            }
            return response.pipe(Effect.map(reading), Effect.onError(() => done))
          })))
    ).pipe(Layer.provide(transport))

  /** Wakes the earliest sleepers once the call is only waiting (looked at every 2 ms). */
  const driver = Effect.forever(Effect.andThen(
    Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 2))),
    Effect.sync(() => {
      if (pending > 0 || ![...inFlight].every(held)) return
      time.wakeNext(Infinity)
    })
  ))

  /** Runs `call`, and every fiber it starts, on the cell's time, with `fault` (if any) on the route. */
  const run = (fault: Fault.Fault | undefined) => <A, E>(call: Effect.Effect<A, E>): Effect.Effect<A, E> =>
    Effect.gen(function*() {
      hangs = fault?._tag === "Hang" ? fault.times ?? 1 : 0
      before = emulator.requests(route)
      const scheduler = counting(yield* Scheduler.Scheduler)
      const fiber = yield* Effect.forkChild(call).pipe(
        Effect.provideService(Clock.Clock, time.clock),
        Effect.provideService(Scheduler.Scheduler, scheduler)
      )
      return yield* Effect.raceFirst(Fiber.join(fiber), driver)
    })

  return { track, run }
}

/**
 * Runs every row against every column over `transport`: each row on its own
 * emulator (rows side by side), its columns one after another, each with a
 * fresh task and only its own fault, on the cell's own time (`cellTime`).
 * `options` configures the client of a column; `around` wraps each call (a
 * logger, a tracer).
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
        Effect.forEach(only, (column) => {
          const time = cellTime(emulator, row.route)
          return Effect.gen(function*() {
            // The task is made by a client with the default timeout: a cell's may be short.
            const { taskID } = yield* Effect.provide(
              Effect.flatMap(CloudTaskClient.CloudTaskClient, (client) => client.createTask(PACKAGE)),
              clientOn(emulator, transport)
            )
            const client = yield* CloudTaskClient.CloudTaskClient
            emulator.clearFaults()
            emulator.fault(row.route, column.fault)
            const before = emulator.requests(row.route)
            const exit = yield* Effect.exit(bounded(around(time.run(column.fault)(row.run(client, taskID)))))
            const requests = emulator.requests(row.route) - before
            emulator.clearFaults()
            return { row, column, exit, requests }
          }).pipe(Effect.provide(clientOn(emulator, time.track(transport), options(column))), Effect.orDie)
        }),
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
      Effect.callback<void>((resume) => void server.listen(0, "127.0.0.1", () => resume(Effect.void))),
      () =>
        Effect.callback<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    const address = server.address()
    return `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`
  })

// Where the system starts handing out ports for port 0 (Linux; elsewhere the
// ranges start higher than this).
const ephemeralStart = (() => {
  try {
    return Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]) || 32768
  } catch {
    return 32768
  }
})()

const bindable = (port: number) =>
  Effect.callback<boolean>((resume) => {
    const server = Net.createServer()
    server.once("error", () => resume(Effect.succeed(false)))
    server.listen(port, "127.0.0.1", () => server.close(() => resume(Effect.succeed(true))))
  })

/**
 * A port of 127.0.0.1 nothing listens on: bound, then freed. It is taken from
 * below the range the system hands out for port 0: a freed port of that range
 * went to the next server started (an emulator of another lane, a process of
 * another test), and a request meant to find no connection found one.
 */
export const closedPort: Effect.Effect<number> = Effect.suspend(() => {
  const port = 10_000 + Math.floor(Math.random() * (Math.max(ephemeralStart, 11_000) - 10_000))
  return Effect.flatMap(bindable(port), (free) => (free ? Effect.succeed(port) : closedPort))
})
