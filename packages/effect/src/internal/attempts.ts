/**
 * Who hears of each failed try of a request, retried ones included: a wait
 * that times out while a poll is being tried again still names what went
 * wrong, as the official SDK's timeout message does.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { RequestError } from "../Errors.js"

/** Called with each failed try of a request made under it. */
export const FailedAttempt = Context.Reference<((error: RequestError) => void) | undefined>(
  "@oomol-cloud-task/effect/FailedAttempt",
  { defaultValue: () => undefined }
)

/** Tells the listener in context, if any, of `error`. */
export const report = (error: RequestError): Effect.Effect<void> =>
  Effect.withFiber((fiber) => {
    fiber.getRef(FailedAttempt)?.(error)
    return Effect.void
  })
