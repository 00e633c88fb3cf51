/**
 * The two handles of an emulator in this process agree: the Effect service
 * (`Emulator.Emulator`) and the Promise handle (`startEmulator`) have the same
 * members, each a function on both (answering an `Effect` on one, the value on
 * the other); only the Promise handle has `close()`.
 */
import { Emulator, Fault, type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

let handle: RunningEmulator
beforeAll(async () => {
  handle = await startEmulator({ clock: "virtual" })
})
afterAll(() => handle.close())

/** Each member's name and kind: "function", or the type of a value (the URLs). */
const shape = (value: object): Record<string, string> =>
  Object.fromEntries(Object.entries(value).map(([key, member]) => [key, typeof member]))

describe("the Effect service and the Promise handle", () => {
  it.effect("have the same members, of the same kind", () =>
    Effect.gen(function*() {
      const service = yield* Emulator.Emulator
      const { close, ...promise } = shape(handle)
      expect(close).toBe("function")
      expect(shape(service)).toEqual(promise)
    }).pipe(Effect.provide(Emulator.layerClient())))

  it.effect("are called the same way: emulator.now() on both", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const start = yield* emulator.now()
      yield* emulator.advance(1_000)
      expect(yield* emulator.now()).toBe(start + 1_000)
      expect(yield* emulator.counters()).toMatchObject({ createdTasks: yield* emulator.createdTasks() })
      expect(yield* emulator.partUploads()).toEqual([])
      yield* emulator.reset()

      const began = handle.now()
      handle.advance(1_000)
      expect(handle.now()).toBe(began + 1_000)
      expect(handle.counters()).toMatchObject({ createdTasks: handle.createdTasks() })
      expect(handle.partUploads()).toEqual([])
      handle.fault("dashboard", Fault.status(503))
      expect(handle.pendingFaults("dashboard")).toBe(1)
      yield* Effect.promise(() => handle.reset())
    }).pipe(Effect.provide(Emulator.layerClient())))
})
