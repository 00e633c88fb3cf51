// Unit tests of the Effect client against the emulator in process: no socket, and the
// emulator's time is the test's TestClock.
import { CloudTaskClient } from "@oomol-cloud-task/effect"
import { Emulator, Fault } from "@oomol-cloud-task/emulator"
import { expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Redacted } from "effect"
import { TestClock } from "effect/testing"

// The client, pointed at the in-process emulator; the emulator's layer also provides
// the HttpClient that reaches it.
const TestLayer = CloudTaskClient.layer({
  apiKey: Redacted.make("test-key"),
  baseUrl: Emulator.IN_PROCESS_URL,
  uploadBaseUrl: Emulator.IN_PROCESS_UPLOAD_BASE_URL
}).pipe(Layer.provideMerge(Emulator.layerClient()))

it.effect("waits through a failed poll to the result", () =>
  Effect.gen(function*() {
    const emulator = yield* Emulator.Emulator
    const client = yield* CloudTaskClient.CloudTaskClient
    yield* emulator.defineBlock({ packageName: "@test/echo", resultData: [{ echoed: true }] })
    yield* emulator.fault("getTaskResult", Fault.status(503))

    const { taskID } = yield* client.createTask({ packageName: "@test/echo", packageVersion: "1.0.0", blockName: "main" })
    const waiting = yield* Effect.forkChild(client.awaitResult(taskID))
    // Polls sleep on the TestClock, and the emulator's tasks age by it too.
    yield* TestClock.adjust("1 minute")
    const result = yield* Fiber.join(waiting)

    expect(result.resultData).toEqual([{ echoed: true }])
    expect(yield* emulator.createdTasks()).toBe(1)
    expect(yield* emulator.requests("getTaskResult")).toBeGreaterThanOrEqual(2)
  }).pipe(Effect.provide(TestLayer)))
