// Integration tests over a real socket: the emulator on a free loopback port, a virtual
// clock moved by hand, faults switched on per route, and counters to check the client.
import { Api } from "@oomol-cloud-task/contract"
import { Fault, type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { afterEach, beforeEach, expect, it } from "@effect/vitest"

let emulator: RunningEmulator
beforeEach(async () => {
  emulator = await startEmulator({ clock: "virtual", partSize: 1024 })
})
afterEach(() => emulator.close())

const headers = { authorization: "Bearer test-key", "content-type": "application/json" }

it("runs a scripted block to its failure", async () => {
  emulator.defineBlock({ packageName: "@test/billing", fail: "Insufficient balance" })
  const created = await fetch(`${emulator.url}${Api.paths.tasks}`, {
    method: "POST",
    headers,
    body: JSON.stringify({ type: "serverless", packageName: "@test/billing", packageVersion: "1.0.0", blockName: "main" })
  })
  const { taskID } = await created.json() as { taskID: string }

  emulator.advance(1_000) // the default phases take 350 ms
  const result = await fetch(`${emulator.url}${Api.paths.taskResult(taskID)}`, { headers })
  expect(await result.json()).toEqual({ status: "failed", error: "Insufficient balance" })
})

it("answers 429 with Retry-After twice, then serves", async () => {
  emulator.fault("dashboard", Fault.tooManyRequests(1, { times: 2 }))
  const statuses: Array<number> = []
  for (let i = 0; i < 3; i++) statuses.push((await fetch(`${emulator.url}${Api.paths.dashboard}`, { headers })).status)
  expect(statuses).toEqual([429, 429, 200])
  expect(emulator.requests("dashboard")).toBe(3)
})
