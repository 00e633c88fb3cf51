/**
 * Sending the parts of a streamed source (`Upload.fromStream`): the stream cut
 * into the plan's parts, in order, and sent by workers. Only `fromStream`
 * brings it into a bundle (see `uploadSource.ts`).
 */
import * as Upload from "@oomol-cloud-task/contract/Upload"
import * as Arr from "effect/Array"
import * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Pull from "effect/Pull"
import * as Stream from "effect/Stream"
import { InvalidInput, type UploadError } from "../Errors.js"
import type { Part, Plan } from "./uploadSource.js"

const partLength = (plan: Plan, n: number) => {
  const [start, end] = Upload.partRange(n, plan.partSize, plan.size)
  return end - start
}

/**
 * Cuts a stream of any chunking into the plan's parts, in order, each in its
 * own buffer: only the part being filled is held here. A stream longer or
 * shorter than its declared size fails with `InvalidInput`.
 */
export const cutParts = <E, R>(
  stream: Stream.Stream<Uint8Array, E, R>,
  plan: Plan
): Stream.Stream<Part, E | InvalidInput, R> =>
  Stream.suspend(() => {
    let n = 1
    let buffer = new Uint8Array(plan.totalParts === 0 ? 0 : partLength(plan, 1))
    let filled = 0
    let total = 0
    // Every part that is full, including empty ones (an empty file is one empty part).
    const full = (): Array<Part> => {
      const parts: Array<Part> = []
      while (n <= plan.totalParts && filled === buffer.length) {
        parts.push({ n, body: buffer })
        n += 1
        buffer = new Uint8Array(n <= plan.totalParts ? partLength(plan, n) : 0)
        filled = 0
      }
      return parts
    }
    // Appends a chunk to the parts; false when it is past the declared size.
    const feed = (chunk: Uint8Array): boolean => {
      total += chunk.length
      if (total > plan.size) return false
      for (let offset = 0; offset < chunk.length;) {
        const take = Math.min(buffer.length - filled, chunk.length - offset)
        buffer.set(chunk.subarray(offset, offset + take), filled)
        filled += take
        offset += take
        ready.push(...full())
      }
      return true
    }
    // Parts cut and not yet pulled downstream.
    let ready: Array<Part> = full()
    let over = false
    // A pull over the source's pull rather than `concat`/`mapEffect`, whose
    // concurrent machinery would follow them into every browser bundle.
    return Stream.transformPull(stream, (upstream) => {
      const pull: Pull.Pull<Arr.NonEmptyReadonlyArray<Part>, E | InvalidInput> = Effect.suspend(() => {
        if (Arr.isArrayNonEmpty(ready)) {
          const parts = ready
          ready = []
          return Effect.succeed(parts)
        }
        if (over) return Effect.fail(new InvalidInput({ message: `the stream gave more bytes than its size, ${plan.size}` }))
        const more = Effect.flatMap(upstream, (chunks) => {
          // The parts of the chunks before one past the size still go downstream first.
          over = !chunks.every(feed)
          return pull
        })
        return Pull.catchDone(more, (): Effect.Effect<never, InvalidInput | Cause.Done> =>
          total < plan.size
            ? Effect.fail(new InvalidInput({ message: `the stream ended after ${total} of its ${plan.size} bytes` }))
            : Cause.done())
      })
      return Effect.succeed(pull)
    })
  })

/**
 * Sends the parts of `stream` with `sendPart`, `concurrency` at a time: a
 * part is read inside its slot, so at most `concurrency` parts (one more
 * being cut) are in memory at once. Workers over a pull rather than
 * `Stream.mapEffect`, whose concurrent machinery would follow it into every
 * browser bundle.
 */
export const sendParts = <E, R>(
  stream: Stream.Stream<Uint8Array, E, R>,
  plan: Plan,
  concurrency: number,
  sendPart: (part: Part) => Effect.Effect<void, UploadError>
): Effect.Effect<void, UploadError | InvalidInput | E, R> =>
  Effect.scoped(Effect.gen(function*() {
    // `toPullScoped` rather than `Stream.toPull`, whose semaphore (pulls are
    // already one at a time here) would follow it into every browser bundle.
    const pull = yield* Channel.toPullScoped(cutParts(stream, plan).channel, yield* Effect.scope)
    // One worker pulls at a time (the others wait for its pull); the parts
    // of a pull are taken in order.
    let pulled: Array<Part> = []
    let ended = false
    let pulling: Deferred.Deferred<void> | undefined
    const next: Effect.Effect<Part | undefined, InvalidInput | E, R> = Effect.suspend(() => {
      if (pulled.length > 0 || ended) return Effect.succeed(pulled.shift())
      if (pulling !== undefined) return Effect.andThen(Deferred.await(pulling), next)
      const done = Deferred.makeUnsafe<void>()
      pulling = done
      return Pull.catchDone(
        Effect.map(pull, (parts) => void (pulled = [...parts])),
        () => Effect.sync(() => void (ended = true))
      ).pipe(
        Effect.ensuring(Effect.suspend(() => {
          pulling = undefined
          return Deferred.succeed(done, undefined)
        })),
        Effect.andThen(next)
      )
    })
    const worker: Effect.Effect<void, UploadError | InvalidInput | E, R> = Effect.flatMap(
      next,
      (part) => (part === undefined ? Effect.void : Effect.andThen(sendPart(part), worker))
    )
    yield* Effect.forEach(Array.from({ length: concurrency }), () => worker, { concurrency: "unbounded", discard: true })
  }))
