/**
 * Scale-out: durable runs shared by runner processes through PostgreSQL.
 *
 * Each runner is an Effect cluster runner (`NodeClusterSocket`, shard
 * assignments and messages in PostgreSQL through `SqlRunnerStorage` and
 * `SqlMessageStorage`); the runs' shards are spread over the runners alive.
 * When a runner dies, its shards move to the others, which replay its runs
 * from their last recorded step: a created task is never created again.
 * A process that only starts and awaits runs (a web server, say) uses
 * {@link layerClient}: it runs nothing itself.
 *
 * Needs `@effect/platform-node` (runners talk over TCP sockets), which is
 * why this module is imported on its own, as
 * `@oomol-cloud-task/workflow/Cluster`, not from the package's index.
 *
 * @example
 * ```ts
 * import * as Cluster from "@oomol-cloud-task/workflow/Cluster"
 * import { Redacted } from "effect"
 *
 * const database = { url: Redacted.make("postgres://tasks@db.internal/tasks") }
 * // A runner, reachable by the other runners at runner-1.internal:34431:
 * const Runner = Cluster.layer({ database, runner: { host: "runner-1.internal", port: 34431 } })
 * // A process that starts and awaits runs, and runs none:
 * const Client = Cluster.layerClient({ database })
 * ```
 *
 * @since 0.1.0
 */
import * as NodeClusterSocket from "@effect/platform-node/NodeClusterSocket"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as ClusterWorkflowEngine from "effect/cluster/ClusterWorkflowEngine"
import * as RunnerAddress from "effect/cluster/RunnerAddress"
import type * as ShardingConfig from "effect/cluster/ShardingConfig"
import type * as Config from "effect/Config"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as SocketServer from "effect/socket/SocketServer"
import type * as SqlError from "effect/sql/SqlError"
import type * as WorkflowEngine from "effect/workflow/WorkflowEngine"

/**
 * What Cluster changes of Effect's sharding defaults: storage is looked at
 * every second (new runs, due durable timers, runs of a runner that died)
 * instead of every 10 s, and runners check each other's health every 10 s
 * instead of every minute.
 *
 * @since 0.1.0
 * @category options
 */
export const defaultShardingConfig: Partial<ShardingConfig.ShardingConfig["Service"]> = {
  entityMessagePollInterval: "1 second",
  runnerHealthCheckInterval: "10 seconds"
}

/**
 * A runner of the cluster.
 *
 * @since 0.1.0
 * @category options
 */
export interface Options {
  /** The PostgreSQL database every runner and client shares (`@effect/sql-pg`'s pool settings). */
  readonly database: PgClient.PgPoolConfig
  /**
   * Where the other runners reach this one. It listens there too, unless
   * `listen` says otherwise (behind NAT, say).
   */
  readonly runner: {
    readonly host: string
    readonly port: number
    readonly listen?: { readonly host: string; readonly port: number } | undefined
  }
  /** Settings of the cluster (`ShardingConfig`), over {@link defaultShardingConfig}; the same on every runner. */
  readonly shardingConfig?: Partial<ShardingConfig.ShardingConfig["Service"]> | undefined
}

/**
 * A runner: a `WorkflowEngine` whose runs are executed by this process and
 * its peers. Register the runs' layer on it.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<
  WorkflowEngine.WorkflowEngine,
  SqlError.SqlError | Config.ConfigError | SocketServer.SocketServerError
> => {
  const listen = options.runner.listen
  const sharding = NodeClusterSocket.layer({
    storage: "sql",
    shardingConfig: {
      ...defaultShardingConfig,
      ...options.shardingConfig,
      runnerAddress: Option.some(RunnerAddress.make(options.runner.host, options.runner.port)),
      runnerListenAddress: listen === undefined ? Option.none() : Option.some(RunnerAddress.make(listen.host, listen.port))
    }
  })
  return ClusterWorkflowEngine.layer.pipe(
    Layer.provide(sharding),
    Layer.provide(PgClient.layer(options.database))
  )
}

/**
 * A client of the cluster: a `WorkflowEngine` that starts, awaits, polls and
 * cancels runs, and executes none (their bodies run on the runners, so the
 * runs' layer and a `CloudTaskClient` are not needed here).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (options: {
  readonly database: PgClient.PgPoolConfig
  readonly shardingConfig?: Partial<ShardingConfig.ShardingConfig["Service"]> | undefined
}): Layer.Layer<WorkflowEngine.WorkflowEngine, SqlError.SqlError | Config.ConfigError> =>
  ClusterWorkflowEngine.layer.pipe(
    Layer.provide(
      NodeClusterSocket.layer({
        storage: "sql",
        clientOnly: true,
        shardingConfig: { ...defaultShardingConfig, ...options.shardingConfig }
      })
    ),
    Layer.provide(PgClient.layer(options.database))
  )
