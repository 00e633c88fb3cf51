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
import type { Queue, Task } from "@oomol-cloud-task/contract"
import * as Result from "effect/Result"
import { createHash, randomUUID } from "node:crypto"
import type { Script } from "./Block.js"
import { markAt } from "./Block.js"
import { MinHeap } from "./internal/heap.js"

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

const DEFAULT_PAGE_SIZE = 20
const tokenOf = (seq: number) => Buffer.from(`before:${seq}`).toString("base64url")
const seqOf = (token: string): number | undefined => {
  const match = /^before:(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"))
  return match === null ? undefined : Number(match[1])
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
  let time = options.now
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
  // Waiting tasks leave in the order they may: by `eligibleAt`, then creation.
  const waiting = new MinHeap<Mutable>((a, b) =>
    a.eligibleAt < b.eligibleAt || (a.eligibleAt === b.eligibleAt && a.seq < b.seq)
  )
  const running = new MinHeap<Mutable>((a, b) => a.endAt < b.endAt || (a.endAt === b.endAt && a.seq < b.seq))
  const canStart = () => paused === null && running.size < limits.maxConcurrency && waiting.size > 0

  const admitDue = (at: number) => {
    while (canStart() && waiting.peek()!.eligibleAt <= at) {
      const next = waiting.pop()!
      next.admittedAt = at
      next.endAt = at + next.script.total
      running.push(next)
    }
  }

  const advance = (now: number) => {
    const until = Math.max(now, time)
    for (;;) {
      admitDue(time)
      const finishing = running.peek()?.endAt ?? Infinity
      const eligible = canStart() ? Math.max(waiting.peek()!.eligibleAt, time) : Infinity
      const next = Math.min(finishing, eligible)
      if (next > until) break
      time = next
      while ((running.peek()?.endAt ?? Infinity) <= time) running.pop()
    }
    time = until
  }

  return {
    create: (input, now, createOptions) => {
      advance(now)
      if (createOptions?.ignoreQueueSize !== true && waiting.size >= limits.maxQueueSize) {
        return Result.fail(
          `Queue is full: ${waiting.size} tasks are waiting (maxQueueSize ${limits.maxQueueSize}). Try again later.`
        )
      }
      if (createOptions?.taskID !== undefined && byID.has(createOptions.taskID)) {
        return Result.fail(`Task ${createOptions.taskID} already exists`)
      }
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
      waiting.push(task)
      admitDue(time)
      return Result.succeed(task)
    },

    get: (taskID, now) => {
      advance(now)
      return byID.get(taskID)
    },

    list: (query, now) => {
      advance(now)
      let from = tasks.length - 1
      if (query.nextToken !== undefined) {
        const before = seqOf(query.nextToken)
        if (before === undefined) return Result.fail("Invalid nextToken")
        while (from >= 0 && tasks[from]!.seq >= before) from--
      }
      const size = query.size ?? DEFAULT_PAGE_SIZE
      const matches = (task: Mutable) =>
        (query.taskType === undefined || task.taskType === query.taskType) &&
        (query.workload === undefined || task.workload === query.workload) &&
        (query.workloadID === undefined || task.workloadID === query.workloadID) &&
        (query.packageID === undefined || task.packageID === query.packageID) &&
        (query.blockName === undefined || task.blockName === query.blockName) &&
        (query.status === undefined || stateAt(task, time).status === query.status)
      const page: Array<Mutable> = []
      for (let i = from; i >= 0; i--) {
        const task = tasks[i]!
        if (!matches(task)) continue
        if (page.length === size) return Result.succeed({ tasks: page, nextToken: tokenOf(page[page.length - 1]!.seq) })
        page.push(task)
      }
      return Result.succeed({ tasks: page, nextToken: null })
    },

    latest: (ids, now) => {
      advance(now)
      return ids.flatMap((id) => latestByWorkload.get(id) ?? [])
    },

    dashboard: (now) => {
      advance(now)
      const count = { queued: waiting.size, scheduling: 0, scheduled: 0, running: 0 }
      for (const task of running.items) {
        const { status } = stateAt(task, time)
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
      admitDue(time)
      return Result.succeed(paused)
    },

    configure: (next, now) => {
      advance(now)
      limits = { ...limits, ...next }
      admitDue(time)
    },

    created: () => tasks.length,

    reset: (now) => {
      advance(now)
      tasks = []
      waiting.clear()
      paused = null
      limits = { maxConcurrency: options.maxConcurrency, maxQueueSize: options.maxQueueSize }
      byID.clear()
      latestByWorkload.clear()
      running.clear()
    }
  }
}
