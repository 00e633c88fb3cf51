/**
 * Waiting for tasks: watching one, awaiting one, creating and awaiting, and
 * awaiting many. Each is a poll of the task's result on a `Polling` schedule.
 */
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Result from "effect/Result"
import * as Stream from "effect/Stream"
import type { Service, Settled } from "../CloudTaskClient.js"
import * as Polling from "../Polling.js"
import * as Defaults from "./defaults.js"
import { produced } from "./produced.js"
import * as Request from "./request.js"
import { dataDecoder, type Tasks, validateTaskID } from "./tasks.js"

/** The ways of waiting, on the task endpoints. */
export const make = (
  tasks: Pick<Tasks, "createTask" | "resultOf">
): Pick<Service, "watch" | "awaitResult" | "createAndWait" | "awaitAll"> => {
  const watch: Service["watch"] = (taskID, options = {}) =>
    Stream.unwrap(Effect.map(validateTaskID(taskID), (id) =>
      Polling.watch(id, tasks.resultOf(id, dataDecoder(options.resultData)), options)))

  const awaitResult: Service["awaitResult"] = (taskID, options = {}) =>
    validateTaskID(taskID).pipe(
      Effect.flatMap((id) => Polling.awaitResult(id, tasks.resultOf(id, dataDecoder(options.resultData)), options)),
      Request.traced("awaitResult", taskID)
    )

  const createAndWait: Service["createAndWait"] = (request, options) =>
    Effect.flatMap(tasks.createTask(request), ({ taskID }) =>
      Effect.map(awaitResult(taskID, options), (result) => ({ taskID, result })))

  // A queue filled by `Effect.forEach` rather than `Stream.mapEffect`, whose
  // concurrent machinery would follow it into every browser bundle. The
  // waits run in a fiber of the stream's scope: they end with it. The queue
  // ends when all have settled; a defect fails it.
  const awaitAll: Service["awaitAll"] = <A>(
    taskIDs: Iterable<string>,
    options: Polling.AwaitOptions<A> & { readonly concurrency?: number | "unbounded" | undefined } = {}
  ) =>
    produced<Settled<A>>((settled) =>
      Effect.forEach(
        taskIDs,
        (taskID) =>
          // (Effect.catch rather than Effect.result, whose match machinery no other browser code needs.)
          Effect.catch(
            Effect.flatMap(awaitResult(taskID, options), (value) => Queue.offer(settled, { taskID, result: Result.succeed(value) })),
            (error) => Queue.offer(settled, { taskID, result: Result.fail(error) })
          ),
        { concurrency: options.concurrency ?? Defaults.awaitConcurrency, discard: true }
      )
    )

  return { watch, awaitResult, createAndWait, awaitAll }
}
