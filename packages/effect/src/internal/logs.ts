/**
 * Reading a task's logs across pages, and following them as they grow.
 */
import type { Logs } from "@oomol-cloud-task/contract"
import * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"

/**
 * Every entry of the pages `page` reads; with `follow`, reads again on its
 * schedule until `ended` says the task has ended, then once more, since logs
 * lag behind the status.
 */
export const entries = <E>(
  page: (n: number) => Effect.Effect<Logs.LogsResponse, E>,
  ended: Effect.Effect<boolean, E>,
  follow: Schedule.Schedule<unknown, unknown> | undefined
): Stream.Stream<Logs.LogEntry, E> =>
  Stream.suspend(() => {
    // Reads from where the last read stopped. A page is known complete only
    // once the next one has entries, so the last partial page is re-read.
    let current = 1
    let seen = 0
    const drain = Effect.gen(function*() {
      const fresh: Array<Logs.LogEntry> = []
      let logs = (yield* page(current)).logs
      for (;;) {
        fresh.push(...logs.slice(seen))
        seen = Math.max(seen, logs.length)
        if (logs.length === 0) return fresh
        const next = (yield* page(current + 1)).logs
        if (next.length === 0) return fresh
        current += 1
        seen = 0
        logs = next
      }
    })
    if (follow === undefined) return Stream.flatMap(Stream.fromEffect(drain), Stream.fromIterable)
    let done = false
    const tick = Effect.gen(function*() {
      const last = done
      const fresh = yield* drain
      if (!last) done = yield* ended
      return { fresh, last }
    })
    return Stream.repeatEffectWithSchedule(tick, follow).pipe(
      Stream.takeUntil((read) => read.last),
      Stream.flatMap((read) => Stream.fromIterable(read.fresh))
    )
  })
