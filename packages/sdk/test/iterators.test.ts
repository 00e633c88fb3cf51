import {
  ApiError,
  BackoffStrategy,
  ClientDisposedError,
  OomolTaskClient,
  type SettledTask,
  TaskFailedError
} from "oomol-cloud-task-sdk"
import { describe, expect, it } from "vitest"
import { clientWith, listItem, running, scriptedFetch, success } from "./support/fetch.js"


const fast = { intervalMs: 1, backoff: { strategy: BackoffStrategy.Fixed } }
const collect = async <A>(iterable: AsyncIterable<A>) => {
  const out: Array<A> = []
  for await (const item of iterable) out.push(item)
  return out
}
const taskOf = (call: { url: URL }) => call.url.pathname.split("/")[5]!

describe("tasks(query)", () => {
  const pages: Record<string, { tasks: Array<unknown>; nextToken: string | null }> = {
    "": { tasks: [listItem("a"), listItem("b")], nextToken: "p2" },
    p2: { tasks: [listItem("c")], nextToken: "p3" },
    p3: { tasks: [listItem("d")], nextToken: null }
  }
  const paged = () => scriptedFetch((call) => ({ json: pages[call.url.searchParams.get("nextToken") ?? ""] }))

  it("yields every task across pages, keeping the filters on each page", async () => {
    const s = paged()
    const tasks = await collect(clientWith(s.fetch).tasks({ status: "success", size: 2 }))
    expect(tasks.map((t) => t.taskID)).toEqual(["a", "b", "c", "d"])
    expect(s.calls.map((c) => Object.fromEntries(c.url.searchParams))).toEqual([
      { status: "success", size: "2" },
      { status: "success", size: "2", nextToken: "p2" },
      { status: "success", size: "2", nextToken: "p3" }
    ])
  })

  it("fetches pages only as they are needed: break stops it", async () => {
    const s = paged()
    for await (const task of clientWith(s.fetch).tasks()) {
      if (task.taskID === "b") break
    }
    expect(s.calls).toHaveLength(1)
  })

  it("an input rule or a failed page throws from the loop as the facade's error", async () => {
    const s = scriptedFetch(() => ({ status: 401, json: { message: "Unauthorized" } }))
    const client = clientWith(s.fetch)
    await expect(collect(client.tasks({ size: 0 }))).rejects.toThrow("size must be an integer between 1 and 100")
    await expect(collect(client.tasks())).rejects.toBeInstanceOf(ApiError)
  })
})

describe("watch(taskID)", () => {
  it("yields each in-progress result, then the terminal one, and stops polling", async () => {
    const s = scriptedFetch((_c, i) => [{ json: { status: "queued", progress: 0 } }, running(50), success][Math.min(i, 2)]!)
    const statuses = await collect(clientWith(s.fetch).watch("t", fast))
    expect(statuses.map((r) => r.status)).toEqual(["queued", "running", "success"])
    expect(s.calls).toHaveLength(3)
  })

  it("a failed task is yielded, not thrown", async () => {
    const s = scriptedFetch(() => ({ json: { status: "failed", error: "boom" } }))
    expect(await collect(clientWith(s.fetch).watch("t"))).toEqual([{ status: "failed", error: "boom" }])
  })

  it("an abort ends the iteration with an AbortError", async () => {
    const s = scriptedFetch(() => running(1))
    const controller = new AbortController()
    const seen: Array<string> = []
    const error = await (async () => {
      for await (const result of clientWith(s.fetch).watch("t", { intervalMs: 60_000, signal: controller.signal })) {
        seen.push(result.status)
        controller.abort()
      }
    })().catch((e: unknown) => e)
    expect(seen).toEqual(["running"])
    expect(error).toMatchObject({ name: "AbortError", message: "The operation was aborted." })
  })
})

describe("logs(taskID)", () => {
  it("reads every page of a task's logs", async () => {
    // A BlockLog carries its text (the contract decodes each kind in its own shape).
    const full = Array.from({ length: 100 }, (_, i) => ({ type: "BlockLog", job_id: String(i), log: `line ${i}` }))
    const s = scriptedFetch((call) => {
      const page = Number(call.url.searchParams.get("page"))
      return { json: { logs: page === 1 ? full : page === 2 ? [{ type: "SessionFinished" }] : [] } }
    })
    const entries = await collect(clientWith(s.fetch).logs("t"))
    expect(entries).toHaveLength(101)
    expect(entries.at(-1)).toEqual({ type: "SessionFinished" })
  })

  it("with follow, keeps reading until the task has ended and its last entries are in", async () => {
    let ended = false
    let reads = 0
    const s = scriptedFetch((call) => {
      if (call.url.pathname.endsWith("/result")) return ended ? success : running(50)
      if (call.url.searchParams.get("page") !== "1") return { json: { logs: [] } }
      reads += 1
      if (reads === 2) ended = true
      const logs = [
        { type: "BlockLog", job_id: "1", log: "one" },
        ...(reads >= 2 ? [{ type: "BlockLog", job_id: "2", log: "two" }] : [])
      ]
      return { json: { logs: reads >= 3 ? [...logs, { type: "SessionFinished", job_id: "3" }] : logs } }
    })
    const entries = await collect(clientWith(s.fetch).logs("t", { follow: true, intervalMs: 1 }))
    expect(entries.map((e) => e.job_id)).toEqual(["1", "2", "3"])
  })
})

