/**
 * A time limit on an effect, as the client's request timeout and polling
 * timeout need it: cheap enough for every request, and on the fiber's `Clock`.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { maxTimerMillis } from "./defaults.js"

/** Effect's own clock, as a fiber has it unless it is given another. */
const realClock = (): Clock.Clock => Context.get(Context.empty(), Clock.Clock)

/**
 * `effect`, interrupted once `limit` has passed on the fiber's `Clock`, to go
 * on with `orElse()` instead; an infinite `limit` sets none. The effect runs in
 * a child fiber and a timer interrupts it (on the real clock, a plain timer):
 * `Effect.timeoutOrElse` races two fibers, which costs as much as the rest of a
 * request, and brings the race machinery into a browser bundle.
 */
export const within = <A, E, A2, E2>(
  effect: Effect.Effect<A, E>,
  limit: Duration.Duration,
  orElse: () => Effect.Effect<A2, E2>
): Effect.Effect<A | A2, E | E2> => {
  if (!Duration.isFinite(limit)) return effect
  const millis = Duration.toMillis(limit)
  return Effect.withFiber((parent) =>
    Effect.callback<A | A2, E | E2>((resume) => {
      const child = Effect.runForkWith(parent.context)(effect)
      let expired = false
      const expire = () => {
        expired = true
        child.interruptUnsafe(parent.id)
      }
      const clock = parent.getRef(Clock.Clock)
      let stop: () => void
      if (clock === realClock() && millis <= maxTimerMillis) {
        const timer = setTimeout(expire, millis)
        stop = () => clearTimeout(timer)
      } else {
        const sleeper = Effect.runForkWith(parent.context)(Effect.andThen(clock.sleep(limit), Effect.sync(expire)))
        stop = () => sleeper.interruptUnsafe(parent.id)
      }
      child.addObserver((exit) => {
        stop()
        resume(expired && Exit.hasInterrupts(exit) ? orElse() : exit)
      })
      return Effect.suspend(() => {
        stop()
        return Fiber.interrupt(child)
      })
    })
  )
}
