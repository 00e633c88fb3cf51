/**
 * Request overhead: `getTaskResult` against a server (another process) that
 * answers every request with the same small body, at concurrency 1 and 64,
 * through (u) raw `undici.request` + `JSON.parse`, the floor: the least any
 * client on Node's own HTTP stack can spend; (b) the Effect client on
 * `UndiciHttpClient.layer()`, with its default options; (n) the Effect client
 * on `NodeHttpClient.layerUndici` from `@effect/platform-node`, for
 * comparison; (e) the same client as it was on Effect 3, the one it replaces
 * (see bench/effect3/build.mjs; left out when it cannot be built); (c) the
 * Promise facade as Node imports it; (a) plain `fetch` + `JSON.parse`, for
 * scale (its WHATWG layer costs about as much as the request under it).
 *
 * The machine may be busy, so the clients take turns (u, b, n, e, c, a, …),
 * round after round, after a warm-up, and each figure is the median over
 * rounds. Wall-clock figures swing with the neighbours; CPU time per request
 * of this (the client) process is the steadier one.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Api } from "@oomol-cloud-task/contract"
import { CloudTaskClient, UndiciHttpClient } from "@oomol-cloud-task/effect"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { OomolTaskClient } from "oomol-cloud-task-sdk"
import { existsSync } from "node:fs"
import { pathToFileURL } from "node:url"
import { request as undiciRequest } from "undici"
import { type Client, effectClient as runEffectClient } from "./effectClient.js"
import { collect, cpuSince, fixed, fromRoot, median, percentile, ratio, type Row, startProcess } from "./support.js"

const apiKey = "bench-key"
const taskID = "3f1c2a4e-8b9d-4e6f-a1b2-c3d4e5f60718"

interface Round {
  readonly seconds: number
  readonly cpuMicros: number
  readonly latencies: Float64Array
}

/** `concurrency` loops sharing `n` requests of `send`. */
const promiseLoop = (send: () => Promise<unknown>) => async (n: number, concurrency: number, latencies: Float64Array) => {
  let next = 0
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const started = performance.now()
      await send()
      latencies[i] = performance.now() - started
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

/** The Effect 3 client's module, as bench/effect3/build.mjs bundles it. */
interface Effect3Client {
  readonly make: (name: string, options: { apiKey: string; baseUrl: string; taskID: string }) => Client
}

const effect3Path = fromRoot(".bench/effect3-client.mjs")

const clients = async (baseUrl: string): Promise<ReadonlyArray<Client>> => {
  const url = baseUrl + Api.paths.taskResult(taskID)
  const headers = { authorization: `Bearer ${apiKey}`, accept: "application/json" }

  const fetchClient: Client = {
    name: "a. fetch + JSON.parse",
    run: promiseLoop(async () => JSON.parse(await (await fetch(url, { headers })).text())),
    close: async () => {}
  }

  const undiciClient: Client = {
    name: "u. undici.request + JSON.parse",
    run: promiseLoop(async () => JSON.parse(await (await undiciRequest(url, { headers })).body.text())),
    close: async () => {}
  }

  const effectClient = (name: string, transport: Layer.Layer<HttpClient.HttpClient>): Client => {
    const layer = CloudTaskClient.layer({ apiKey: Redacted.make(apiKey), baseUrl }).pipe(Layer.provide(transport))
    return runEffectClient(name, Effect, ManagedRuntime.make(layer), CloudTaskClient.CloudTaskClient, taskID)
  }

  // The last Effect 3 version of the same client, when it could be built.
  const effect3 = existsSync(effect3Path)
    ? [((await import(pathToFileURL(effect3Path).href)) as Effect3Client).make(
      "e. Effect 3 client (the last Effect 3 version, NodeHttpClient.layerUndici)",
      { apiKey, baseUrl, taskID }
    )]
    : []

  const facade = new OomolTaskClient({ apiKey, baseUrl })
  const facadeClient: Client = {
    name: "c. facade (oomol-cloud-task-sdk)",
    run: promiseLoop(() => facade.getTaskResult(taskID)),
    close: () => facade.dispose()
  }
  return [
    undiciClient,
    effectClient("b. Effect client (UndiciHttpClient)", UndiciHttpClient.layer()),
    effectClient("n. Effect client (NodeHttpClient.layerUndici)", NodeHttpClient.layerUndici),
    ...effect3,
    facadeClient,
    fetchClient
  ]
}

const measure = async (client: Client, n: number, concurrency: number): Promise<Round> => {
  const latencies = new Float64Array(n)
  // Each client pays for its own garbage, not for the one before it.
  await collect()
  const cpu = process.cpuUsage()
  const started = performance.now()
  await client.run(n, concurrency, latencies)
  const seconds = (performance.now() - started) / 1000
  return { seconds, cpuMicros: cpuSince(cpu) / n, latencies }
}

export interface OverheadOptions {
  readonly quick: boolean
  readonly log: (line: string) => void
}

export const run = async ({ log, quick }: OverheadOptions): Promise<ReadonlyArray<Row>> => {
  const server = await startProcess([fromRoot(".bench/fixedServer.mjs")], /listening on (\d+)/)
  const all = await clients(`http://127.0.0.1:${server.match[1]}`)
  const rows: Array<Row> = []
  try {
    for (const concurrency of [1, 64]) {
      const n = (concurrency === 1 ? 2000 : 10_000) / (quick ? 2 : 1)
      const rounds = quick ? 3 : 9
      for (const client of all) await measure(client, n, concurrency) // warm-up
      const results = new Map(all.map((c) => [c, [] as Array<Round>]))
      for (let round = 1; round <= rounds; round++) {
        for (const client of all) results.get(client)!.push(await measure(client, n, concurrency))
        log(
          `overhead c=${concurrency} round ${round}/${rounds}: ` +
            all.map((c) => `${c.name.split(" ")[0]} ${fixed(results.get(c)!.at(-1)!.cpuMicros)} µs`).join(", ")
        )
      }
      const stats = (client: Client) => {
        const rs = results.get(client)!
        return {
          rps: median(rs.map((r) => n / r.seconds)),
          p50: median(rs.map((r) => percentile(r.latencies, 50))),
          p99: median(rs.map((r) => percentile(r.latencies, 99))),
          cpu: median(rs.map((r) => r.cpuMicros))
        }
      }
      const floor = stats(all[0]!)
      const section = `1. getTaskResult, concurrency ${concurrency}`
      rows.push({
        section,
        figure: `${all[0]!.name}: req/s · p50 · p99 · CPU/req`,
        value: `${fixed(floor.rps)} · ${fixed(floor.p50, 2)} ms · ${fixed(floor.p99, 2)} ms · ${fixed(floor.cpu)} µs`,
        baseline: "(the floor)",
        ratio: "1",
        target: ""
      })
      // The ratios of every client against the floor; targets for the two the project ships.
      for (const client of all.slice(1)) {
        const s = stats(client)
        const letter = client.name[0]!
        const target = concurrency === 64 ? ({ b: "≥ 0.75", c: "≥ 0.6" } as Record<string, string>)[letter] ?? "" : ""
        rows.push(
          {
            section,
            figure: `${client.name}: req/s (${letter}/u)`,
            value: fixed(s.rps),
            baseline: fixed(floor.rps),
            ratio: ratio(s.rps, floor.rps),
            target
          },
          {
            section,
            figure: `${client.name}: p50 · p99 latency (u/${letter})`,
            value: `${fixed(s.p50, 2)} · ${fixed(s.p99, 2)} ms`,
            baseline: `${fixed(floor.p50, 2)} · ${fixed(floor.p99, 2)} ms`,
            ratio: `${ratio(floor.p50, s.p50)} · ${ratio(floor.p99, s.p99)}`,
            target: ""
          },
          {
            section,
            figure: `${client.name}: CPU per request (u/${letter})`,
            value: `${fixed(s.cpu)} µs`,
            baseline: `${fixed(floor.cpu)} µs`,
            ratio: ratio(floor.cpu, s.cpu),
            target
          }
        )
      }
      // Today's client beside the one it replaces: no more CPU per request than on Effect 3.
      const ours = all.find((c) => c.name.startsWith("b."))!
      const before = all.find((c) => c.name.startsWith("e."))
      if (before !== undefined) {
        rows.push({
          section,
          figure: `${ours.name}: CPU per request against the Effect 3 client (e/b)`,
          value: `${fixed(stats(ours).cpu)} µs`,
          baseline: `${fixed(stats(before).cpu)} µs`,
          ratio: ratio(stats(before).cpu, stats(ours).cpu),
          target: concurrency === 64 ? "≥ 1" : ""
        })
      }
    }
  } finally {
    for (const client of all) await client.close()
    await server.stop()
  }
  return rows
}
