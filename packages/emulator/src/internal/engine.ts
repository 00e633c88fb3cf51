/** Everything one emulator knows: its clock, tasks, uploads, faults and counters. */
import type { Queue } from "@oomol-cloud-task/contract"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as Result from "effect/Result"
import { type BlockBehavior, makeRegistry, type Registry } from "../Block.js"
import type { Counters, QueueSettings, RecordedRequest, SharedTaskSeed } from "../Control.js"
import { type RouteName, routeNames } from "../Route.js"
import * as Simulation from "../Simulation.js"
import * as Uploads from "../Uploads.js"
import * as EmulatorClock from "./clock.js"
import { type FaultQueues, makeQueues } from "./faults.js"

/**
 * What an engine is made from: the emulator's options but the port. The
 * public `Emulator.Options` extends it, so that nothing internal imports the
 * module that assembles it.
 */
export interface Settings {
  readonly apiKey?: string
  readonly sessionToken?: string
  readonly partSize?: number
  readonly maxConcurrency?: number
  readonly maxQueueSize?: number
  readonly clock?: "virtual" | "real"
  readonly startTime?: number
  readonly blocks?: ReadonlyArray<BlockBehavior>
  readonly ownerID?: string
}

export interface Engine {
  readonly options: Settings
  readonly clock: EmulatorClock.EmulatorClock
  readonly now: () => number
  readonly blocks: Registry
  readonly simulation: Simulation.Simulation
  readonly uploads: Uploads.Uploads
  readonly faults: FaultQueues
  /** Completed when the emulator closes: hung requests let go then. */
  readonly closing: Deferred.Deferred<void>
  /** The URL absolute links point to when a request names no host. */
  baseUrl: string
  readonly record: (route: RouteName, request: HttpServerRequest.HttpServerRequest) => void
  readonly requests: (route?: RouteName) => number
  readonly counters: () => Counters
  readonly requestLog: (route?: RouteName) => ReadonlyArray<RecordedRequest>
  /** Adds a shared task to the listing and answers its ID. */
  readonly seedSharedTask: (seed: SharedTaskSeed) => string
  readonly configureQueue: (settings: QueueSettings) => Queue.Dashboard
  readonly reset: Effect.Effect<void>
}

/** How many requests the log keeps, the latest ones: a benchmark makes a great many. */
export const REQUEST_LOG_LIMIT = 1000

export const defaults = {
  partSize: 5 * 1024 * 1024,
  maxConcurrency: 10_000,
  maxQueueSize: 100_000,
  ownerID: "emulator-user",
  /** 2025-01-01T00:00:00Z: a virtual clock starts somewhere plausible, and always the same. */
  startTime: Date.UTC(2025, 0, 1)
} as const

export const make = (options: Settings) =>
  Effect.gen(function*() {
    // A part size or concurrency of 0 would cut files into endless parts, or never run a task.
    for (const name of ["partSize", "maxConcurrency"] as const) {
      const value = options[name]
      if (value !== undefined && !(Number.isSafeInteger(value) && value > 0)) {
        return yield* Effect.die(new Error(`Emulator option ${name} must be a positive integer, got ${value}`))
      }
    }
    const fs = yield* FileSystem.FileSystem
    const ambient = yield* Clock.Clock
    const clock = options.clock === "virtual"
      ? EmulatorClock.virtual(options.startTime ?? defaults.startTime)
      : EmulatorClock.shifted(options.clock === "real" ? Clock.Clock.defaultValue() : ambient)
    const now = () => clock.clock.currentTimeMillisUnsafe()
    const directory = yield* Effect.acquireRelease(
      fs.makeTempDirectory({ prefix: "oomol-emulator-" }),
      (path) => Effect.ignore(fs.remove(path, { recursive: true, force: true }))
    ).pipe(Effect.orDie)
    const uploads = yield* Uploads.make({ directory, partSize: options.partSize ?? defaults.partSize })
    const limits = {
      maxConcurrency: options.maxConcurrency ?? defaults.maxConcurrency,
      maxQueueSize: options.maxQueueSize ?? defaults.maxQueueSize
    }
    const simulation = Simulation.make({ ...limits, ownerID: options.ownerID ?? defaults.ownerID, now: now() })
    const blocks = makeRegistry(options.blocks)
    const faults = makeQueues()
    const closing = yield* Deferred.make<void>()
    yield* Effect.addFinalizer(() => Deferred.succeed(closing, undefined))

    const counts = new Map<RouteName, number>()
    let log: Array<RecordedRequest> = []

    const engine: Engine = {
      options,
      clock,
      now,
      blocks,
      simulation,
      uploads,
      faults,
      closing,
      baseUrl: "http://127.0.0.1",
      record: (route, request) => {
        counts.set(route, (counts.get(route) ?? 0) + 1)
        log.push({ route, method: request.method, url: request.url, headers: { ...request.headers }, at: now() })
        if (log.length > REQUEST_LOG_LIMIT * 2) log = log.slice(-REQUEST_LOG_LIMIT)
      },
      requests: (route) =>
        route === undefined
          ? Array.from(counts.values()).reduce((a, b) => a + b, 0)
          : counts.get(route) ?? 0,
      counters: () => ({
        requests: Object.fromEntries(routeNames.map((route) => [route, counts.get(route) ?? 0])) as Record<
          RouteName,
          number
        >,
        createdTasks: simulation.created()
      }),
      requestLog: (route) =>
        log.slice(-REQUEST_LOG_LIMIT).filter((entry) => route === undefined || entry.route === route),
      seedSharedTask: (seed) => {
        const packageName = seed.packageName ?? "shared-package"
        const packageVersion = seed.packageVersion ?? "1.0.0"
        const blockName = seed.blockName ?? "main"
        const created = simulation.create({
          taskType: "shared",
          packageName,
          packageVersion,
          blockName,
          inputValues: seed.inputValues,
          packageID: seed.packageID === undefined ? packageName : seed.packageID,
          subscriptionID: seed.subscriptionID === undefined ? "emulator-subscription" : seed.subscriptionID,
          script: blocks.resolve(packageName, blockName, packageVersion)
        }, now(), { ignoreQueueSize: true, taskID: seed.taskID })
        return Result.getOrThrowWith(created, (message) => new Error(message)).taskID
      },
      configureQueue: (settings) => {
        const at = now()
        simulation.configure({
          ...(settings.maxConcurrency === undefined ? {} : { maxConcurrency: settings.maxConcurrency }),
          ...(settings.maxQueueSize === undefined ? {} : { maxQueueSize: settings.maxQueueSize })
        }, at)
        if (settings.pause === null) simulation.resume(at, { force: true })
        else if (settings.pause !== undefined) simulation.pause(settings.pause, at)
        return simulation.dashboard(at)
      },
      reset: Effect.suspend(() => {
        simulation.reset(now())
        blocks.reset()
        faults.clear()
        counts.clear()
        log = []
        return uploads.reset
      })
    }
    return engine
  })

