/**
 * The user's task queue as a deterministic discrete-event simulation.
 *
 * Nothing runs on a timer: every operation first advances the simulation to
 * the time it is given, processing the events due by then (a task finishing
 * frees a slot, the next queued task starts) in time order. A task's status,
 * progress and logs at any instant follow from when it left the queue and its
 * block's `Script`, so ten thousand tasks cost nothing while nobody looks.
 *
 * @since 0.1.0
 */
import type * as Queue from "@oomol-cloud-task/contract/Queue"
import type * as Task from "@oomol-cloud-task/contract/Task"
import * as Result from "effect/Result"
import { createHash, randomUUID } from "node:crypto"
import type { Script } from "./Block.js"
import { markAt } from "./Block.js"
import * as Listing from "./internal/listing.js"
import * as TaskQueue from "./internal/queue.js"

/**
 * What a task is created from.
 *
 * @since 0.1.0
 * @category tasks
 */
export interface TaskInput {
  readonly taskType: Task.TaskType
  readonly packageName: string
  readonly packageVersion: string
  readonly blockName: string
  readonly inputValues: Readonly<Record<string, unknown>> | undefined
  readonly packageID: string | null
  readonly subscriptionID: string | null
  readonly script: Script
}

/**
 * A task of the simulation.
 *
 * @since 0.1.0
 * @category tasks
 */
export interface SimTask extends TaskInput {
  readonly seq: number
  readonly taskID: string
  readonly ownerID: string
  readonly workload: "serverless"
  readonly workloadID: string
  readonly createdAt: number
  /** The earliest time it may leave the queue. */
  readonly eligibleAt: number
  /** When it left the queue, once it has. */
  readonly admittedAt: number | null
}

/**
 * Where a task is at one instant.
 *
 * @since 0.1.0
 * @category tasks
 */
export interface TaskState {
  readonly status: Task.TaskStatus
  readonly progress: number
  readonly updatedAt: number
  readonly startTime: number | null
  readonly endTime: number | null
}

/**
 * A task's state at `now` (the simulation must have been advanced to `now`).
 *
 * @since 0.1.0
 * @category tasks
 */
export const stateAt = (task: SimTask, now: number): TaskState => {
  if (task.admittedAt === null || now < task.admittedAt) {
    return { status: "queued", progress: 0, updatedAt: task.createdAt, startTime: null, endTime: null }
  }
  const { script } = task
  const mark = markAt(script, now - task.admittedAt)
  const runningAt = task.admittedAt + script.runningAt
  const endAt = task.admittedAt + script.total
  return {
    status: mark.status,
    progress: mark.progress,
    updatedAt: task.admittedAt + mark.at,
    startTime: now >= runningAt ? runningAt : null,
    endTime: now >= endAt ? endAt : null
  }
}

/**
 * The workload ID of a block: the same package and block always give the same
 * ID, shaped like a UUID.
 *
 * @since 0.1.0
 * @category tasks
 */
