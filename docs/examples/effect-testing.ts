// Testing code that waits for tasks, under TestClock, against the in-process emulator.
// The code under test and its production layer are the app's own; the test gives the
// same layer a ConfigProvider and the emulator's HttpClient instead of the environment
// and fetch. (Runs in this repository's test suite: packages/effect/test/docs.test.ts.)
import { CloudTaskClient, Errors } from "@oomol-cloud-task/effect"
import { Emulator, Fault } from "@oomol-cloud-task/emulator"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Fiber, Layer, Schema } from "effect"
import { FetchHttpClient } from "effect/http"
import { TestClock } from "effect/testing"

// --- the app: a service over CloudTaskClient, and its production wiring ---

const Pages = Schema.Array(Schema.Struct({ pages: Schema.Number }))

export const countPages = (file: string) =>
  Effect.gen(function*() {
    const client = yield* CloudTaskClient.CloudTaskClient
    const { result } = yield* client.createAndWait(
      { packageName: "@acme/ocr", packageVersion: "1.0.0", blockName: "count", inputValues: { file } },
      { resultData: Pages, timeout: "1 hour" }
    )
    return result.resultData?.[0]?.pages ?? 0
  })

// OOMOL_API_KEY (required), OOMOL_BASE_URL, OOMOL_UPLOAD_BASE_URL, read when the layer is built.
export const ClientConfig = CloudTaskClient.layerConfig()
export const ClientLive = ClientConfig.pipe(Layer.provide(FetchHttpClient.layer))

// --- the tests: the same ClientConfig, pointed at the emulator in process ---

const TestLayer = ClientConfig.pipe(
  Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({
    OOMOL_API_KEY: "test-key",
    OOMOL_BASE_URL: Emulator.IN_PROCESS_URL,
    OOMOL_UPLOAD_BASE_URL: Emulator.IN_PROCESS_UPLOAD_BASE_URL
  }))),
  // The emulator's HttpClient serves the client; Emulator.Emulator stays visible to the test.
  Layer.provideMerge(Emulator.layerClient())
)

describe("countPages", () => {
  it.effect("waits 30 virtual minutes of polls for a long task", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.defineBlock({
        packageName: "@acme/ocr",
        durations: { queued: 0, scheduling: 0, scheduled: 0, running: 30 * 60_000 },
        resultData: [{ pages: 12 }]
      })
      // Fork the wait, move the clock (the polls' sleeps and the emulator's tasks both
      // run on it), then join: no real time passes.
      const counting = yield* Effect.forkChild(countPages("report.pdf"))
      yield* TestClock.adjust("30 minutes")
      expect(yield* Fiber.join(counting)).toBe(12)
      // A poll every 3 s for 30 minutes.
      expect(yield* emulator.requests("getTaskResult")).toBe(601)
    }).pipe(Effect.provide(TestLayer)))

  it.effect("fails with TaskFailed when the task fails", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.defineBlock({ packageName: "@acme/ocr", fail: "Insufficient balance" })
      const counting = yield* Effect.forkChild(Effect.flip(countPages("report.pdf")))
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(counting)
      expect(error).toBeInstanceOf(Errors.TaskFailed)
      expect(error._tag === "TaskFailed" && error.code).toBe("INSUFFICIENT_QUOTA")
    }).pipe(Effect.provide(TestLayer)))

  it.effect("polls through an injected outage, and stops at a refusal", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.defineBlock({ packageName: "@acme/ocr", resultData: [{ pages: 3 }] })
      // Ten 503s: the client's retries and the next polls ride them out.
      yield* emulator.fault("getTaskResult", Fault.status(503, { times: 10 }))
      const counting = yield* Effect.forkChild(countPages("a.pdf"))
      yield* TestClock.adjust("5 minutes")
      expect(yield* Fiber.join(counting)).toBe(3)
      expect(yield* emulator.pendingFaults("getTaskResult")).toBe(0)

      // A 401 cannot heal: the wait ends at once with the ApiError.
      yield* emulator.fault("getTaskResult", Fault.sticky(Fault.status(401)))
      const refused = yield* Effect.forkChild(Effect.flip(countPages("b.pdf")))
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(refused)).toMatchObject({ _tag: "ApiError", status: 401 })
    }).pipe(Effect.provide(TestLayer)))
})
