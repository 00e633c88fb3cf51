/**
 * A stream of what an effect offers to a queue, as `Stream.callback` makes
 * one, on the queue's own `take`: `Stream.callback` reads its queue with
 * `Queue.takeAll`, whose machinery no other browser code needs.
 */
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"

/**
 * What `produce` offers to its queue, in order: `produce` runs in a fiber of
 * the stream's scope (dropping the stream interrupts it); the stream ends
 * when the queue is ended or `produce` succeeds, and fails as `produce` fails.
 */
export const produced = <A, E = never, R = never>(
  produce: (queue: Queue.Queue<A, E | Cause.Done>) => Effect.Effect<unknown, E, R>
): Stream.Stream<A, E, R> =>
  Stream.unwrap(Effect.gen(function*() {
    const queue = yield* Queue.unbounded<A, E | Cause.Done>()
    yield* Effect.forkIn(Queue.into(produce(queue), queue), yield* Effect.scope)
    return Stream.fromEffectRepeat(Queue.take(queue))
  }))
