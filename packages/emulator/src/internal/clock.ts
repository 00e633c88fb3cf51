/**
 * The emulator's time: a `Clock` that can also be moved forward.
 *
 * `shifted` follows another clock (the real one, or a test's `TestClock`) plus
 * whatever `advance` added, so a demo can fast-forward without waiting.
 * `virtual` stands still until `advance` moves it, waking the sleepers (a
 * latency fault) that are due, in order.
 */
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

export interface EmulatorClock {
  readonly clock: Clock.Clock
  readonly advance: (ms: number) => void
}

const nanos = (ms: number) => BigInt(Math.round(ms * 1_000_000))

const makeClock = (
  now: () => number,
  sleep: (ms: number) => Effect.Effect<void>,
  monotonic: () => bigint
): Clock.Clock => ({
  currentTimeMillisUnsafe: now,
  currentTimeMillis: Effect.sync(now),
  currentTimeNanosUnsafe: () => nanos(now()),
  currentTimeNanos: Effect.sync(() => nanos(now())),
  monotonicTimeNanosUnsafe: monotonic,
  monotonicTimeNanos: Effect.sync(monotonic),
  sleep: (duration) => sleep(Duration.toMillis(duration))
})

export const shifted = (base: Clock.Clock): EmulatorClock => {
  let offset = 0
  return {
    clock: makeClock(
      () => base.currentTimeMillisUnsafe() + offset,
      (ms) => base.sleep(Duration.millis(ms)),
      // What `advance` adds moves monotonic time too: a timer measured on this clock sees it.
      () => base.monotonicTimeNanosUnsafe() + nanos(offset)
    ),
    advance: (ms) => {
      offset += ms
    }
  }
}

export const virtual = (start: number): EmulatorClock => {
  let now = start
  let sleepers: Array<{ readonly until: number; readonly wake: () => void }> = []
  const sleep = (ms: number) =>
    Effect.callback<void>((resume) => {
      const sleeper = { until: now + ms, wake: () => resume(Effect.void) }
      if (ms <= 0) return sleeper.wake()
      sleepers.push(sleeper)
      return Effect.sync(() => {
        sleepers = sleepers.filter((s) => s !== sleeper)
      })
    })
  return {
    clock: makeClock(() => now, sleep, () => nanos(now - start)),
    advance: (ms) => {
      now += ms
      const due = sleepers.filter((s) => s.until <= now).sort((a, b) => a.until - b.until)
      sleepers = sleepers.filter((s) => s.until > now)
      due.forEach((s) => s.wake())
    }
  }
}
