/**
 * A task's logs: one page, every page, and following them as they grow.
 */
import * as Api from "@oomol-cloud-task/contract/Api"
import * as Logs from "@oomol-cloud-task/contract/Logs"
import * as Task from "@oomol-cloud-task/contract/Task"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Pull from "effect/Pull"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type { Service } from "../CloudTaskClient.js"
import * as Polling from "../Polling.js"
import { validate } from "./input.js"
import * as Request from "./request.js"
import { type Tasks, validateTaskID } from "./tasks.js"

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
    // Following: after each round, whether the task has ended (then one round
    // more), then the schedule's wait before the next round. Run in the
    // round's last step rather than with `Stream.concat` and `Stream.repeat`,
    // whose machinery would follow them into every browser bundle.
    let over = false
    let done = false
    const afterRound = Effect.suspend(() => {
      if (over) {
        done = true
        return Effect.void
      }
      return Effect.map(ended, (yes) => void (over = yes))
    })
    const drain = (nextRound: Effect.Effect<readonly [[], Option.Option<Option.Option<never>>]>) => Stream.paginate(
      Option.none<ReadonlyArray<Logs.LogEntry>>() as Option.Option<ReadonlyArray<Logs.LogEntry>> | "check",
      (prefetched) =>
        Effect.gen(function*() {
          // After the round's last entries have gone out.
          if (prefetched === "check") {
            yield* afterRound
            return yield* nextRound
          }
          const logs = Option.isSome(prefetched) ? prefetched.value : (yield* page(current)).logs
          const fresh = logs.slice(seen)
          seen = Math.max(seen, logs.length)
          const next = logs.length === 0 ? [] : (yield* page(current + 1)).logs
          if (next.length === 0) return [fresh, follow === undefined ? Option.none() : Option.some("check" as const)] as const
          current += 1
          seen = 0
          return [fresh, Option.some(Option.some(next))] as const
        })
    )
    if (follow === undefined) return drain(Effect.succeed([[], Option.none()]))
    // The next round after the schedule's wait; its end (or the task's) is the
    // stream's. The schedule is fed what a finished round gives: nothing.
    return Stream.unwrap(Effect.map(Schedule.toStep(Schedule.while(follow, () => !done)), (step) =>
      drain(Effect.clockWith((clock) =>
        Pull.catchDone(
          Effect.flatMap(
            step(clock.currentTimeMillisUnsafe(), undefined),
            ([, delay]) => Effect.as(Effect.sleep(delay), [[], Option.some(Option.none())] as const)
          ),
          () => Effect.succeed([[], Option.none()] as const)
        )
      ))))
  })

const validateLogsPage = validate(Logs.LogsPage)
const decodeLogs = Request.decoder(Logs.LogsResponse)

/** The log endpoints over `api`; following reads the task's status through `tasks`. */
export const make = (api: Request.Api, tasks: Pick<Tasks, "statusOf">): Pick<Service, "getTaskLogs" | "logs"> => {
  const page = (taskID: string, n: number) =>
    api.get(Api.paths.taskLogs(taskID), decodeLogs, { page: String(n) }).pipe(Request.traced("getTaskLogs", taskID))

  const getTaskLogs: Service["getTaskLogs"] = (taskID, options = {}) =>
    Effect.flatMap(validateTaskID(taskID), (id) => Effect.flatMap(validateLogsPage(options.page ?? 1), (n) => page(id, n)))

  const logs: Service["logs"] = (taskID, options = {}) =>
    Stream.unwrap(Effect.map(validateTaskID(taskID), (id) => {
      // Only the status matters here: a success whose data breaks a schema has ended all the same.
      const ended = Effect.map(tasks.statusOf(id), (result) => Task.isTerminal(result.status))
      const follow = options.follow === true
        ? Polling.defaultSchedule
        : options.follow === false ? undefined : options.follow
      return entries((n) => page(id, n), ended, follow)
    }))

  return { getTaskLogs, logs }
}
