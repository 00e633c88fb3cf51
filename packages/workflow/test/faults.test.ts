/**
 * Every passing fault the emulator can inject, on every route a run uses
 * (creating its task, polling it, listing candidates when its creation was
 * uncertain): the run rides it out with nothing duplicated and nothing lost.
 * In-process emulator, in-memory engine, the test's clock.
 */
import { Emulator, Fault } from "@oomol-cloud-task/emulator"
import { TaskRuns } from "@oomol-cloud-task/workflow"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { drive, memoryLayer, request } from "./support.js"

const Runs = TaskRuns.make()

/** A fault, given how many requests it strikes. */
type Kind = readonly [name: string, fault: (times: number) => Fault.Fault]

// Every fault of the emulator that a service could show for a while and then stop.
const kinds: ReadonlyArray<Kind> = [
  ["408", (times) => Fault.status(408, { times })],
  ["429", (times) => Fault.tooManyRequests(1, { times })],
  ["500", (times) => Fault.status(500, { times })],
  ["502", (times) => Fault.status(502, { times })],
  ["503", (times) => Fault.status(503, { times })],
  ["504", (times) => Fault.status(504, { times })],
  ["latency", (times) => Fault.latency(5_000, { times })],
  ["drop", (times) => Fault.drop({ times })],
  ["drop after processing", (times) => Fault.drop({ afterProcessing: true, times })],
  ["drop mid-body", (times) => Fault.dropMidBody({ times })],
  ["hang", (times) => Fault.hang({ times })],
  ["malformed JSON", (times) => Fault.malformedJson({ times })],
  ["truncated", (times) => Fault.truncated({ times })],
  ["truncated, no length", (times) => Fault.truncated({ contentLength: "none", times })],
  ["truncated, full length", (times) => Fault.truncated({ contentLength: "full", times })],
  ["HTML error page", (times) => Fault.htmlError({ times })],
  ["schema break", (times) => Fault.schemaBreak({ times })],
  ["extra field", (times) => Fault.extraField({ times })]
]

// Faults that answer in place of the service: the request never reaches it.
const replacesAnswer = new Set(["408", "429", "500", "502", "503", "504", "drop", "hang", "HTML error page"])

const succeeded = (key: string) =>
  Effect.gen(function*() {
    const exit = yield* drive(Effect.exit(Runs.await(key)))
    expect(Exit.isSuccess(exit) ? exit.value.result.resultData : String(exit)).toEqual([{ text: "hello" }])
  })

describe("a run's polls", () => {
  for (const [name, fault] of kinds) {
    it.effect(`ride out ${name}, struck more times than the client retries`, () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        // Long enough for every fault to strike a poll, whatever the fault does.
        yield* emulator.defineBlock({ packageName: "@test/durable", durations: { running: 60_000 } })
        yield* emulator.fault("getTaskResult", fault(6))
        const { result } = yield* drive(Runs.run(request(), { key: "polled" }))
        expect(result).toEqual({ status: "success", resultURL: null, resultData: [{ text: "hello" }] })
        expect(yield* emulator.pendingFaults("getTaskResult")).toBe(0)
        expect(yield* emulator.createdTasks()).toBe(1)
        expect(yield* emulator.requests("createTask")).toBe(1)
      }).pipe(Effect.provide(memoryLayer(Runs))))
  }
})

describe("a run's creation", () => {
  for (const [name, fault] of kinds) {
    it.effect(`rides out ${name}: one task, its result delivered, nothing created twice`, () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        // Not taken (408, 429) more times than the client retries: the run tries again itself.
        const notTaken = name === "408" || name === "429"
        yield* emulator.fault("createTask", fault(notTaken ? 6 : 1))
        const exit = yield* drive(Effect.exit(Runs.run(request(), { key: "created" })))
        if (Exit.isSuccess(exit)) {
          expect(exit.value.result.resultData).toEqual([{ text: "hello" }])
          expect(yield* emulator.createdTasks()).toBe(1)
          return
        }
        // Uncertain: nothing is sent again; the candidates are exactly what the service made.
        const error = Exit.findErrorOption(exit)
        if (error._tag !== "Some" || error.value._tag !== "CreationUncertain") return expect.fail(String(exit))
        const uncertain = error.value
        // A slow or decorated answer, or a refusal that took nothing, is never uncertain.
        expect(["latency", "extra field", "408", "429"]).not.toContain(name)
        expect(yield* emulator.requests("createTask")).toBe(1)
        expect(yield* emulator.createdTasks()).toBe(replacesAnswer.has(name) ? 0 : 1)
        expect(uncertain.candidates.length).toBe(yield* emulator.createdTasks())
        if (uncertain.candidates.length === 1) {
          // The caller picks the candidate: the same run waits for it.
          yield* Runs.reconcile("created", uncertain.candidates[0]!.taskID)
          yield* succeeded("created")
        } else {
          // Nothing was made: the caller starts a run under a new key.
          const { result } = yield* drive(Runs.run(request(), { key: "created-again" }))
          expect(result.resultData).toEqual([{ text: "hello" }])
        }
        expect(yield* emulator.createdTasks()).toBe(1)
      }).pipe(Effect.provide(memoryLayer(Runs))))
  }
})

describe("listing the candidates of an uncertain creation", () => {
  for (const [name, fault] of kinds) {
    it.effect(`rides out ${name}: the candidates are still exactly the task made`, () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        yield* emulator.fault("createTask", Fault.drop({ afterProcessing: true }))
        yield* emulator.fault("listTasks", fault(6))
        const error = yield* drive(Effect.flip(Runs.run(request(), { key: "listed" })))
        if (error._tag !== "CreationUncertain") return expect.fail(error.message)
        expect(error.listingError).toBeUndefined()
        expect(error.candidates).toHaveLength(1)
        expect(yield* emulator.pendingFaults("listTasks")).toBeLessThan(6)
        yield* Runs.reconcile("listed", error.candidates[0]!.taskID)
        yield* succeeded("listed")
        expect(yield* emulator.createdTasks()).toBe(1)
      }).pipe(Effect.provide(memoryLayer(Runs))))
  }
})