export const workloadID = (packageName: string, blockName: string): string => {
  const hex = createHash("sha1").update(`${packageName}\u0000${blockName}`).digest("hex")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/**
 * The queue's limits.
 *
 * @since 0.1.0
 * @category queue
 */
export interface Limits {
  readonly maxConcurrency: number
  readonly maxQueueSize: number
}

/**
 * A page of the listing, newest first.
 *
 * @since 0.1.0
 * @category queue
 */
export interface Page {
  readonly tasks: ReadonlyArray<SimTask>
  readonly nextToken: string | null
}

/**
 * The simulation's operations. Each takes the current time in epoch
 * milliseconds; time never goes back (an earlier time counts as the latest
 * seen).
 *
 * @since 0.1.0
 * @category queue
 */
export interface Simulation {
  /** Fails with a message when the queue already holds `maxQueueSize` tasks. */
  readonly create: (
    input: TaskInput,
    now: number,
    options?: { readonly ignoreQueueSize?: boolean; readonly taskID?: string | undefined }
  ) => Result.Result<SimTask, string>
  readonly get: (taskID: string, now: number) => SimTask | undefined
  /** Fails with a message when `nextToken` is not one this listing gave. */
  readonly list: (query: Task.ListTasksQuery, now: number) => Result.Result<Page, string>
  readonly latest: (workloadIDs: ReadonlyArray<string>, now: number) => ReadonlyArray<SimTask>
  readonly dashboard: (now: number) => Queue.Dashboard
  /** A pause by the user keeps a pause by the system or for billing. */
  readonly pause: (type: "user" | "system" | "billing", now: number) => Queue.PauseType
  /** Fails with a message when the pause is not the user's to lift. */
  readonly resume: (now: number, options?: { readonly force?: boolean }) => Result.Result<Queue.PauseType, string>
  readonly configure: (limits: Partial<Limits>, now: number) => void
  /** How many tasks were created since the start or the last reset. */
  readonly created: () => number
  readonly reset: (now: number) => void
}

/** The task as the simulation mutates it. */
interface Mutable extends SimTask {
  admittedAt: number | null
  endAt: number
}

/**
 * A simulation starting at `now` with these limits; `ownerID` is the user every
 * task belongs to.
 *
 * @since 0.1.0
 * @category queue
 */
export const make = (options: Limits & { readonly ownerID: string; readonly now: number }): Simulation => {
  let limits: Limits = { maxConcurrency: options.maxConcurrency, maxQueueSize: options.maxQueueSize }
  let seq = 0
  let paused: Queue.PauseType = null
  let tasks: Array<Mutable> = []
  const byID = new Map<string, Mutable>()
  const workloads = new Map<string, string>()
  const workloadOf = (packageName: string, blockName: string) => {
    const key = `${packageName}\u0000${blockName}`
    let id = workloads.get(key)
    if (id === undefined) workloads.set(key, id = workloadID(packageName, blockName))
    return id
  }
  const latestByWorkload = new Map<string, Mutable>()
  const queue = TaskQueue.make<Mutable>(options.now, () => paused === null ? limits.maxConcurrency : 0)
  const { advance } = queue

  return {
    create: (input, now, createOptions) => {
      advance(now)
      if (createOptions?.ignoreQueueSize !== true && queue.waiting() >= limits.maxQueueSize) {
        return Result.fail(
          `Queue is full: ${queue.waiting()} tasks are waiting (maxQueueSize ${limits.maxQueueSize}). Try again later.`
        )
      }
      if (createOptions?.taskID !== undefined && byID.has(createOptions.taskID)) {
        return Result.fail(`Task ${createOptions.taskID} already exists`)
      }
      const time = queue.now()
      const task: Mutable = {
        ...input,
        seq: ++seq,
        taskID: createOptions?.taskID ?? randomUUID(),
        ownerID: options.ownerID,
        workload: "serverless",
        workloadID: workloadOf(input.packageName, input.blockName),
        createdAt: time,
        eligibleAt: time + input.script.queued,
        admittedAt: null,
        endAt: Infinity
      }
      tasks.push(task)
      byID.set(task.taskID, task)
      latestByWorkload.set(task.workloadID, task)
      queue.add(task)
      return Result.succeed(task)
    },

    get: (taskID, now) => {
      advance(now)
      return byID.get(taskID)
    },

    list: (query, now) => {
      advance(now)
      return Listing.page(tasks, query, (task) => stateAt(task, queue.now()).status)
    },

    latest: (ids, now) => {
      advance(now)
      return ids.flatMap((id) => latestByWorkload.get(id) ?? [])
    },

    dashboard: (now) => {
      advance(now)
      const count = { queued: queue.waiting(), scheduling: 0, scheduled: 0, running: 0 }
      for (const task of queue.running()) {
        const { status } = stateAt(task, queue.now())
        if (status === "scheduling" || status === "scheduled" || status === "running") count[status]++
      }
      return {
        limits,
        count,
        pause: { paused: paused !== null, type: paused, canResume: paused === "user" }
      }
    },

    pause: (type, now) => {
      advance(now)
      if (paused === null || type !== "user") paused = type
      return paused
    },

    resume: (now, resumeOptions) => {
      advance(now)
      if (paused !== null && paused !== "user" && resumeOptions?.force !== true) {
        return Result.fail(`The queue is paused (${paused}) and cannot be resumed by the user`)
      }
      paused = null
      queue.admitDue()
      return Result.succeed(paused)
    },

    configure: (next, now) => {
      advance(now)
      limits = { ...limits, ...next }
      queue.admitDue()
    },

    created: () => tasks.length,

    reset: (now) => {
      advance(now)
      tasks = []
      queue.clear()
      paused = null
      limits = { maxConcurrency: options.maxConcurrency, maxQueueSize: options.maxQueueSize }
      byID.clear()
      latestByWorkload.clear()
    }
  }
}
