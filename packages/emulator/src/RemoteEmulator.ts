/**
 * An emulator running in another process (`pnpm emulator`, the CLI's
 * `oomol-task emulator`), controlled through its `/_emulator/…` endpoints.
 *
 * @example
 * ```ts
 * import { connectEmulator, Fault } from "@oomol-cloud-task/emulator"
 *
 * const emulator = connectEmulator("http://127.0.0.1:4000")
 * await emulator.fault("getTaskResult", Fault.tooManyRequests(1))
 * console.log(await emulator.counters())
 * ```
 *
 * @since 0.1.0
 */
import type { Queue } from "@oomol-cloud-task/contract"
import * as Schema from "effect/Schema"
import { BlockBehavior } from "./Block.js"
import * as Control from "./Control.js"
import type { Fault } from "./Fault.js"
import type { RouteName } from "./Route.js"

/**
 * The control operations of an emulator in another process; each is one HTTP
 * request.
 *
 * @since 0.1.0
 * @category models
 */
export interface RemoteEmulator {
  readonly url: string
  readonly now: () => Promise<number>
  readonly advance: (ms: number) => Promise<number>
  readonly defineBlock: (behavior: BlockBehavior) => Promise<void>
  readonly fault: (route: RouteName, fault: Fault) => Promise<void>
  readonly clearFaults: (route?: RouteName) => Promise<void>
  readonly counters: () => Promise<Control.Counters>
  readonly requestLog: (route?: RouteName) => Promise<ReadonlyArray<Control.RecordedRequest>>
  readonly partUploads: () => Promise<ReadonlyArray<Control.PartUpload>>
  readonly seedSharedTask: (seed?: Control.SharedTaskSeed) => Promise<string>
  readonly configureQueue: (settings: Control.QueueSettings) => Promise<Queue.Dashboard>
  readonly reset: () => Promise<void>
}

/**
 * Controls the emulator whose task API is at `url`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const connectEmulator = (url: string): RemoteEmulator => {
  const base = url.replace(/\/+$/, "")
  const send = async (path: string, body?: unknown): Promise<any> => {
    const response = await fetch(`${base}${path}`, {
      method: body === undefined ? "GET" : "POST",
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } })
    })
    const json = await response.json() as { readonly message?: string }
    if (!response.ok) throw new Error(`${path}: ${json.message ?? response.status}`)
    return json
  }
  // Encoded as the endpoints decode them: `times: Infinity` travels as "Infinity".
  const encodeFault = Schema.encodeSync(Control.AddFault)
  return {
    url: base,
    now: async () => (await send(Control.paths.clock)).now,
    advance: async (ms) => (await send(Control.paths.advance, { ms })).now,
    defineBlock: async (behavior) => void (await send(Control.paths.blocks, Schema.encodeSync(BlockBehavior)(behavior))),
    fault: async (route, fault) => void (await send(Control.paths.faults, encodeFault({ route, fault }))),
    clearFaults: async (route) => void (await send(Control.paths.clearFaults, route === undefined ? {} : { route })),
    counters: () => send(Control.paths.counters),
    requestLog: async (route) =>
      (await send(`${Control.paths.requests}${route === undefined ? "" : `?route=${route}`}`)).requests,
    partUploads: async () => (await send(Control.paths.parts)).parts,
    seedSharedTask: async (seed = {}) => (await send(Control.paths.sharedTasks, seed)).taskID,
    configureQueue: (settings) => send(Control.paths.queue, settings),
    reset: async () => void (await send(Control.paths.reset, {}))
  }
}
