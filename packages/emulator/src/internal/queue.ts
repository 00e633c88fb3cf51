/**
 * The simulation's clock and its two queues: tasks waiting for a slot, and
 * tasks holding one until their script ends. Advancing to a time processes
 * every event due by then in time order (a task finishing frees a slot, the
 * next waiting task takes it), with no timer.
 */
import { MinHeap } from "./heap.js"

/** What scheduling needs of a task; `admittedAt` and `endAt` are set when it leaves the queue. */
export interface Entry {
  readonly seq: number
  /** The earliest time it may leave the queue. */
  readonly eligibleAt: number
  readonly script: { readonly total: number }
  admittedAt: number | null
  endAt: number
}

/** How many tasks may hold a slot at once; 0 while the queue is paused. */
export type Capacity = () => number

/** A queue starting at `now`; `capacity` is read at every step, so a change takes effect at once. */
export const make = <T extends Entry>(now: number, capacity: Capacity) => {
  let time = now
  // Waiting tasks leave in the order they may: by `eligibleAt`, then creation.
  const waiting = new MinHeap<T>((a, b) => a.eligibleAt < b.eligibleAt || (a.eligibleAt === b.eligibleAt && a.seq < b.seq))
  const running = new MinHeap<T>((a, b) => a.endAt < b.endAt || (a.endAt === b.endAt && a.seq < b.seq))
  const canStart = () => running.size < capacity() && waiting.size > 0

  /** Gives free slots to the waiting tasks due by the current time. */
  const admitDue = () => {
    while (canStart() && waiting.peek()!.eligibleAt <= time) {
      const next = waiting.pop()!
      next.admittedAt = time
      next.endAt = time + next.script.total
      running.push(next)
    }
  }

  return {
    /** The latest time seen: time never goes back. */
    now: () => time,
    /** Processes every event due by `now`, then stands at `now` (or at the latest time seen). */
    advance: (now: number) => {
      const until = Math.max(now, time)
      for (;;) {
        admitDue()
        const finishing = running.peek()?.endAt ?? Infinity
        const eligible = canStart() ? Math.max(waiting.peek()!.eligibleAt, time) : Infinity
        const next = Math.min(finishing, eligible)
        if (next > until) break
        time = next
        while ((running.peek()?.endAt ?? Infinity) <= time) running.pop()
      }
      time = until
    },
    admitDue,
    /** Queues a new task, which starts at once if a slot is free and it is due. */
    add: (task: T) => {
      waiting.push(task)
      admitDue()
    },
    waiting: () => waiting.size,
    running: (): ReadonlyArray<T> => running.items,
    clear: () => {
      waiting.clear()
      running.clear()
    }
  }
}
