/**
 * Awaiting at scale: 10,000 tasks (2,000 with `--quick`) awaited at once
 * through the facade, in this process, on the emulator in a child process.
 *
 * The emulator's queue is paused while the tasks are created, so every await
 * has started (and been answered `queued` once) before any task runs; the
 * heap is measured then. Resuming the queue starts every task at once; each
 * runs for `run` ms, and the awaits poll every `interval` ms (fixed).
 *
 * Figures, each next to a plain `fetch` + `setTimeout` polling loop doing the
 * same in the same process:
 * - heap per pending await: heapUsed after gc with every await pending, less
 *   heapUsed after gc before they started, divided by their number;
 * - polls per task, counted by the emulator, against what the schedule
 *   implies: one poll per in-progress answer (each reported to `onProgress`)
 *   plus the one that saw the end (a client polling more would differ);
 * - wall time from the resume to the last await settled, against the
 *   emulator's own completion time (last `endTime` − first `startTime`).
 */
import { Api, type Task } from "@oomol-cloud-task/contract"
import { BackoffStrategy, OomolTaskClient } from "oomol-cloud-task-sdk"
import { collect, fixed, ratio, type Row, startEmulator } from "./support.js"

const apiKey = "bench-key"
const packageName = "@bench/await"

interface Outcome {
  readonly heapPerAwait: number
  readonly polls: number
  readonly inProgress: number
  readonly wallMs: number
  readonly emulatorMs: number
}

/** Awaits every task; resolves once all have been answered at least once, and the promise of their end. */
type Awaiter = (
  taskIDs: ReadonlyArray<string>,
  onAnswer: (taskID: string, terminal: boolean) => void
) => Promise<unknown>

export interface AwaitOptions {
  readonly quick: boolean
  readonly log: (line: string) => void
}

export const run = async ({ log, quick }: AwaitOptions): Promise<ReadonlyArray<Row>> => {
  const tasks = quick ? 2_000 : 10_000
  const interval = 1_000
  const runMs = quick ? 3_000 : 5_000
  const emulator = await startEmulator({ OOMOL_EMULATOR_API_KEY: apiKey })
  const headers = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" }
  const control = async (path: string, body?: unknown) => {
    const response = await fetch(emulator.url + path, {
      method: body === undefined ? "GET" : "POST",
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
    return response.json() as Promise<any>
  }
  const client = new OomolTaskClient({ apiKey, baseUrl: emulator.url })

  /** One scenario: create the tasks with the queue paused, await them all, resume. */
  const scenario = async (awaiter: Awaiter): Promise<Outcome> => {
    await control("/_emulator/reset", {})
    await control("/_emulator/blocks", {
      packageName,
      durations: { queued: 0, scheduling: 0, scheduled: 0, running: runMs },
      logs: 0
    })
    await client.pauseUserQueue()
    const ids: Array<string> = []
    let next = 0
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (next++ < tasks) {
        ids.push((await client.createTask({ packageName, packageVersion: "1.0.0", blockName: "main" })).taskID)
      }
    }))
    await collect()
    const before = process.memoryUsage().heapUsed

    let answered = 0
    let inProgress = 0
    const seen = new Set<string>()
    let allAnswered!: () => void
    const firstRound = new Promise<void>((resolve) => (allAnswered = resolve))
    const onAnswer = (taskID: string, terminal: boolean) => {
      if (!terminal) inProgress++
      if (!seen.has(taskID)) {
        seen.add(taskID)
        if (++answered === ids.length) allAnswered()
      }
    }
    const polled = (await control("/_emulator/counters")).requests.getTaskResult ?? 0
    const settled = awaiter(ids, onAnswer)
    await firstRound
    await collect()
    const heapPerAwait = (process.memoryUsage().heapUsed - before) / ids.length

    const resumed = Date.now()
    await client.resumeUserQueue()
    await settled
    const wallMs = Date.now() - resumed
    const polls = (await control("/_emulator/counters")).requests.getTaskResult - polled

    let firstStart = Infinity
    let lastEnd = 0
    for await (const task of client.tasks({ size: 100 })) {
      firstStart = Math.min(firstStart, task.startTime ?? Infinity)
      lastEnd = Math.max(lastEnd, task.endTime ?? 0)
    }
    seen.clear()
    // Every await ended with one terminal answer.
    return { heapPerAwait, polls, inProgress: inProgress + ids.length, wallMs, emulatorMs: lastEnd - firstStart }
  }

  const facade: Awaiter = (ids, onAnswer) =>
    Promise.all(ids.map(async (taskID) => {
      await client.awaitResult(taskID, {
        intervalMs: interval,
        backoff: { strategy: BackoffStrategy.Fixed },
        onProgress: () => onAnswer(taskID, false)
      })
      onAnswer(taskID, true)
    }))

  // The floor: an async loop per task, `fetch` and `setTimeout`.
  const plain: Awaiter = (ids, onAnswer) =>
    Promise.all(ids.map(async (taskID) => {
      for (;;) {
        const response = await fetch(emulator.url + Api.paths.taskResult(taskID), { headers })
        const result = (await response.json()) as Task.TaskResult<unknown>
        const terminal = result.status === "success" || result.status === "failed"
        onAnswer(taskID, terminal)
        if (terminal) return
        await new Promise((resolve) => setTimeout(resolve, interval))
      }
    }))

  const rows: Array<Row> = []
  try {
    const results: Record<string, Outcome> = {}
    for (const [name, awaiter] of [["plain", plain], ["facade", facade]] as const) {
      results[name] = await scenario(awaiter)
      const r = results[name]!
      log(
        `awaits (${name}): ${fixed(r.heapPerAwait)} B heap per await, ${fixed(r.polls / tasks, 2)} polls per task ` +
          `(${fixed(r.inProgress / tasks, 2)} implied), ${fixed(r.wallMs)} ms wall, emulator ${fixed(r.emulatorMs)} ms`
      )
    }
    const f = results.facade!
    const p = results.plain!
    const section = `2. ${tasks.toLocaleString("en")} awaits at once (every ${interval} ms, tasks run ${runMs} ms)`
    rows.push(
      {
        section,
        figure: "facade: heap per pending await (c/plain)",
        value: `${fixed(f.heapPerAwait / 1024, 1)} KiB`,
        baseline: `${fixed(p.heapPerAwait / 1024, 1)} KiB (fetch + setTimeout loop)`,
        ratio: ratio(f.heapPerAwait, p.heapPerAwait),
        target: "≤ 1.5"
      },
      {
        section,
        figure: "facade: polls per task (measured/implied)",
        value: fixed(f.polls / tasks, 2),
        baseline: `${fixed(f.inProgress / tasks, 2)} (in-progress answers + 1)`,
        ratio: ratio(f.polls, f.inProgress),
        target: "= 1"
      },
      {
        section,
        figure: "facade: wall time, resume to last settled (wall/emulator)",
        value: `${fixed(f.wallMs)} ms`,
        baseline: `${fixed(f.emulatorMs)} ms (emulator: last end − first start)`,
        ratio: ratio(f.wallMs, f.emulatorMs),
        target: ""
      },
      {
        section,
        figure: "plain loop: wall time (wall/emulator)",
        value: `${fixed(p.wallMs)} ms`,
        baseline: `${fixed(p.emulatorMs)} ms`,
        ratio: ratio(p.wallMs, p.emulatorMs),
        target: ""
      }
    )
  } finally {
    await client.dispose()
    await emulator.stop()
  }
  return rows
}