describe("awaitAll(taskIDs)", () => {
  it("yields each task as it settles, fulfilled or rejected, in the order they end", async () => {
    const rounds: Record<string, number> = {}
    const s = scriptedFetch((call) => {
      const id = taskOf(call)
      rounds[id] = (rounds[id] ?? 0) + 1
      const endsAfter = { slow: 6, quick: 1, broken: 3 }[id] ?? 1
      if (rounds[id]! < endsAfter) return running(rounds[id]!)
      return id === "broken" ? { json: { status: "failed", error: "Insufficient quota" } } : success
    })
    const settled: Array<SettledTask> = await collect(clientWith(s.fetch).awaitAll(["slow", "quick", "broken"], fast))
    expect(settled.map((r) => `${r.taskID}:${r.status}`)).toEqual(["quick:fulfilled", "broken:rejected", "slow:fulfilled"])
    const broken = settled[1]!
    expect(broken.status === "rejected" && broken.reason).toBeInstanceOf(TaskFailedError)
    expect(broken.status === "rejected" && broken.reason).toMatchObject({ code: "INSUFFICIENT_QUOTA", taskID: "broken" })
    const quick = settled[0]!
    expect(quick.status === "fulfilled" && quick.value.resultURL).toBe("https://r.test/out")
  })

  it("polls at most `concurrency` tasks at once and tells onProgress which task moved", async () => {
    let inFlight = 0
    let most = 0
    const rounds: Record<string, number> = {}
    const s = scriptedFetch(async (call) => {
      const id = taskOf(call)
      inFlight += 1
      most = Math.max(most, inFlight)
      await new Promise((r) => setTimeout(r, 2))
      inFlight -= 1
      rounds[id] = (rounds[id] ?? 0) + 1
      return rounds[id] === 1 ? running(10) : success
    })
    const heard = new Set<string>()
    const ids = ["a", "b", "c", "d", "e"]
    const settled = await collect(clientWith(s.fetch).awaitAll(ids, {
      ...fast,
      concurrency: 2,
      onProgress: (progress, status, taskID) => heard.add(`${taskID}:${status}:${progress}`)
    }))
    expect(settled.every((r) => r.status === "fulfilled")).toBe(true)
    expect(most).toBeLessThanOrEqual(2)
    expect([...heard].sort()).toEqual(ids.map((id) => `${id}:running:10`))
  })
})

describe("dispose()", () => {
  it("ends the calls still running and rejects later ones with ClientDisposedError", async () => {
    const s = scriptedFetch(() => running(1))
    const client = new OomolTaskClient({ baseUrl: "https://api.test", fetch: s.fetch })
    const waiting = client.awaitResult("t", { intervalMs: 60_000 }).catch((e: unknown) => e)
    const iterator = client.watch("t", { intervalMs: 60_000 })[Symbol.asyncIterator]()
    expect((await iterator.next()).value).toEqual({ status: "running", progress: 1 })
    while (s.calls.length < 2) await new Promise((r) => setTimeout(r, 5))
    await client.dispose()
    expect(await waiting).toBeInstanceOf(ClientDisposedError)
    await expect(iterator.next()).rejects.toBeInstanceOf(ClientDisposedError)
    const later = await client.getDashboard().catch((e: unknown) => e)
    expect(later).toBeInstanceOf(ClientDisposedError)
    expect(String(later)).toBe("ClientDisposedError: This OomolTaskClient has been disposed; create a new one to make more calls")
    await client.dispose()
  })

  it("reaches the calls and iterators made as the client was created, before its engine was loaded", async () => {
    const s = scriptedFetch(() => running(1))
    const client = new OomolTaskClient({ baseUrl: "https://api.test", fetch: s.fetch })
    const waiting = client.awaitResult("t", { intervalMs: 60_000 }).catch((e: unknown) => e)
    const first = client.watch("t", { intervalMs: 60_000 })[Symbol.asyncIterator]().next().catch((e: unknown) => e)
    await client.dispose()
    expect(await waiting).toBeInstanceOf(ClientDisposedError)
    expect(await first).toBeInstanceOf(ClientDisposedError)
    await expect(client.getDashboard()).rejects.toBeInstanceOf(ClientDisposedError)
  })

  it("closes an iterator left open without break, so its timeout's timer does not keep the process alive", async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length
    const client = new OomolTaskClient({ baseUrl: "https://api.test", fetch: scriptedFetch(() => running(1)).fetch })
    const before = timers()
    const iterator = client.watch("t", { timeoutMs: 3_600_000 })[Symbol.asyncIterator]()
    await iterator.next()
    expect(timers()).toBe(before + 1)
    await client.dispose()
    expect(timers()).toBe(before)
  })

  it("is also Symbol.asyncDispose, for `await using`", async () => {
    const client = new OomolTaskClient({ baseUrl: "https://api.test", fetch: scriptedFetch(() => success).fetch })
    await client[Symbol.asyncDispose]()
    await expect(client.getTaskResult("t")).rejects.toBeInstanceOf(ClientDisposedError)
  })
})
