import { CloudTaskClient, Errors, Retry } from "@oomol-cloud-task/effect"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Schedule, Schema } from "effect"
import { type Answer, clientLayer, mock, scripted, settle } from "./mock.js"

const Client = CloudTaskClient.CloudTaskClient
const ok: Answer = { json: { status: "running", progress: 1 } }

describe("the default retry policy of idempotent requests", () => {
  for (const status of [408, 429, 500, 502, 503, 504]) {
    it.effect(`retries ${status}`, () => {
      const { m } = scripted([{ status }, ok])
      return Effect.gen(function*() {
        expect((yield* settle((yield* Client).getTaskResult("t"))).status).toBe("running")
        expect(m.requests).toHaveLength(2)
      }).pipe(Effect.provide(clientLayer(m)))
    })
  }

  it.effect("retries a connection that failed or dropped", () => {
    const { m } = scripted([{ drop: "connect" }, { drop: "reset" }, ok])
    return Effect.gen(function*() {
      yield* settle((yield* Client).getDashboard().pipe(Effect.ignore))
      expect(m.requests).toHaveLength(3)
    }).pipe(Effect.provide(clientLayer(m)))
  })

  for (const status of [400, 401, 403, 404, 409, 422]) {
    it.effect(`does not retry ${status}`, () => {
      const { m } = scripted([{ status, json: { message: "no" } }, ok])
      return Effect.gen(function*() {
        const error = yield* Effect.flip(settle((yield* Client).getTask("t")))
        expect(error).toMatchObject({ _tag: "ApiError", status, message: "no" })
        expect(m.requests).toHaveLength(1)
      }).pipe(Effect.provide(clientLayer(m)))
    })
  }

  it.effect("backs off exponentially with jitter, at most 3 more times", () => {
    const { m, times } = scripted([{ status: 503 }])
    return Effect.gen(function*() {
      const error = yield* Effect.flip(settle((yield* Client).getTaskResult("t")))
      expect(error).toMatchObject({ _tag: "ApiError", status: 503, message: "Request failed: 503" })
      expect(m.requests).toHaveLength(4)
      const waits = times.slice(1).map((t, i) => t - times[i]!)
      ;[500, 1000, 2000].forEach((base, i) => {
        expect(waits[i]).toBeGreaterThanOrEqual(base * 0.8)
        expect(waits[i]).toBeLessThanOrEqual(base * 1.2)
      })
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("honours Retry-After in seconds", () => {
    const { times, m } = scripted([{ status: 429, headers: { "retry-after": "7" } }, ok])
    return Effect.gen(function*() {
      yield* settle((yield* Client).getTaskResult("t"))
      expect(times).toEqual([0, 7000])
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("honours Retry-After as an HTTP date", () => {
    const { times, m } = scripted([{ status: 503, headers: { "retry-after": new Date(12_000).toUTCString() } }, ok])
    return Effect.gen(function*() {
      yield* settle((yield* Client).getTaskResult("t"))
      expect(times).toEqual([0, 12_000])
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("gives up when Retry-After asks for more than the cap, keeping the wait on the error", () => {
    const { m } = scripted([{ status: 429, headers: { "retry-after": "3600" }, json: { message: "slow down" } }, ok])
    return Effect.gen(function*() {
      const error = yield* Effect.flip(settle((yield* Client).getTaskResult("t")))
      expect(error).toMatchObject({ _tag: "ApiError", status: 429, message: "slow down" })
      expect(error._tag === "ApiError" && error.retryAfter && Duration.toSeconds(error.retryAfter)).toBe(3600)
      expect(m.requests).toHaveLength(1)
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("a caller's policy replaces the default", () => {
    const { m, times } = scripted([{ status: 500 }])
    return Effect.gen(function*() {
      yield* Effect.flip(settle((yield* Client).getTaskResult("t")))
      expect(times).toEqual([0, 100, 200])
    }).pipe(Effect.provide(clientLayer(m, { retry: Schedule.max([Schedule.spaced("100 millis"), Schedule.recurs(2)]) })))
  })

  // The request timeout is real time: the transport is aborted by a timer.
  it.live("a request that never answers fails after the request timeout, tried again like any transport failure", () => {
    const { m } = scripted([{ hang: true }])
    return Effect.gen(function*() {
      const error = yield* Effect.flip((yield* Client).getDashboard())
      expect(error).toMatchObject({ _tag: "NetworkError", message: "GET /v3/users/me/dashboard failed: no answer within 50ms" })
      expect(m.requests).toHaveLength(3)
    }).pipe(Effect.provide(clientLayer(m, {
      requestTimeout: "50 millis",
      retry: Retry.make({ times: 2, base: "1 millis", cap: "1 millis" })
    })))
  })

  it.effect("a request past its timeout says how long it waited as Duration.format writes it", () =>
    Effect.forEach(["1500 millis", "90 seconds", "1 hour", "25 hours", "3723004 millis", "1234567 nanos", "1 nano"] as const, (timeout) => {
      const { m } = scripted([{ hang: true }])
      return Effect.gen(function*() {
        const error = yield* Effect.flip(settle((yield* Client).getDashboard(), "2 days"))
        expect(error.message).toBe(
          `GET /v3/users/me/dashboard failed: no answer within ${Duration.format(Duration.fromInputUnsafe(timeout))}`
        )
      }).pipe(Effect.provide(clientLayer(m, { requestTimeout: timeout, retry: Retry.never })))
    }, { discard: true }))

  it.live("an infinite requestTimeout is no timeout, not one that strikes at once", () => {
    // An answer that takes a moment: a timer of "infinity" would have struck first.
    const m = mock(() => Effect.as(Effect.sleep("50 millis"), { json: { status: "running", progress: 1 } }))
    return Effect.gen(function*() {
      expect((yield* (yield* Client).getTaskResult("t")).status).toBe("running")
    }).pipe(Effect.provide(clientLayer(m, { requestTimeout: Duration.infinity, retry: Retry.never })))
  })

  it.live("with requestTimeout: false the client adds no timeout of its own", () => {
    const { m } = scripted([{ hang: true }])
    return Effect.gen(function*() {
      const outcome = yield* (yield* Client).getDashboard().pipe(Effect.timeout("300 millis"), Effect.flip)
      expect(outcome._tag).toBe("TimeoutError")
      expect(m.requests).toHaveLength(1)
    }).pipe(Effect.provide(clientLayer(m, { requestTimeout: false })))
  })

  it("parses Retry-After", () => {
    expect(Retry.parseRetryAfter("120", 0)).toEqual(Duration.seconds(120))
    expect(Retry.parseRetryAfter(new Date(5000).toUTCString(), 1000)).toEqual(Duration.millis(4000))
    expect(Retry.parseRetryAfter(new Date(0).toUTCString(), 1000)).toEqual(Duration.zero)
    expect(Retry.parseRetryAfter("soon", 0)).toBeUndefined()
    expect(Retry.parseRetryAfter(undefined, 0)).toBeUndefined()
  })

  it("stores the wait as JSON as Schema.Duration does, and reads it back", () => {
    const json = Schema.toCodecJson(Errors.ApiError)
    const reference = Schema.toCodecJson(Schema.Struct({ retryAfter: Schema.Duration }))
    for (const wait of [Duration.millis(1500), Duration.nanos(BigInt(1500)), Duration.infinity, Duration.negativeInfinity]) {
      const error = new Errors.ApiError({ status: 429, body: null, message: "slow down", retryAfter: wait })
      const stored = Schema.encodeSync(json)(error) as { readonly retryAfter?: unknown }
      const expected = Schema.encodeSync(reference)({ retryAfter: wait }) as { readonly retryAfter?: unknown }
      expect(stored.retryAfter).toEqual(expected.retryAfter)
      const read = Schema.decodeUnknownSync(json)(JSON.parse(JSON.stringify(stored)))
      expect(read).toBeInstanceOf(Errors.ApiError)
      expect(Duration.equals(read.retryAfter!, wait)).toBe(true)
    }
    expect(() => Schema.decodeUnknownSync(json)({ _tag: "ApiError", status: 429, body: null, message: "m", retryAfter: { _tag: "Nanos", value: "1.5" } }))
      .toThrow()
    expect(() => Schema.decodeUnknownSync(json)({ _tag: "ApiError", status: 429, body: null, message: "m", retryAfter: { _tag: "Millis", value: 1.5 } }))
      .toThrow()
  })
})

describe("task creation is never sent twice once the service may have it", () => {
  const create = Effect.flatMap(Client, (client) =>
    client.createTask({ packageName: "p", packageVersion: "1", blockName: "b" }))

  it.effect("a connection never made is retried", () => {
    const { m } = scripted([{ drop: "connect" }, { json: { taskID: "t1" } }])
    return Effect.gen(function*() {
      expect(yield* settle(create)).toEqual({ taskID: "t1" })
      expect(m.requests).toHaveLength(2)
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("429 and 408 are retried: the service refused it", () => {
    const { m } = scripted([{ status: 429, headers: { "retry-after": "1" } }, { status: 408 }, { json: { taskID: "t1" } }])
    return Effect.gen(function*() {
      expect(yield* settle(create)).toEqual({ taskID: "t1" })
      expect(m.requests).toHaveLength(3)
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("a connection that could never be made, every time, is a NetworkError: nothing was created", () => {
    const { m } = scripted([{ drop: "connect" }])
    return Effect.gen(function*() {
      const error = yield* Effect.flip(settle(create))
      expect(error).toMatchObject({ _tag: "NetworkError", requestSent: false })
      expect(error.message).toBe("POST /v3/users/me/tasks failed: connect ECONNREFUSED 127.0.0.1:1")
      expect(m.requests).toHaveLength(4)
    }).pipe(Effect.provide(clientLayer(m)))
  })

  const ambiguous: Array<[string, Answer]> = [
    ["a 500", { status: 500, json: { message: "oops" } }],
    ["a 502", { status: 502, text: "<html>bad gateway</html>" }],
    ["a 503", { status: 503 }],
    ["a 504", { status: 504 }],
    ["a dropped connection", { drop: "reset" }],
    ["a body that is not JSON", { text: "{\"taskID\":" }],
    ["a body without a task ID", { json: { id: "t1" } }],
  ]
  for (const [name, answer] of ambiguous) {
    it.effect(`${name} is a TaskMayExist, sent once`, () => {
      const { m } = scripted([answer, { json: { taskID: "t2" } }])
      return Effect.gen(function*() {
        const error = yield* Effect.flip(settle(create))
        expect(error._tag).toBe("TaskMayExist")
        expect(error.message).toMatch(/^The task may have been created: .+\. It was not sent again; list tasks before retrying\.$/)
        expect(m.requests).toHaveLength(1)
      }).pipe(Effect.provide(clientLayer(m)))
    })
  }

  it.effect("a 4xx refusal is an ApiError: nothing was created", () => {
    const { m } = scripted([{ status: 400, json: { message: "unknown package" } }])
    return Effect.gen(function*() {
      const error = yield* Effect.flip(settle(create))
      expect(error).toMatchObject({ _tag: "ApiError", status: 400, message: "unknown package", body: { message: "unknown package" } })
      expect(m.requests).toHaveLength(1)
    }).pipe(Effect.provide(clientLayer(m)))
  })
})

describe("answers that are not what the API describes", () => {
  it.effect("an error body's message, else its error, else the status", () => {
    const { m } = scripted([
      { status: 400, json: { message: "bad size" } },
      { status: 400, json: { error: "bad token" } },
      { status: 400, json: { detail: "x" } },
      { status: 502, text: "<html>Bad gateway</html>", headers: { "content-type": "text/html" } }
    ])
    return Effect.gen(function*() {
      const client = yield* Client
      const messages = []
      for (let i = 0; i < 3; i++) messages.push((yield* Effect.flip(client.getTask("t"))).message)
      expect(messages).toEqual(["bad size", "bad token", "Request failed: 400"])
      const html = yield* Effect.flip(client.getTask("t"))
      expect(html).toMatchObject({ _tag: "ApiError", status: 502, message: "Request failed: 502", body: "<html>Bad gateway</html>" })
    }).pipe(Effect.provide(clientLayer(m, { retry: Retry.never })))
  })

  it.effect("a 2xx body missing a field names the field", () => {
    const { m } = scripted([{ json: { limits: { maxConcurrency: 1, maxQueueSize: 1 }, count: {}, pause: {} } }])
    return Effect.gen(function*() {
      const error = yield* Effect.flip((yield* Client).getDashboard())
      expect(error._tag).toBe("MalformedResponse")
      expect(error.message).toContain("GET /v3/users/me/dashboard answered an unexpected body: count.queued: Missing key")
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("a 2xx body of the wrong type names the field", () => {
    const { m } = scripted([{ json: { status: "running", progress: "half" } }])
    return Effect.gen(function*() {
      const error = yield* Effect.flip((yield* Client).getTaskResult("t"))
      expect(error.message).toContain("progress: Expected number, got \"half\"")
    }).pipe(Effect.provide(clientLayer(m)))
  })

  it.effect("a 2xx body that is not JSON", () => {
    const { m } = scripted([{ text: "<html>" }])
    return Effect.gen(function*() {
      const error = yield* Effect.flip((yield* Client).getDashboard())
      expect(error).toMatchObject({
        _tag: "MalformedResponse",
        status: 200,
        body: "<html>",
        message: "GET /v3/users/me/dashboard answered 200 with a body that is not JSON"
      })
    }).pipe(Effect.provide(clientLayer(m)))
  })
})

describe("failures that sending again cannot heal", () => {
  for (const drop of ["tls", "bad port"] as const) {
    it.effect(`a read that failed with ${drop} is not tried again, and was not sent`, () => {
      const { m } = scripted([{ drop }, ok])
      return Effect.gen(function*() {
        const error = yield* Effect.flip(settle((yield* Client).getTaskResult("t")))
        expect(error).toMatchObject({ _tag: "NetworkError", requestSent: false })
        expect(m.requests).toHaveLength(1)
      }).pipe(Effect.provide(clientLayer(m)))
    })

    it.effect(`a creation that failed with ${drop} is a NetworkError, not sent again`, () => {
      const { m } = scripted([{ drop }, { json: { taskID: "t" } }])
      return Effect.gen(function*() {
        const error = yield* Effect.flip(settle((yield* Client).createTask({ packageName: "p", packageVersion: "1.0.0", blockName: "b" })))
        expect(error).toMatchObject({ _tag: "NetworkError", requestSent: false })
        expect(m.requests).toHaveLength(1)
      }).pipe(Effect.provide(clientLayer(m)))
    })
  }

  it.effect("a refused connection still heals: tried again", () => {
    const { m } = scripted([{ drop: "connect" }, ok])
    return Effect.gen(function*() {
      expect((yield* settle((yield* Client).getTaskResult("t"))).status).toBe("running")
      expect(m.requests).toHaveLength(2)
    }).pipe(Effect.provide(clientLayer(m)))
  })
})
