/**
 * How a block behaves when a task runs it: how long each phase lasts, the
 * progress it reports, the logs it writes, and how it ends.
 *
 * A behaviour is registered for a package, optionally narrowed to a block and a
 * version; `packageName: "*"` matches every package. The most specific match
 * wins (package, then block, then version) and a task keeps the behaviour it
 * was created with.
 *
 * @since 0.1.0
 */
import type { Task } from "@oomol-cloud-task/contract"
import * as Schema from "effect/Schema"

const Millis = Schema.Number.check(Schema.isGreaterThanOrEqualTo(0))

/**
 * How long, in milliseconds, a task stays in each in-progress status. `queued`
 * is the least time before it may start; a full or paused queue holds it
 * longer.
 *
 * @since 0.1.0
 * @category behaviour
 */
export const Durations = Schema.Struct({
  queued: Schema.optional(Millis),
  scheduling: Schema.optional(Millis),
  scheduled: Schema.optional(Millis),
  running: Schema.optional(Millis)
})
/** @since 0.1.0 @category behaviour */
export type Durations = typeof Durations.Type

/**
 * A block's scripted behaviour. Every field but `packageName` is optional and
 * falls back to the default behaviour.
 *
 * - `progress`: values reported one after another, evenly spread over
 *   `running`; a success then reports 100.
 * - `fail`: end `failed` with this message (e.g. `"Insufficient balance"`)
 *   instead of succeeding.
 * - `resultData`: what a success returns; by default `[inputValues]`.
 * - `logs`: the lines the block writes while running, or how many numbered
 *   lines to write; `logsLag` delays every log entry (logs may trail status).
 *
 * @since 0.1.0
 * @category behaviour
 */
export const BlockBehavior = Schema.Struct({
  packageName: Schema.String,
  blockName: Schema.optional(Schema.String),
  packageVersion: Schema.optional(Schema.String),
  durations: Schema.optional(Durations),
  progress: Schema.optional(Schema.Array(Schema.Number)),
  fail: Schema.optional(Schema.String),
  resultData: Schema.optional(Schema.Unknown),
  resultURL: Schema.optional(Schema.NullOr(Schema.String)),
  logs: Schema.optional(
    Schema.Union([Schema.Array(Schema.String), Schema.Number.check(Schema.isInt(), Schema.isGreaterThanOrEqualTo(0))])
  ),
  logsLag: Schema.optional(Millis)
})
/** @since 0.1.0 @category behaviour */
export type BlockBehavior = typeof BlockBehavior.Type

/**
 * What a block does unless told otherwise: about 350 ms from creation to
 * success, three progress steps, three log lines.
 *
 * @since 0.1.0
 * @category behaviour
 */
export const defaults = {
  durations: { queued: 50, scheduling: 50, scheduled: 50, running: 200 },
  progress: [25, 50, 75],
  logs: ["Preparing inputs", "Running block", "Writing outputs"]
} as const

/**
 * A point of a task's life, `at` milliseconds after it left the queue.
 *
 * @since 0.1.0
 * @category script
 */
export interface Mark {
  readonly at: number
  readonly status: Task.TaskStatus
  readonly progress: number
}

/**
 * A behaviour turned into a timeline, shared by every task that runs it.
 *
 * @since 0.1.0
 * @category script
 */
export interface Script {
  readonly queued: number
  /** From leaving the queue to the end. */
  readonly total: number
  /** When the block starts running, from leaving the queue. */
  readonly runningAt: number
  /** In time order; the last one is the end. */
  readonly marks: ReadonlyArray<Mark>
  readonly fail: string | undefined
  readonly resultData: { readonly value: unknown } | undefined
  readonly resultURL: string | null
  readonly logLines: number
  readonly logLine: (index: number) => string
  readonly logsLag: number
}

/**
 * Turns a behaviour into its timeline.
 *
 * @since 0.1.0
 * @category script
 */
export const compile = (behavior: Omit<BlockBehavior, "packageName">): Script => {
  const given = behavior.durations ?? {}
  const d = {
    queued: given.queued ?? defaults.durations.queued,
    scheduling: given.scheduling ?? defaults.durations.scheduling,
    scheduled: given.scheduled ?? defaults.durations.scheduled,
    running: given.running ?? defaults.durations.running
  }
  const runningAt = d.scheduling + d.scheduled
  const total = runningAt + d.running
  const steps = behavior.progress ?? defaults.progress
  const marks: Array<Mark> = [
    { at: 0, status: "scheduling", progress: 0 },
    { at: d.scheduling, status: "scheduled", progress: 0 },
    { at: runningAt, status: "running", progress: 0 },
    ...steps.map((progress, i) => ({
      at: runningAt + Math.floor((d.running * (i + 1)) / (steps.length + 1)),
      status: "running" as const,
      progress
    }))
  ]
  const last = marks[marks.length - 1]?.progress ?? 0
  marks.push(
    behavior.fail === undefined
      ? { at: total, status: "success", progress: 100 }
      : { at: total, status: "failed", progress: last }
  )
  const logs = behavior.logs ?? defaults.logs
  return {
    queued: d.queued,
    total,
    runningAt,
    marks,
    fail: behavior.fail,
    resultData: "resultData" in behavior ? { value: behavior.resultData } : undefined,
    resultURL: behavior.resultURL ?? null,
    logLines: typeof logs === "number" ? logs : logs.length,
    logLine: typeof logs === "number" ? (i) => `log line ${i + 1} of ${logs}` : (i) => logs[i] ?? "",
    logsLag: behavior.logsLag ?? 0
  }
}

/**
 * The last mark reached `elapsed` milliseconds after leaving the queue.
 *
 * @since 0.1.0
 * @category script
 */
export const markAt = (script: Script, elapsed: number): Mark => {
  let reached = script.marks[0]!
  for (const mark of script.marks) {
    if (mark.at > elapsed) break
    reached = mark
  }
  return reached
}

/**
 * The behaviours of one emulator, looked up by package, block and version.
 *
 * @since 0.1.0
 * @category registry
 */
export interface Registry {
  readonly define: (behavior: BlockBehavior) => void
  readonly resolve: (packageName: string, blockName: string, packageVersion: string) => Script
  readonly reset: () => void
}

const ANY = "*"
const keyOf = (packageName: string, blockName: string, version: string) => `${packageName}\u0000${blockName}\u0000${version}`

/**
 * A registry holding `initial` (re-registered on `reset`).
 *
 * @since 0.1.0
 * @category registry
 */
export const makeRegistry = (initial: ReadonlyArray<BlockBehavior> = []): Registry => {
  const fallback = compile({})
  const scripts = new Map<string, Script>()
  const define = (behavior: BlockBehavior) => {
    scripts.set(keyOf(behavior.packageName, behavior.blockName ?? ANY, behavior.packageVersion ?? ANY), compile(behavior))
  }
  const reset = () => {
    scripts.clear()
    initial.forEach(define)
  }
  reset()
  return {
    define,
    reset,
    resolve: (packageName, blockName, version) => {
      for (const p of [packageName, ANY]) {
        for (const b of [blockName, ANY]) {
          for (const v of [version, ANY]) {
            const script = scripts.get(keyOf(p, b, v))
            if (script !== undefined) return script
          }
        }
      }
      return fallback
    }
  }
}
