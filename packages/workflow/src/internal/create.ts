/**
 * Creating a run's task: one activity per attempt, so a settled attempt is
 * never sent again, even after a restart; a fault that provably created
 * nothing is tried again after a durable wait; an uncertain one ends the run
 * with the candidate tasks to reconcile.
 */
import * as Task from "@oomol-cloud-task/contract/Task"
import * as CloudTaskClient from "@oomol-cloud-task/effect/CloudTaskClient"
import { ApiError, InvalidInput } from "@oomol-cloud-task/effect/Errors"
import * as Polling from "@oomol-cloud-task/effect/Polling"
import * as Retry from "@oomol-cloud-task/effect/Retry"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Activity from "effect/workflow/Activity"
import * as DurableClock from "effect/workflow/DurableClock"
import * as DurableDeferred from "effect/workflow/DurableDeferred"
import * as WorkflowEngine from "effect/workflow/WorkflowEngine"
import { type CreateRequest, CreationUncertain } from "../Errors.js"
import { InFlightGrace } from "../InFlightGrace.js"
import * as Defaults from "./defaults.js"

/** How one creation attempt settled. */
const Outcome = Schema.Union([
  Schema.TaggedStruct("Created", { taskID: Schema.String, at: Schema.Number }),
  // The service provably took nothing: another attempt cannot make a second task.
  Schema.TaggedStruct("NotTaken", { message: Schema.String }),
  Schema.TaggedStruct("Uncertain", { reason: Schema.String, from: Schema.Number, until: Schema.Number })
])

/** A permanent refusal: nothing was created, and trying again cannot help. */
const Refused = Schema.Union([InvalidInput, ApiError])

const stopped = "the process stopped while the create request was in flight"

type Outcome = typeof Outcome.Type

// One create request, its answer as an outcome: created, provably not taken
// (try again), or uncertain; a refusal fails.
const send = (request: CreateRequest, from: number) =>
  Effect.gen(function*() {
    const client = yield* CloudTaskClient.CloudTaskClient
    const result = yield* Effect.result(client.createTask(request))
    const at = yield* Clock.currentTimeMillis
    if (result._tag === "Success") return { _tag: "Created", taskID: result.success.taskID, at } satisfies Outcome
    const error = result.failure
    switch (error._tag) {
      case "TaskMayExist":
        return { _tag: "Uncertain", reason: error.message, from, until: at } satisfies Outcome
      case "NetworkError":
        return { _tag: "NotTaken", message: error.message } satisfies Outcome
      case "ApiError":
        if (Retry.isNotTaken(error)) return { _tag: "NotTaken", message: error.message } satisfies Outcome
        return yield* Effect.fail(error)
      case "InvalidInput":
        return yield* Effect.fail(error)
    }
  })

// The engine dies when its storage fails under a deferred's write (during a
// database restart, say): the write is tried again, with backoff, for up to
// `within`; the answer says whether it was kept.
const persist = <R>(write: Effect.Effect<void, never, R>, within: number) =>
  write.pipe(
    Effect.sandbox,
    Effect.retry(
      Schedule.min([Schedule.exponential("200 millis", 2), Schedule.spaced("5 seconds")]).pipe(
        Schedule.upTo({ duration: Duration.millis(within) })
      )
    ),
    Effect.result,
    Effect.map((result) => result._tag === "Success")
  )

// What `settled` says, waiting up to the grace for a first execution that may
// still be in flight elsewhere to record it.
const settledWithin = <A, R>(read: Effect.Effect<Option.Option<A>, never, R>) =>
  Effect.gen(function*() {
    const grace = Duration.toMillis(Duration.fromInputUnsafe(yield* InFlightGrace))
    const until = (yield* Clock.currentTimeMillis) + grace
    for (;;) {
      const found = yield* read
      if (Option.isSome(found) || (yield* Clock.currentTimeMillis) >= until) return found
      yield* Effect.sleep(Defaults.settledPollMillis)
    }
  })

