/**
 * A run's outcome as its callers see it, read from the engine: the main
 * execution of a key, and, when its creation was left uncertain and the
 * caller decided, the execution that resumed it.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Workflow from "effect/workflow/Workflow"
import * as WorkflowEngine from "effect/workflow/WorkflowEngine"
import { type CreationUncertain, RunCancelled } from "../Errors.js"
import * as Run from "./run.js"

/** An outcome; the public module gives it its types. */
export type Outcome = Exit.Exit<unknown, unknown>

/** The reads of outcomes for the runs of `workflow`. */
export const make = (workflow: Run.RunWorkflow) => {
  // The caller's decision, a deferred of the main execution read from outside it.
  const decisionOf = (executionId: string) =>
    Effect.flatMap(WorkflowEngine.WorkflowEngine, (engine) =>
      engine.deferredResult(Run.Decision).pipe(
        Effect.provideService(WorkflowEngine.WorkflowInstance, WorkflowEngine.WorkflowInstance.initial(workflow, executionId)),
        Effect.map(Option.flatMap((exit) => (Exit.isSuccess(exit) ? Option.some(exit.value) : Option.none())))
      ))

  const uncertaintyOf = (outcome: Outcome): CreationUncertain | undefined => {
    if (Exit.isSuccess(outcome)) return undefined
    const error = Cause.findErrorOption(outcome.cause) as Option.Option<{ readonly _tag?: unknown }>
    return Option.isSome(error) && error.value._tag === "CreationUncertain" ? error.value as CreationUncertain : undefined
  }

  // What a finished execution's exit means to a caller: an interrupt is a cancel.
  const outcomeOf = (key: string, exit: Outcome): Outcome =>
    Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause) ? Exit.fail(RunCancelled.of(key)) : exit

  const completed = (result: Option.Option<Workflow.Result<unknown, unknown>>): Option.Option<Outcome> =>
    Option.isSome(result) && result.value._tag === "Complete" ? Option.some(result.value.exit) : Option.none()

  /** The outcome of one execution, `None` while it runs or before it exists. */
  const poll = (key: string, executionId: string) =>
    Effect.map(workflow.poll(executionId), (result) => Option.map(completed(result), (exit) => outcomeOf(key, exit)))

  /** The outcome of one execution, looking again on `schedule` until it has one. */
  const wait = (key: string, executionId: string, schedule: Schedule.Schedule<unknown>) =>
    Effect.gen(function*() {
      const step = yield* Schedule.toStepWithSleep(schedule)
      for (;;) {
        const outcome = yield* poll(key, executionId)
        if (Option.isSome(outcome)) return outcome.value
        yield* Effect.orDie(step(undefined))
      }
    })

  /**
   * After the main execution: a creation left uncertain is resumed, in an
   * execution of its own, once the caller has decided.
   */
  const settle = (key: string, outcome: Outcome, mainId: string): Effect.Effect<Outcome, never, WorkflowEngine.WorkflowEngine> =>
    Effect.gen(function*() {
      const uncertain = uncertaintyOf(outcome)
      if (uncertain === undefined) return outcome
      const decision = yield* decisionOf(mainId)
      if (Option.isNone(decision)) return outcome
      const exit = yield* Effect.exit(workflow.execute(Run.reconciled(uncertain, decision.value)))
      return outcomeOf(key, exit)
    })

  return { decisionOf, uncertaintyOf, outcomeOf, poll, wait, settle }
}
