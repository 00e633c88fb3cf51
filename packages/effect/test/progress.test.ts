import { CloudTaskClient, Retry } from "@oomol-cloud-task/effect"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { clientLayer, mock } from "./mock.js"

describe("onProgress", () => {
  it.effect("names the task, so one callback can follow every task of awaitAll", () => {
    const polls = new Map<string, number>()
    const m = mock((request) => {
      const id = request.url.pathname.split("/")[5]!
      const n = (polls.get(id) ?? 0) + 1
      polls.set(id, n)
      return n < 2 ? { json: { status: "running", progress: id === "a" ? 10 : 20 } } : { json: { status: "success", resultURL: null } }
    })
    return Effect.gen(function*() {
      const heard: Array<string> = []
      const fiber = yield* Effect.forkChild(Stream.runCollect((yield* CloudTaskClient.CloudTaskClient).awaitAll(["a", "b"], {
        onProgress: (update, taskID) => Effect.sync(() => heard.push(`${taskID}:${update.progress}`))
      })))
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      expect(heard.sort()).toEqual(["a:10", "b:20"])
    }).pipe(Effect.provide(clientLayer(m, { retry: Retry.never })))
  })
})
