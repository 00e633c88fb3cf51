/**
 * The programs behind `pnpm bench`'s workflow part (bench/workflow.ts), one
 * per process, against the emulator at EMULATOR_URL. It prints one JSON line,
 * `{"result": …}`.
 *
 * - `MODE=embedded`: RUNS durable runs at once on the embedded engine kept in
 *   DIR; then, with the runs' process closed, the bytes the runs left in the
 *   database's tables and in the folder.
 * - `MODE=awaitAll`: the same tasks created with the Effect client and awaited
 *   with `awaitAll`, all at once: the in-memory floor.
 * - `MODE=cluster`: a PostgreSQL server of its own and RUNNERS runner
 *   processes (RUNNER_SCRIPT, the tests' runner); this process starts RUNS
 *   runs as a client of the cluster and awaits them.
 *
 * Every task runs RUN_MS ms; runs and awaits poll every second.
 */
import { PGlite } from "@electric-sql/pglite"
import { CloudTaskClient, Polling } from "@oomol-cloud-task/effect"
import { Embedded, PollSchedule, TaskRuns } from "@oomol-cloud-task/workflow"
import * as Cluster from "@oomol-cloud-task/workflow/Cluster"
import { Effect, Exit, Layer, ManagedRuntime, Redacted, Stream } from "effect"
import { FetchHttpClient } from "effect/http"
import { spawn } from "node:child_process"
import { readdirSync, statSync } from "node:fs"
import { join } from "node:path"
import { freePort, startPostgres } from "../test/postgres.js"

const env = (name: string) => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}

const mode = env("MODE")
const runs = Number(env("RUNS"))
const emulatorUrl = env("EMULATOR_URL")
const request = (i: number) => ({
  packageName: "@bench/workflow",
  packageVersion: "1.0.0",
  blockName: "main",
  inputValues: { i }
})
const schedule = PollSchedule.fixed("1 second")
const Runs = TaskRuns.make()

const Client = CloudTaskClient.layer({ baseUrl: emulatorUrl, apiKey: Redacted.make("bench-key") }).pipe(
  Layer.provide(FetchHttpClient.layer)
)

const folderBytes = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce(
    (sum, entry) => sum + (entry.isDirectory() ? folderBytes(join(dir, entry.name)) : statSync(join(dir, entry.name)).size),
    0
  )

/** Runs every run at once; answers how many failed. */
const runAll = Effect.forEach(
  Array.from({ length: runs }, (_, i) => i),
  (i) => Effect.exit(Runs.run(request(i), { key: `bench-${mode}-${i}`, schedule })),
  { concurrency: "unbounded" }
).pipe(Effect.map((exits) => exits.filter(Exit.isFailure).length))

const embedded = async () => {
  const dir = env("DIR")
  const runtime = ManagedRuntime.make(
    Runs.layer.pipe(Layer.provideMerge(Embedded.layer({ directory: dir })), Layer.provide(Client))
  )
  // Build the database first: its creation is not the runs' cost.
  await runtime.runPromise(Runs.poll("warm-up"))
  const before = folderBytes(dir)
  const started = Date.now()
  const failures = await runtime.runPromise(runAll)
  const wallMs = Date.now() - started
  await runtime.dispose()
  const after = folderBytes(dir)
  const db = await PGlite.create({ dataDir: join(dir, "pgdata") })
  const tables = await db.query<{ bytes: number }>(
    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::float8 AS bytes FROM pg_class c " +
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
  )
  await db.close()
  return { wallMs, failures, tableBytes: tables.rows[0]!.bytes, folderBytes: after - before }
}

const awaitAll = async () => {
  const runtime = ManagedRuntime.make(Client)
  const started = Date.now()
  const failures = await runtime.runPromise(
    Effect.gen(function*() {
      const client = yield* CloudTaskClient.CloudTaskClient
      const ids = yield* Effect.forEach(
        Array.from({ length: runs }, (_, i) => i),
        (i) => Effect.map(client.createTask(request(i)), ({ taskID }) => taskID),
        { concurrency: 64 }
      )
      const settled = yield* Stream.runCollect(
        client.awaitAll(ids, { schedule: Polling.fixed("1 second"), concurrency: "unbounded" })
      )
      return settled.filter((each) => each.result._tag === "Failure").length
    })
  )
  const wallMs = Date.now() - started
  await runtime.dispose()
  return { wallMs, failures }
}

const cluster = async () => {
  const postgres = await startPostgres()
  const count = Number(env("RUNNERS"))
  const runners = await Promise.all(Array.from({ length: count }, async (_, i) => {
    const child = spawn(process.execPath, [env("RUNNER_SCRIPT")], {
      env: {
        PATH: process.env.PATH ?? "",
        DATABASE_URL: postgres.url,
        RUNNER_PORT: String(await freePort()),
        RUNNER_NAME: `r${i + 1}`,
        EMULATOR_URL: emulatorUrl,
        API_KEY: "bench-key",
        SHARDING: JSON.stringify({ refreshAssignmentsInterval: "1 second", entityMessagePollInterval: "500 millis" })
      },
      stdio: ["ignore", "pipe", "inherit"]
    })
    await new Promise<void>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`runner exited with ${code}`)))
      child.stdout!.setEncoding("utf8").on("data", (text: string) => {
        if (text.includes(`"ready"`)) resolve()
      })
    })
    return child
  }))
  const runtime = ManagedRuntime.make(
    Cluster.layerClient({ database: { url: Redacted.make(postgres.url) }, shardingConfig: { entityMessagePollInterval: "500 millis" } })
  )
  try {
    const started = Date.now()
    const failures = await runtime.runPromise(runAll)
    return { wallMs: Date.now() - started, failures }
  } finally {
    await runtime.dispose()
    for (const runner of runners) runner.kill("SIGKILL")
    await postgres.stop()
  }
}

const main = async () => {
  const result = mode === "embedded" ? await embedded() : mode === "awaitAll" ? await awaitAll() : await cluster()
  process.stdout.write(`${JSON.stringify({ result })}\n`)
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`)
    process.exit(1)
  }
)
