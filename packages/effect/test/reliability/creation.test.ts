/**
 * Task creation under faults: a seeded, reproducible run of a few hundred
 * creates, each meeting a random fault, over real sockets. Whatever happens,
 * no task is created twice, a success is exactly one task, an `ApiError` or
 * `NetworkError` is none, and the service's count is the successes plus the
 * ambiguous creates (`TaskMayExist`) that the service did take.
 */
import { CloudTaskClient, Errors } from "@oomol-cloud-task/effect"
import { Fault, startEmulator } from "@oomol-cloud-task/emulator"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Stream } from "effect"
import { cellTime, clientOn, closedPort, transports } from "./support.js"

const SEED = Number(process.env.RELIABILITY_SEED ?? 0x5eed)
const CREATES_PER_LANE = 75
// Lanes run side by side, each on its own emulator and transport; within a
// lane creates go one at a time, so each meets exactly the fault drawn for it.
const LANES = ["fetch", "undici", "node:http", "fetch"] as const

type Outcome = "ok" | "TaskMayExist" | "ApiError" | "NetworkError"

interface Kind {
  readonly name: string
  readonly weight: number
  readonly fault: ((random: () => number) => Fault.Fault) | undefined
  /** What the client must report, by the retry policy. */
  readonly outcome: Outcome
  /** Whether the emulator serves the request (so the task exists) despite the fault. */
  readonly created: boolean
}

const kinds: ReadonlyArray<Kind> = [
  { name: "none", weight: 20, fault: undefined, outcome: "ok", created: true },
  { name: "latency", weight: 8, fault: (r) => Fault.latency(Math.floor(r() * 40)), outcome: "ok", created: true },
  { name: "extra field", weight: 3, fault: () => Fault.extraField(), outcome: "ok", created: true },
  { name: "429 once", weight: 6, fault: () => Fault.tooManyRequests(0), outcome: "ok", created: true },
  { name: "408 once", weight: 3, fault: () => Fault.status(408), outcome: "ok", created: true },
  // Refused every time the policy tries: nothing was ever taken.
  { name: "429 ×4", weight: 4, fault: () => Fault.status(429, { times: 4 }), outcome: "ApiError", created: false },
  { name: "400", weight: 3, fault: () => Fault.status(400), outcome: "ApiError", created: false },
  // Sent to a port nothing listens on: the connection is never made, so it is tried again, then reported.
  { name: "no connection", weight: 3, fault: undefined, outcome: "NetworkError", created: false },
  { name: "500", weight: 5, fault: () => Fault.status(500), outcome: "TaskMayExist", created: false },
  { name: "503", weight: 5, fault: () => Fault.status(503), outcome: "TaskMayExist", created: false },
  { name: "HTML 502", weight: 3, fault: () => Fault.htmlError(), outcome: "TaskMayExist", created: false },
  { name: "drop", weight: 6, fault: () => Fault.drop(), outcome: "TaskMayExist", created: false },
  { name: "hang", weight: 3, fault: () => Fault.hang(), outcome: "TaskMayExist", created: false },
  {
    name: "drop after processing",
    weight: 8,
    fault: () => Fault.drop({ afterProcessing: true }),
    outcome: "TaskMayExist",
    created: true
  },
  { name: "drop mid-body", weight: 7, fault: () => Fault.dropMidBody(), outcome: "TaskMayExist", created: true },
  { name: "malformed JSON", weight: 5, fault: () => Fault.malformedJson(), outcome: "TaskMayExist", created: true },
  { name: "schema break", weight: 3, fault: () => Fault.schemaBreak(), outcome: "TaskMayExist", created: true },
  {
    name: "truncated",
    weight: 3,
    fault: (r) => Fault.truncated({ contentLength: r() < 0.5 ? "full" : "honest" }),
    outcome: "TaskMayExist",
    created: true
  }
]

/** mulberry32: a small PRNG, so a seed replays the same faults. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const totalWeight = kinds.reduce((sum, k) => sum + k.weight, 0)
const draw = (random: () => number): Kind => {
  let at = random() * totalWeight
  for (const kind of kinds) if ((at -= kind.weight) < 0) return kind
  return kinds[0]!
}

interface Create {
  readonly n: number
  readonly kind: Kind
  readonly outcome: Outcome | string
}

interface LaneResult {
  readonly creates: ReadonlyArray<Create>
  readonly created: number
  /** How many tasks carry each create's number. */
  readonly tasksOf: ReadonlyMap<number, number>
}

