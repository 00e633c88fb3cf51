/**
 * The Effect client as an Effect program runs it in the request-overhead
 * benchmark: one fiber per request, `concurrency` at a time
 * (`Effect.forEach`), in a runtime built once. Today's client and the Effect 3
 * one (bench/effect3/client.mjs) both run through it, so the two are measured
 * the same way; each passes its own `Effect` module, which is why this one
 * imports only types.
 */
import type * as Effect from "effect/Effect"

/** One way of sending a request: resolves once its answer is parsed. */
export interface Client {
  readonly name: string
  /** `n` requests, `concurrency` at a time, each one's latency in `latencies` (ms). */
  readonly run: (n: number, concurrency: number, latencies: Float64Array) => Promise<void>
  readonly close: () => Promise<void>
}

/** What the benchmark uses of a `ManagedRuntime`. */
export interface Runtime<R> {
  readonly runPromise: <A, E>(effect: Effect.Effect<A, E, R>) => Promise<A>
  readonly dispose: () => Promise<void>
}

/** `getTaskResult(taskID)` of the client that `service` gives, run in `runtime`. */
export const effectClient = <R>(
  name: string,
  E: Pick<typeof Effect, "flatMap" | "forEach" | "map" | "suspend">,
  runtime: Runtime<R>,
  service: Effect.Effect<{ readonly getTaskResult: (taskID: string) => Effect.Effect<unknown, unknown> }, never, R>,
  taskID: string
): Client => ({
  name,
  run: (n, concurrency, latencies) =>
    runtime.runPromise(E.flatMap(service, (client) => {
      const one = (i: number) =>
        E.suspend(() => {
          const started = performance.now()
          return E.map(client.getTaskResult(taskID), () => {
            latencies[i] = performance.now() - started
          })
        })
      return E.forEach(Array.from({ length: n }, (_, i) => i), one, { concurrency, discard: true })
    })),
  close: () => runtime.dispose()
})
