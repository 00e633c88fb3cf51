/**
 * A redirect from the task or upload API is not followed: fetch would take
 * the default headers (and the request body) to whatever host `Location`
 * names. The 3xx is answered as an `ApiError`, on every transport.
 */
import { CloudTaskClient, Retry } from "@oomol-cloud-task/effect"
import { Fault, startEmulator } from "@oomol-cloud-task/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { clientOn, otherHost, transports } from "./support.js"

const defaultHeaders = { "x-team-token": "team-SECRET-51c7" }

describe("redirects", () => {
  for (const [name, transport] of Object.entries(transports)) {
    it.live(`a 3xx from the APIs is an ApiError and reaches no other host, over ${name}`, () =>
      Effect.gen(function*() {
        const elsewhere = yield* otherHost()
        const emulator = yield* Effect.acquireRelease(Effect.promise(() => startEmulator()), (e) => Effect.promise(e.close))
        const to = (path: string) => ({ headers: { location: `${elsewhere.url}${path}` }, body: null })
        emulator.fault("dashboard", Fault.status(302, to("/dashboard")))
        emulator.fault("createTask", Fault.status(307, to("/tasks")))
        emulator.fault("uploadInit", Fault.status(308, to("/init")))
        const client = Context.get(
          yield* Layer.build(clientOn(emulator, transport, { defaultHeaders, retry: Retry.never })),
          CloudTaskClient.CloudTaskClient
        )

        expect(yield* Effect.flip(client.getDashboard())).toMatchObject({ _tag: "ApiError", status: 302 })
        // A redirect is the service declining the request: nothing was created, and it was sent once.
        expect(yield* Effect.flip(client.createTask({ packageName: "p", packageVersion: "1", blockName: "b" })))
          .toMatchObject({ _tag: "ApiError", status: 307 })
        expect(yield* Effect.flip(client.upload(new Uint8Array(10))))
          .toMatchObject({ _tag: "UploadError", code: "INIT_UPLOAD_FAILED", statusCode: 308 })
        expect(emulator.requests("createTask")).toBe(1)
        expect(emulator.createdTasks()).toBe(0)
        expect(elsewhere.received).toEqual([])
      }))
  }
})
