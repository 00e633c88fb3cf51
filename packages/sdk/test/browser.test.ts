/**
 * The facade in a real browser: Debian's chromium, driven by playwright-core,
 * a page on one loopback origin calling the emulator on another, signed in by
 * the `oomol-token` cookie alone (no API key), with `credentials: "include"`.
 */
import { type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Browser, hasChromium, openBrowser } from "./support/browser.js"

const SESSION = "browser-session-token"

let emulator: RunningEmulator
let browser: Browser
let siteUrl: string
let page: Page

describe.skipIf(!hasChromium)("in headless Chromium, against the emulator on another origin", () => {
  beforeAll(async () => {
    emulator = await startEmulator({
      clock: "real",
      sessionToken: SESSION,
      apiKey: "not-used-by-the-page",
      blocks: [
        { packageName: "quick", progress: [20, 60], durations: { queued: 0, scheduling: 20, scheduled: 20, running: 300 } },
        { packageName: "slow", durations: { running: 600_000 } }
      ]
    })
    browser = await openBrowser()
    ;({ page, siteUrl } = browser)
    await browser.context.addCookies([{ name: "oomol-token", value: SESSION, url: emulator.url }])
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await emulator?.close()
  })

  it("the page and the emulator are different origins", () => {
    expect(new URL(siteUrl).origin).not.toBe(new URL(emulator.url).origin)
  })

  it("createAndWait signs in with the session cookie alone and reports progress", async () => {
    const outcome = await page.evaluate(async (baseUrl) => {
      const { OomolTaskClient } = (window as unknown as { sdk: typeof import("oomol-cloud-task-sdk") }).sdk
      const client = new OomolTaskClient({ baseUrl, credentials: "include" })
      const progress: Array<string> = []
      const { taskID, result } = await client.createAndWait(
        { packageName: "quick", packageVersion: "1.0.0", blockName: "main", inputValues: { from: "browser" } },
        { intervalMs: 25, backoff: { strategy: "fixed" }, onProgress: (p, status) => progress.push(`${status}:${p}`) }
      )
      await client.dispose()
      return { taskID, result, progress }
    }, emulator.url)
    expect(outcome.result).toEqual({ status: "success", resultURL: null, resultData: [{ from: "browser" }] })
    expect(outcome.progress.length).toBeGreaterThan(0)
    expect(outcome.progress.every((p) => /^(queued|scheduling|scheduled|running):\d+$/.test(p))).toBe(true)
    const created = emulator.requestLog("createTask").at(-1)!
    expect(created.headers.cookie).toContain(`oomol-token=${SESSION}`)
    expect(created.headers).not.toHaveProperty("authorization")
    expect(created.headers.origin).toBe(new URL(siteUrl).origin)
  })

  it("credentials: \"omit\" sends no cookie, and the 401 is an ApiError the page can instanceof", async () => {
    const outcome = await page.evaluate(async (baseUrl) => {
      const { ApiError, OomolTaskClient } = (window as unknown as { sdk: typeof import("oomol-cloud-task-sdk") }).sdk
      const client = new OomolTaskClient({ baseUrl, credentials: "omit", retries: 0 })
      const error = await client.getDashboard().then(() => undefined, (e: unknown) => e)
      await client.dispose()
      return { isApiError: error instanceof ApiError, status: (error as { status?: number }).status, text: String(error) }
    }, emulator.url)
    expect(outcome).toMatchObject({ isApiError: true, status: 401 })
    expect(outcome.text).toMatch(/^ApiError: /)
  })

  it("an abort rejects the wait at once with an AbortError DOMException", async () => {
    const outcome = await page.evaluate(async (baseUrl) => {
      const { OomolTaskClient } = (window as unknown as { sdk: typeof import("oomol-cloud-task-sdk") }).sdk
      const client = new OomolTaskClient({ baseUrl })
      const { taskID } = await client.createTask({ packageName: "slow", packageVersion: "1.0.0", blockName: "main" })
      const controller = new AbortController()
      const progress: Array<number> = []
      const error = await client.awaitResult(taskID, {
        intervalMs: 60_000,
        signal: controller.signal,
        onProgress: (p) => {
          progress.push(p)
          setTimeout(() => controller.abort(), 10)
        }
      }).then(() => undefined, (e: unknown) => e)
      await client.dispose()
      return {
        isDOMException: error instanceof DOMException,
        name: (error as Error).name,
        message: (error as Error).message,
        polls: progress.length
      }
    }, emulator.url)
    expect(outcome).toEqual({ isDOMException: true, name: "AbortError", message: "The operation was aborted.", polls: 1 })
  })
})
