/**
 * Reading a task's logs across pages, and following them as they grow.
 */
import type { Logs } from "@oomol-cloud-task/contract"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"

/**
 * Every entry of the pages `page` reads, each page's as soon as it is read;
 * with `follow`, reads again on its schedule until `ended` says the task has
 * ended, then once more, since logs lag behind the status.
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
    const drain = Stream.paginateChunkEffect(
      Option.none<ReadonlyArray<Logs.LogEntry>>(),
      (prefetched) =>
        Effect.gen(function*() {
          const logs = Option.isSome(prefetched) ? prefetched.value : (yield* page(current)).logs
          const fresh = Chunk.unsafeFromArray(logs.slice(seen))
          seen = Math.max(seen, logs.length)
          const next = logs.length === 0 ? [] : (yield* page(current + 1)).logs
          if (next.length === 0) return [fresh, Option.none()] as const
          current += 1
          seen = 0
          return [fresh, Option.some(Option.some(next))] as const
        })
    )
    if (follow === undefined) return drain
    let over = false
    let done = false
    const round = Stream.concat(
      drain,
      Stream.execute(Effect.suspend(() => {
        if (over) {
          done = true
          return Effect.void
        }
        return Effect.map(ended, (yes) => void (over = yes))
      }))
    )
    return Stream.repeat(round, Schedule.check(follow, () => !done))
  })
