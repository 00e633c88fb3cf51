/**
 * The embedded default: durable runs in one process, kept in a local folder,
 * with no server to install.
 *
 * The runs are stored by Effect's cluster (`SqlMessageStorage`, through
 * `SingleRunner`) in PostgreSQL — PGlite, Postgres compiled to WebAssembly,
 * running in this process on files in the folder — spoken to by
 * `@effect/sql-pg`, the stable Effect 4 SQL driver. A run survives the
 * process being killed: started again on the same folder, the program picks
 * up every unfinished run where its last recorded step left it.
 *
 * One process at a time may open a folder; a second one fails with
 * `StorageUnavailable` naming the first. For several processes, use
 * `Cluster.layer` on a PostgreSQL server.
 *
 * @example
 * ```ts
 * import { Embedded } from "@oomol-cloud-task/workflow"
 *
 * // The engine the runs need; provide it with the runs' layer.
 * const Engine = Embedded.layer({ directory: ".task-runs" })
 * ```
 *
 * @since 0.1.0
 */
import { PGlite } from "@electric-sql/pglite"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as ClusterWorkflowEngine from "effect/cluster/ClusterWorkflowEngine"
import type * as ShardingConfig from "effect/cluster/ShardingConfig"
import * as SingleRunner from "effect/cluster/SingleRunner"
import * as Digest from "effect/crypto/Digest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as WorkflowEngine from "effect/workflow/WorkflowEngine"
import { mkdirSync } from "node:fs"
import { join, resolve } from "node:path"
import { InFlightGrace } from "./InFlightGrace.js"
import * as DirLock from "./internal/dirLock.js"
import * as PgliteStream from "./internal/pgliteStream.js"

/**
 * The runs' folder could not be opened: it cannot be created, another process
 * holds it, or its database did not start.
 *
 * @since 0.1.0
 * @category errors
 */
export class StorageUnavailable extends Schema.TaggedError<StorageUnavailable>()("StorageUnavailable", {
  directory: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/**
 * Where and how the embedded engine keeps its runs.
 *
 * @since 0.1.0
 * @category options
 */
export interface Options {
  /** The folder the runs are kept in; created when missing. */
  readonly directory: string
  /** Settings of the cluster underneath (`ShardingConfig`), over this module's defaults. */
  readonly shardingConfig?: Partial<ShardingConfig.ShardingConfig["Service"]> | undefined
}

/**
 * What the embedded engine changes of Effect's sharding defaults: storage is
 * looked at every second (a durable timer is due, a run to resume), instead
 * of every 10 s.
 *
 * @since 0.1.0
 * @category options
 */
export const defaultShardingConfig: Partial<ShardingConfig.ShardingConfig["Service"]> = {
  entityMessagePollInterval: "1 second"
}

const unavailable = (directory: string, message: string) => (cause: unknown) =>
  new StorageUnavailable({ directory, message, cause })

// The database in the folder, as an `@effect/sql-pg` client of one connection
// (PGlite is one session), held by this process alone.
const database = (directory: string) =>
  Effect.gen(function*() {
    yield* Effect.try({
      try: () => mkdirSync(directory, { recursive: true }),
      catch: unavailable(directory, `Cannot create ${directory}`)
    })
    yield* DirLock.hold(join(directory, "lock")).pipe(
      Effect.mapError((owner) =>
        new StorageUnavailable({ directory, message: `${directory} is in use by process ${owner}` })
      )
    )
    const db = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => PGlite.create({ dataDir: join(directory, "pgdata") }),
        catch: unavailable(directory, `The database in ${directory} did not start`)
      }),
      (db) => Effect.promise(() => db.close())
    )
    return yield* PgClient.make({
      stream: PgliteStream.connect(db),
      username: "postgres",
      database: "postgres",
      maxConnections: 1
    }).pipe(Effect.mapError(unavailable(directory, `The database in ${directory} did not answer`)))
  })

/**
 * A `WorkflowEngine` that keeps runs in `options.directory`: Effect's
 * `ClusterWorkflowEngine` on a `SingleRunner`, stored in PGlite.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<WorkflowEngine.WorkflowEngine, StorageUnavailable> => {
  const directory = resolve(options.directory)
  const runner = SingleRunner.layer({
    runnerStorage: "memory",
    shardingConfig: { ...defaultShardingConfig, ...options.shardingConfig }
  })
  // The folder is this process's alone: an attempt cut off in flight was cut
  // off by a process that is gone, so there is nothing to wait for.
  const grace = Layer.succeed(InFlightGrace, 0)
  return ClusterWorkflowEngine.layer.pipe(
    Layer.merge(grace),
    Layer.provide(runner),
    Layer.provide(PgClient.layerFrom(database(directory))),
    Layer.provide(Digest.layerWebCrypto),
    Layer.catchCause((cause) => {
      const [reason] = cause.reasons
      const error = reason?._tag === "Fail" && reason.error instanceof StorageUnavailable
        ? reason.error
        : new StorageUnavailable({ directory, message: `The runs in ${directory} could not be opened`, cause })
      return Layer.effect(WorkflowEngine.WorkflowEngine, Effect.fail(error))
    })
  )
}