// Attempt `attempt` of the creation, an activity. Its result is recorded by
// the engine once the activity ends; but an activity can be run again when
// that record is lost (its process was killed, or its shard moved to another
// runner before the record was kept). So the attempt also records, as
// deferreds of the run, that its request is about to leave (`sent`) and how
// it settled (`settled`). Run again, it answers what `settled` says; with
// `sent` but no `settled` (after the `InFlightGrace`), the request was cut off
// in flight and nobody can know whether the service took it: the attempt is
// uncertain, never sent again.
const attemptOnce = (request: CreateRequest, attempt: number) => {
  const sent = DurableDeferred.make(`create/${attempt}/sent`, { success: Schema.Number })
  const settled = DurableDeferred.make(`create/${attempt}/settled`, { success: Outcome, error: Refused })
  return Activity.make({
    name: `create/${attempt}`,
    success: Outcome,
    error: Refused,
    execute: Effect.uninterruptibleMask((restore) =>
      Effect.gen(function*() {
        const engine = yield* WorkflowEngine.WorkflowEngine
        const previous = yield* restore(engine.deferredResult(sent))
        const now = yield* Clock.currentTimeMillis
        if (Option.isSome(previous)) {
          const earlier = yield* restore(settledWithin(engine.deferredResult(settled)))
          if (Option.isSome(earlier)) return yield* earlier.value
          const from = previous.value._tag === "Success" ? previous.value.value : now
          return { _tag: "Uncertain", reason: stopped, from, until: yield* Clock.currentTimeMillis } satisfies Outcome
        }
        const kept = yield* restore(persist(
          DurableDeferred.succeed(sent, { token: yield* DurableDeferred.token(sent), value: now }),
          Defaults.persistMillis
        ))
        // Without the record, the request must not leave: this attempt sends nothing.
        if (!kept) return { _tag: "NotTaken", message: "the run's storage is unavailable" } satisfies Outcome
        // From here on the answer is waited for and recorded, whatever
        // interrupts: a shutdown or a shard moving away must not cut the
        // request off.
        const exit = yield* Effect.exit(send(request, now))
        // Should this record be lost too, a rerun of the attempt reports it uncertain.
        yield* persist(
          DurableDeferred.done(settled, { token: yield* DurableDeferred.token(settled), exit }),
          Defaults.persistMillis
        )
        return yield* exit
      })
    )
  })
}

const Listing = Schema.Struct({
  candidates: Schema.Array(Task.TaskListItem),
  error: Schema.optional(Schema.String),
  transient: Schema.Boolean
})

const samePackage = (task: Task.TaskListItem, request: CreateRequest) =>
  (task.packageID === null || task.packageID === request.packageName) &&
  (task.blockName === undefined || task.blockName === request.blockName)

// The tasks that may be the one an uncertain attempt created: those of the
// same package and block created in its window (widened for clock skew). The
// listing comes newest first, so it stops at the first older task.
const listOnce = (request: CreateRequest, from: number, until: number, attempt: number) =>
  Activity.make({
    name: `reconcile/${attempt}`,
    success: Listing,
    execute: Effect.gen(function*() {
      const client = yield* CloudTaskClient.CloudTaskClient
      const earliest = from - Defaults.reconcileMarginMillis
      const latest = until + Defaults.reconcileMarginMillis
      const listed = yield* client.listAllTasks({ blockName: request.blockName, taskType: "user", size: 100 }).pipe(
        Stream.takeWhile((task) => task.createdAt >= earliest),
        Stream.filter((task) => task.createdAt <= latest && samePackage(task, request)),
        Stream.runCollect,
        Effect.result
      )
      if (listed._tag === "Success") return { candidates: listed.success, transient: false }
      const error = listed.failure
      // As a poll: a failure that can heal (no answer, 408, 429, 5xx, a garbled
      // answer) is tried again; any other 4xx cannot heal.
      const transient = error._tag !== "InvalidInput" && !Polling.isPermanent(error)
      return { candidates: [], error: error.message, transient }
    })
  })

/** The wait before attempt `attempt + 1` after a passing fault. */
export const backoff = (attempt: number) =>
  Math.min(Defaults.retryCapMillis, Defaults.retryBaseMillis * 2 ** Math.min(attempt - 1, 30))

const uncertain = (key: string, request: CreateRequest, reason: string, from: number, until: number) =>
  Effect.gen(function*() {
    for (let attempt = 1;; attempt++) {
      const listing = yield* listOnce(request, from, until, attempt)
      if (listing.transient) {
        yield* DurableClock.sleep({ name: `reconcile/${attempt}/backoff`, duration: backoff(attempt) })
        continue
      }
      const count = listing.candidates.length
      return yield* Effect.fail(
        new CreationUncertain({
          key,
          message: `The task of run "${key}" may have been created (${reason}); it was not sent again. ` +
            (listing.error === undefined
              ? `${count} candidate task${count === 1 ? "" : "s"} found: pick one with reconcile, or start a run under a new key.`
              : `Listing the candidates failed: ${listing.error}.`),
          reason,
          request,
          from,
          until,
          candidates: listing.candidates,
          ...(listing.error === undefined ? {} : { listingError: listing.error })
        })
      )
    }
  })

/**
 * Creates the run's task: its ID and when it was created (by this process's
 * clock). Fails with the refusal, or `CreationUncertain`.
 */
export const create = (key: string, request: CreateRequest) =>
  Effect.gen(function*() {
    for (let attempt = 1;; attempt++) {
      const outcome = yield* attemptOnce(request, attempt)
      switch (outcome._tag) {
        case "Created":
          return outcome
        case "Uncertain":
          return yield* uncertain(key, request, outcome.reason, outcome.from, outcome.until)
        case "NotTaken":
          yield* DurableClock.sleep({ name: `create/${attempt}/backoff`, duration: backoff(attempt) })
      }
    }
  })
