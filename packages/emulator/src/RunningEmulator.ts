/**
 * The emulator for plain Promise code: `startEmulator` serves it on a
 * loopback port and answers a handle whose control methods are synchronous.
 * The handle has the members of the Effect service (`Emulator.Service`), each
 * the same function answering a value where the service answers an `Effect`,
 * plus `close()`.
 *
 * @example
 * ```ts
 * import { Fault, startEmulator } from "@oomol-cloud-task/emulator"
 *
 * const emulator = await startEmulator({ clock: "virtual" })
 * emulator.fault("createTask", Fault.status(503))
 * // … point a client at emulator.url and emulator.uploadBaseUrl …
 * emulator.advance(1_000)
 * await emulator.close()
 * ```
 *
 * @since 0.1.0
 */
import type { Queue } from "@oomol-cloud-task/contract"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import type { BlockBehavior } from "./Block.js"
import type { Counters, PartUpload, QueueSettings, RecordedRequest, SharedTaskSeed } from "./Control.js"
import * as Emulator from "./Emulator.js"
import type { Fault } from "./Fault.js"
import type { RouteName } from "./Route.js"

/**
 * A running emulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunningEmulator {
  /** The task API's base URL, `http://127.0.0.1:PORT`. */
  readonly url: string
  /** The upload API's base URL, `http://127.0.0.1:PORT/api/tasks/files/remote-cache`. */
  readonly uploadBaseUrl: string
  /** Stops it: frees the port, every connection (hung ones too) and its temp files. */
  readonly close: () => Promise<void>
  /** The emulator's time, epoch milliseconds. */
  readonly now: () => number
  /** Moves time forward by `ms`: a virtual clock, or an offset on the real one. */
  readonly advance: (ms: number) => void
  readonly defineBlock: (behavior: BlockBehavior) => void
  /** Queues `fault` for the next requests of `route`. */
  readonly fault: (route: RouteName, fault: Fault) => void
  /** Faults still queued for `route`. */
  readonly pendingFaults: (route: RouteName) => number
  readonly clearFaults: (route?: RouteName) => void
  /** Requests received by `route`, or by every route. */
  readonly requests: (route?: RouteName) => number
  readonly counters: () => Counters
  readonly requestLog: (route?: RouteName) => ReadonlyArray<RecordedRequest>
  readonly partUploads: () => ReadonlyArray<PartUpload>
  /** Tasks actually created. */
  readonly createdTasks: () => number
  /** Adds a shared task to the listing and answers its ID. */
  readonly seedSharedTask: (seed?: SharedTaskSeed) => string
  readonly configureQueue: (settings: QueueSettings) => Queue.Dashboard
  /** Forgets tasks, uploads, faults, counters and behaviours defined since the start. */
  readonly reset: () => Promise<void>
}

/**
 * Starts an emulator on 127.0.0.1 (a free port unless `options.port`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const startEmulator = async (options: Emulator.Options = {}): Promise<RunningEmulator> => {
  const scope = Scope.makeUnsafe()
  const exit = await Effect.runPromiseExit(Scope.provide(Emulator.serve(options), scope))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    const error = Cause.squash(exit.cause)
    const reason = error instanceof Error && error.cause instanceof Error ? error.cause : error
    throw new Error(`The emulator could not start: ${reason instanceof Error ? reason.message : String(reason)}`, {
      cause: error
    })
  }
  const service = exit.value
  const run = Effect.runSync
  let closed: Promise<void> | undefined
  return {
    url: service.url,
    uploadBaseUrl: service.uploadBaseUrl,
    // The last file system callback is still "active" until the next turn of the event loop.
    close: () => (closed ??= Effect.runPromise(Scope.close(scope, Exit.void)).then(() => new Promise((resolve) => setImmediate(resolve)))),
    now: () => run(service.now()),
    advance: (ms) => run(service.advance(ms)),
    defineBlock: (behavior) => run(service.defineBlock(behavior)),
    fault: (route, fault) => run(service.fault(route, fault)),
    pendingFaults: (route) => run(service.pendingFaults(route)),
    clearFaults: (route) => run(service.clearFaults(route)),
    requests: (route) => run(service.requests(route)),
    counters: () => run(service.counters()),
    requestLog: (route) => run(service.requestLog(route)),
    partUploads: () => run(service.partUploads()),
    createdTasks: () => run(service.createdTasks()),
    seedSharedTask: (seed) => run(service.seedSharedTask(seed)),
    configureQueue: (settings) => run(service.configureQueue(settings)),
    reset: () => Effect.runPromise(service.reset())
  }
}