const runLane = (lane: number) =>
  Effect.acquireUseRelease(
    Effect.promise(() => startEmulator()),
    (emulator) => {
      // Each create on its own time: its timeout strikes only a request the emulator holds hung.
      const time = cellTime(emulator, "createTask")
      const transport = time.track(transports[LANES[lane]!]!)
      return Effect.gen(function*() {
        const client = yield* CloudTaskClient.CloudTaskClient
        const port = yield* closedPort
        const unreachable = Context.get(
          yield* Layer.build(clientOn({ url: `http://127.0.0.1:${port}`, uploadBaseUrl: emulator.uploadBaseUrl }, transport)),
          CloudTaskClient.CloudTaskClient
        )
        const random = prng(SEED + lane)
        const creates: Array<Create> = []
        for (let i = 0; i < CREATES_PER_LANE; i++) {
          const n = lane * CREATES_PER_LANE + i
          const kind = draw(random)
          emulator.clearFaults()
          const fault = kind.fault === undefined ? undefined : kind.fault(random)
          if (fault !== undefined) emulator.fault("createTask", fault)
          const exit = yield* Effect.exit(time.run(fault)(
            (kind.name === "no connection" ? unreachable : client).createTask({
              packageName: "@test/count",
              packageVersion: "1.0.0",
              blockName: "main",
              inputValues: { n }
            })
          ))
          const outcome = Exit.match(exit, {
            onSuccess: () => "ok",
            onFailure: (cause) => {
              // Typed only when the cause is one failure and nothing else.
              const [only, ...rest] = cause.reasons
              const error = only?._tag === "Fail" && rest.length === 0 ? only.error : undefined
              return Errors.isCloudTaskError(error) ? error._tag : `untyped: ${cause}`
            }
          })
          creates.push({ n, kind, outcome })
        }
        emulator.clearFaults()
        const tasks = yield* Stream.runCollect(client.listAllTasks({ size: 100 }))
        const tasksOf = new Map<number, number>()
        for (const task of tasks) {
          const n = (task.schedulerPayload as { inputValues?: { n?: number } }).inputValues?.n ?? -1
          tasksOf.set(n, (tasksOf.get(n) ?? 0) + 1)
        }
        return { creates, created: emulator.createdTasks(), tasksOf } satisfies LaneResult
      }).pipe(
        Effect.provide(clientOn(emulator, transport, { requestTimeout: "250 millis" })),
        Effect.scoped
      )
    },
    (emulator) => Effect.promise(() => emulator.close())
  )

const report: Array<string> = []
afterAll(() => console.log(report.join("\n")))

describe("task creation under faults", () => {
  it.live(`${LANES.length * CREATES_PER_LANE} creates with random faults never make a task twice (seed ${SEED})`, () =>
    Effect.gen(function*() {
      const lanes = yield* Effect.forEach(LANES, (_, lane) => runLane(lane), { concurrency: "unbounded" })
      const creates = lanes.flatMap((l) => l.creates)
      const tasksOf = (n: number) => lanes.reduce((sum, l) => sum + (l.tasksOf.get(n) ?? 0), 0)
      const count = (outcome: Outcome) => creates.filter((c) => c.outcome === outcome).length

      // Each create ended as the policy says for the fault it met.
      const mismatches = creates.filter((c) => c.outcome !== c.kind.outcome)
        .map((c) => `#${c.n} ${c.kind.name}: ${c.outcome}, expected ${c.kind.outcome}`)
      expect(mismatches).toEqual([])

      // No task twice; a success is one task, a refusal none; an ambiguous one
      // exists exactly when the service took it.
      const wrong = creates.filter((c) => {
        const tasks = tasksOf(c.n)
        if (tasks > 1) return true
        switch (c.outcome) {
          case "ok":
            return tasks !== 1
          case "ApiError":
          case "NetworkError":
            return tasks !== 0
          default:
            return tasks !== (c.kind.created ? 1 : 0)
        }
      }).map((c) => `#${c.n} ${c.kind.name} → ${c.outcome}: ${tasksOf(c.n)} tasks`)
      expect(wrong).toEqual([])

      const created = lanes.reduce((sum, l) => sum + l.created, 0)
      const succeeded = count("ok")
      const ambiguous = count("TaskMayExist")
      const ambiguousTaken = creates.filter((c) => c.outcome === "TaskMayExist" && tasksOf(c.n) === 1).length
      const refused = count("ApiError") + count("NetworkError")
      expect(succeeded + ambiguous + refused).toBe(creates.length)
      // Every task the service holds is one the client reported as made or as maybe made.
      expect(created).toBe(succeeded + ambiguousTaken)
      expect(created).toBeLessThanOrEqual(succeeded + ambiguous)
      expect(lanes.reduce((sum, l) => sum + [...l.tasksOf.values()].reduce((a, b) => a + b, 0), 0)).toBe(created)

      const byKind = kinds.map((k) => `${k.name} ${creates.filter((c) => c.kind === k).length}`).join(", ")
      report.push(
        `Creation under faults (seed ${SEED}): ${creates.length} creates (${byKind})`,
        `  client: ${succeeded} succeeded, ${ambiguous} TaskMayExist, ${count("ApiError")} ApiError, ` +
          `${count("NetworkError")} NetworkError`,
        `  emulator: ${created} tasks created = ${succeeded} succeeded + ${ambiguousTaken} of the ${ambiguous} ambiguous ` +
          `(the other ${ambiguous - ambiguousTaken} met a fault that answered before the service took them); ` +
          `no task created twice`
      )
    }))
})
