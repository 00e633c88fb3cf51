/**
 * Running the Effect client's effects as Promises: the client's layer built
 * once per client (as a `ManagedRuntime` builds it), every call cancellable by
 * its caller's signal and by `dispose()`, every failure rejected as the
 * facade's error (the error itself, never an interruption's generic `Error`).
 */
import type * as CloudTaskClient from "@oomol-cloud-task/effect/CloudTaskClient"
import type * as Errors from "@oomol-cloud-task/effect/Errors"
import * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Pull from "effect/Pull"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { ClientDisposedError, InvalidInputError } from "../Errors.js"
import { abortError, toRejection } from "./failure.js"

type Client = CloudTaskClient.CloudTaskClient

/** Runs effects and streams that need the client service. */
export interface Runner {
  readonly run: <A>(effect: Effect.Effect<A, Errors.CloudTaskError, Client>, signal?: AbortSignal) => Promise<A>
  /** Each item of `stream`, as `each` makes it (default: as it is). */
  readonly iterate: <A, B = A>(
    stream: Stream.Stream<A, Errors.CloudTaskError, Client>,
    signal?: AbortSignal,
    each?: (item: A) => B
  ) => AsyncIterableIterator<B>
  readonly dispose: () => Promise<void>
}

/**
 * Whether `signal` can be listened to as an `AbortSignal` (one of another
 * realm too). Anything else given as `signal` is refused before the call
 * starts: listening to it would throw after the call had begun, leaving it
 * running where `dispose()` cannot reach it.
 */
const isSignal = (signal: unknown): signal is AbortSignal =>
  typeof signal === "object" && signal !== null && typeof (signal as AbortSignal).aborted === "boolean" &&
  typeof (signal as AbortSignal).addEventListener === "function" &&
  typeof (signal as AbortSignal).removeEventListener === "function"

export const make = (layer: Layer.Layer<Client, Errors.InvalidInput>): Runner => {
  // The client's context, built by the first call into a scope of the
  // runner's own, for every call after it (a failed build fails them all):
  // what a `ManagedRuntime` does for `runFork`, without its machinery for
  // every other way of running, which would follow it into every browser bundle.
  const layerScope = Scope.makeUnsafe()
  let context: Context.Context<Client> | undefined
  let building: Fiber.Fiber<Context.Context<Client>, Errors.InvalidInput> | undefined
  const build = Effect.suspend(() =>
    Fiber.join(
      building ??= Effect.runFork(
        Effect.map(Layer.buildWithScope(layer, layerScope), (built) => (context = built))
      )
    )
  )
  const runFork = <A, E>(effect: Effect.Effect<A, E, Client>): Fiber.Fiber<A, E | Errors.InvalidInput> =>
    context === undefined
      ? Effect.runFork(Effect.flatMap(build, (built) => Effect.provideContext(effect, built)))
      : Effect.runForkWith(context)(effect)
  // How to stop every call in flight, and every open iterator, so dispose()
  // can end them (an iterator dropped without `break` would otherwise keep
  // its timers).
  const inFlight = new Map<Fiber.Fiber<unknown, unknown>, () => void>()
  const open = new Set<Scope.Closeable>()
  let disposed = false

  // A fiber per call, observed directly: a pending call holds no
  // AbortController, async function or promise adapter of the runtime's.
  const run = <A>(effect: Effect.Effect<A, Errors.CloudTaskError, Client>, signal?: AbortSignal): Promise<A> =>
    new Promise<A>((resolve, reject) => {
      if (disposed) return reject(new ClientDisposedError())
      // `null` is no signal, as `undefined` is.
      if (signal !== undefined && signal !== null && !isSignal(signal)) {
        return reject(new InvalidInputError("signal must be an AbortSignal"))
      }
      if (signal?.aborted) return reject(abortError(signal))
      const fiber = runFork(effect)
      // Set once the caller's signal or dispose() has interrupted the call.
      let interrupted = false
      const interrupt = () => {
        interrupted = true
        fiber.interruptUnsafe()
      }
      signal?.addEventListener("abort", interrupt, { once: true })
      inFlight.set(fiber, interrupt)
      fiber.addObserver((exit) => {
        signal?.removeEventListener("abort", interrupt)
        inFlight.delete(fiber)
        if (Exit.isSuccess(exit)) return resolve(exit.value)
        // An interruption is ours to explain; a failure that raced it still wins.
        // (`Cause.hasInterruptsOnly`, written out: no other browser code needs it.)
        const interruptsOnly = exit.cause.reasons.length > 0 && exit.cause.reasons.every(Cause.isInterruptReason)
        if (interruptsOnly || interrupted) {
          if (signal?.aborted) return reject(abortError(signal))
          if (disposed) return reject(new ClientDisposedError())
          if (interruptsOnly) return reject(abortError(undefined))
        }
        reject(toRejection(Cause.squash(exit.cause)))
      })
    })

  // Pull-based, so a slow consumer slows the polling and `break` stops it.
  // (`each` rather than `Stream.map`, which no other browser code needs.)
  async function* iterate<A, B = A>(
    stream: Stream.Stream<A, Errors.CloudTaskError, Client>,
    signal?: AbortSignal,
    each?: (item: A) => B
  ): AsyncGenerator<B, void, undefined> {
    if (disposed) throw new ClientDisposedError()
    const scope = Scope.makeUnsafe()
    open.add(scope)
    try {
      // `toPullScoped` rather than `Stream.toPull`, whose semaphore (this
      // generator already pulls one at a time) would follow it into every
      // browser bundle. Like `toPull`, a failure to start is the pull's.
      const pull = await run(
        Effect.catchCause(Channel.toPullScoped(stream.channel, scope), (cause) => Effect.succeed(Effect.failCause(cause))),
        signal
      )
      // The stream's end is a `Done` failure of the pull: here, `undefined`.
      const next = Pull.catchDone(pull, () => Effect.succeed(undefined))
      for (;;) {
        const chunk = await run(next, signal)
        if (chunk === undefined) return
        for (const item of chunk) yield each === undefined ? item as unknown as B : each(item)
      }
    } finally {
      open.delete(scope)
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  }

  const dispose = async () => {
    if (disposed) return
    disposed = true
    const fibers = [...inFlight.keys(), ...(building === undefined ? [] : [building])]
    for (const interrupt of inFlight.values()) interrupt()
    await Promise.all([...open].map((scope) => Effect.runPromise(Scope.close(scope, Exit.void))))
    // Then, as a ManagedRuntime is disposed: every call ended, and the layer's finalizers run.
    await Promise.all(fibers.map((fiber) => Effect.runPromise(Fiber.interrupt(fiber))))
    await Effect.runPromise(Scope.close(layerScope, Exit.void))
  }

  return { run, iterate, dispose }
}
