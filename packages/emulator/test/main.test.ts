import { Api } from "@oomol-cloud-task/contract"
import { Emulator, Main } from "@oomol-cloud-task/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Console, Effect, Fiber, Queue } from "effect"
import { execFileSync, spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../..", import.meta.url))

/** The default Console, but what is logged goes to a queue. */
const recording = Effect.gen(function*() {
  const base = yield* Console.Console
  const lines = yield* Queue.unbounded<string>()
  // v4's Console is synchronous: an unbounded queue always takes the line at once.
  const console: Console.Console = { ...base, log: (...args) => void Queue.offerUnsafe(lines, args.join(" ")) }
  return { console, lines }
})

const reachable = (url: string) =>
  fetch(`${url}${Api.paths.dashboard}`, { headers: { authorization: "Bearer k" } }).then((r) => r.status, () => "refused")

describe("Main.run", () => {
  it.effect("says where it listens, first, serves until interrupted, then frees the port", () =>
    Effect.gen(function*() {
      const { console, lines } = yield* recording
      const fiber = yield* Effect.forkChild(Effect.provideService(Main.run(), Console.Console, console))
      const first = yield* Queue.take(lines)
      expect(first).toMatch(/^Emulator listening on http:\/\/127\.0\.0\.1:\d+$/)
      const url = first.replace("Emulator listening on ", "")
      expect(yield* Queue.take(lines)).toBe(`Upload API base URL ${url}/api/tasks/files/remote-cache`)
      expect(yield* Effect.promise(() => reachable(url))).toBe(200)
      yield* Fiber.interrupt(fiber)
      expect(yield* Effect.promise(() => reachable(url))).toBe("refused")
    }))

  it("reads its options from the environment, ignoring what is not a number", () => {
    expect(Main.optionsFromEnv({ PORT: "8080", OOMOL_EMULATOR_PART_SIZE: "1024", OOMOL_EMULATOR_API_KEY: "k" })).toEqual({
      port: 8080,
      partSize: 1024,
      apiKey: "k"
    })
    expect(Main.optionsFromEnv({ PORT: "eighty", OOMOL_EMULATOR_MAX_CONCURRENCY: "" })).toEqual({})
  })

  it("takes 0 for the port (any free one) and the queue size, never for a part size or the concurrency", () => {
    expect(Main.optionsFromEnv({
      PORT: "0",
      OOMOL_EMULATOR_MAX_QUEUE_SIZE: "0",
      OOMOL_EMULATOR_PART_SIZE: "0",
      OOMOL_EMULATOR_MAX_CONCURRENCY: "0"
    })).toEqual({ port: 0, maxQueueSize: 0 })
  })

  it.effect("refuses a part size or concurrency of 0 given in code, rather than hanging on the first upload", () =>
    Effect.gen(function*() {
      for (const options of [{ partSize: 0 }, { maxConcurrency: 0 }]) {
        const exit = yield* Effect.exit(Effect.scoped(Emulator.serve(options)))
        expect(exit._tag).toBe("Failure")
        expect(String(exit._tag === "Failure" ? Cause.squash(exit.cause) : "")).toMatch(/must be a positive integer, got 0/)
      }
    }))
})

describe("the emulator script", () => {
  it("prints its URL first, serves, and exits 0 on SIGINT and on SIGTERM", async () => {
    execFileSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, "-b", "packages/emulator/tsconfig.src.json"], {
      cwd: root
    })
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const child = spawn(process.execPath, ["packages/emulator/dist/bin.js"], {
        cwd: root,
        env: { ...process.env, PORT: "0" },
        stdio: ["ignore", "pipe", "inherit"]
      })
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
      const first = String((await lines.next()).value)
      expect(first).toMatch(/^Emulator listening on http:\/\/127\.0\.0\.1:\d+$/)
      const url = first.replace("Emulator listening on ", "")
      expect(String((await lines.next()).value)).toBe(`Upload API base URL ${url}/api/tasks/files/remote-cache`)
      expect(await reachable(url)).toBe(200)
      const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)))
      child.kill(signal)
      expect(await exited).toBe(0)
    }
  })
})
