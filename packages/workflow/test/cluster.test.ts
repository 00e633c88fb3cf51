/**
 * Scale-out in real processes: three runners share a PostgreSQL server of
 * the test's own; this process starts the runs as a client of the cluster
 * and awaits every result. One runner is killed halfway; the database is
 * restarted while runs wait. The emulator, in this process, counts tasks.
 */
import { type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { PollSchedule, TaskRuns } from "@oomol-cloud-task/workflow"
import * as Cluster from "@oomol-cloud-task/workflow/Cluster"
import { Effect, Exit, Layer, ManagedRuntime, Redacted } from "effect"
import type * as ShardingConfig from "effect/cluster/ShardingConfig"
import { rmSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bundle, type Child, start, until } from "./processes.js"
import { freePort, type Postgres, startPostgres } from "./postgres.js"

const RUNS = Number(process.env.WORKFLOW_SCALE_RUNS ?? 1_000)

// Failover within seconds: peers ping each other every second and look at
// the assignments every second. Shard locks keep Effect's timing: a lock
// storage slower than its deadline (under load, on 2 cores) stops a runner's
// entities mid-step, which the runs survive but which costs replays.
const sharding: Partial<ShardingConfig.ShardingConfig["Service"]> = {
  runnerHealthCheckInterval: "1 second",
  refreshAssignmentsInterval: "1 second",
  entityMessagePollInterval: "500 millis"
}

let postgres: Postgres
let emulator: RunningEmulator
let script: string

const startRunner = async (name: string): Promise<Child> => {
  const runner = start(script, {
    DATABASE_URL: postgres.url,
    RUNNER_PORT: String(await freePort()),
    RUNNER_NAME: name,
    EMULATOR_URL: emulator.url,
    SHARDING: JSON.stringify(sharding)
  })
  await runner.next((event) => event.event === "ready")
  return runner
}

const Runs = TaskRuns.make()

const request = (key: string, blockName: string) => ({
  packageName: "@test/durable",
  packageVersion: "1.0.0",
  blockName,
  inputValues: { key }
})

/** This process as a client of the cluster: it starts and awaits runs, and runs none. */
const client = () =>
  ManagedRuntime.make(
    Layer.fresh(Cluster.layerClient({ database: { url: Redacted.make(postgres.url) }, shardingConfig: sharding }))
  )

interface Seen {
  readonly route: string
  readonly url: string
  readonly runner: string | undefined
  readonly at: number
}

/**
 * Every request the emulator receives from now on: its log keeps only the
 * latest thousand or so, so it is read every 50 ms.
 */
const record = () => {
  const seen = new Map<string, Seen>()
  const read = () => {
    for (const entry of emulator.requestLog()) {
      const runner = entry.headers["x-runner"]
      seen.set(`${entry.at} ${entry.route} ${entry.url} ${runner}`, { route: entry.route, url: entry.url, runner, at: entry.at })
    }
  }
  const timer = setInterval(read, 50)
  return {
    stop: () => {
      clearInterval(timer)
      read()
      return [...seen.values()]
    }
  }
}

beforeAll(async () => {
  ;[postgres, emulator, script] = await Promise.all([
    startPostgres(),
    startEmulator({ clock: "real" }),
    bundle("cluster-runner")
  ])
}, 120_000)

afterAll(async () => {
  await emulator?.close()
  await postgres?.stop()
  if (script !== undefined) rmSync(script, { force: true })
})

describe("scale-out on PostgreSQL", () => {
  it(`${RUNS} runs across 3 runners, one killed halfway: every task created once, every result delivered`, async () => {
    // Half the tasks end in seconds, half run long: when the first half is in,
    // every runner, r2 too, is surely still waiting for tasks of the second.
    emulator.defineBlock({
      packageName: "@test/durable",
      blockName: "spread-short",
      durations: { queued: 0, scheduling: 0, scheduled: 0, running: 3_000 }
    })
    emulator.defineBlock({
      packageName: "@test/durable",
      blockName: "spread-long",
      durations: { queued: 0, scheduling: 0, scheduled: 0, running: 30_000 }
    })
    const runners = await Promise.all(["r1", "r2", "r3"].map(startRunner))
    const runtime = client()
    const recorder = record()
    let delivered = 0
    try {
      const keys = Array.from({ length: RUNS }, (_, i) => `spread-${i}`)
      const all = runtime.runPromise(
        Effect.forEach(
          keys,
          (key, i) =>
            Runs.run(request(key, i % 2 === 0 ? "spread-short" : "spread-long"), { key, schedule: PollSchedule.fixed("1 second") }).pipe(
              Effect.exit,
              Effect.tap(() => Effect.sync(() => delivered++))
            ),
          { concurrency: "unbounded" }
        )
      )
      // Halfway: every task created, the short half's results in. r2 dies mid-wait.
      await until(() => emulator.createdTasks() === RUNS && delivered >= RUNS / 2, 240_000, "half the results")
      const killedAt = emulator.now()
      await runners[1]!.kill()
      const exits = await all
      const requests = recorder.stop()
      const failures = exits.filter(Exit.isFailure)
      expect(failures.map(String).slice(0, 3)).toEqual([])
      const successes = exits.flatMap((exit) => (Exit.isSuccess(exit) ? [exit.value] : []))
      expect(successes.map((success) => success.result.resultData)).toEqual(keys.map((key) => [{ key }]))
      expect(new Set(successes.map((success) => success.taskID)).size).toBe(RUNS)
      expect(emulator.createdTasks()).toBe(RUNS)
      expect(emulator.requests("createTask")).toBe(RUNS)
      // The runs were spread: every runner created tasks and polled them.
      for (const route of ["createTask", "getTaskResult"]) {
        const runners = new Set(requests.filter((request) => request.route === route).map((request) => request.runner))
        expect([...runners].sort()).toEqual(["r1", "r2", "r3"])
      }
      // r2 was waiting for tasks when it died; the other runners finished those runs.
      const moved = successes.filter((success) => {
        const polls = requests.filter((request) => request.route === "getTaskResult" && request.url.includes(`/${success.taskID}/`))
        return polls.some((poll) => poll.runner === "r2" && poll.at < killedAt) &&
          polls.some((poll) => poll.runner !== "r2" && poll.at > killedAt)
      })
      expect(moved.length).toBeGreaterThan(0)
    } finally {
      recorder.stop()
      await runtime.dispose()
      await Promise.all(runners.map((runner) => runner.kill()))
    }
  }, 600_000)

  it("rides out a restart of the database while runs wait", async () => {
    emulator.defineBlock({
      packageName: "@test/durable",
      blockName: "restart",
      durations: { queued: 0, scheduling: 0, scheduled: 0, running: 8_000 }
    })
    const created = emulator.createdTasks()
    const runners = await Promise.all(["r4", "r5", "r6"].map(startRunner))
    const runtime = client()
    const count = 100
    try {
      const keys = Array.from({ length: count }, (_, i) => `restart-${i}`)
      const all = runtime.runPromise(
        Effect.forEach(
          keys,
          (key) => Effect.exit(Runs.run(request(key, "restart"), { key, schedule: PollSchedule.fixed("1 second") })),
          { concurrency: "unbounded" }
        )
      )
      await until(() => emulator.createdTasks() === created + count, 120_000, "every task created")
      await postgres.restart()
      const exits = await all
      expect(exits.filter(Exit.isFailure).map(String).slice(0, 3)).toEqual([])
      expect(exits.map((exit) => Exit.isSuccess(exit) && exit.value.result.resultData)).toEqual(keys.map((key) => [{ key }]))
      expect(emulator.createdTasks()).toBe(created + count)
      for (const runner of runners) expect(runner.process.exitCode).toBeNull()
    } finally {
      await runtime.dispose()
      await Promise.all(runners.map((runner) => runner.kill()))
    }
  }, 600_000)
})

