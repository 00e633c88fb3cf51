/**
 * `uploadFile` in headless Chromium, as the official SDK was used: a `File`
 * from a page on one origin, the emulator's upload API and object store on
 * another, signed in by the session cookie. Parts go through XMLHttpRequest,
 * so progress moves within a part; they carry no cookie or Authorization.
 */
import { Fault, type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { type Browser, hasChromium, openBrowser, type Sdk } from "./support/browser.js"

const SESSION = "upload-session-token"
const PART = 8 * 1024 * 1024

let emulator: RunningEmulator
let browser: Browser

/** The same bytes the page builds: byte i is (i × 31 + 7) mod 251. */
const pattern = (size: number) => Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) % 251)

describe.skipIf(!hasChromium)("uploadFile in headless Chromium", () => {
  beforeAll(async () => {
    emulator = await startEmulator({ clock: "real", sessionToken: SESSION, apiKey: "not-used-by-the-page", partSize: PART })
    browser = await openBrowser()
    await browser.context.addCookies([{ name: "oomol-token", value: SESSION, url: emulator.url }])
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await emulator?.close()
  })

  afterEach(() => emulator.clearFaults())

  it("uploads a File byte for byte, with progress within each part, and bare part PUTs", async () => {
    // The store waits before reading each part, so the browser's buffers fill and
    // XMLHttpRequest reports the part's bytes as they go.
    emulator.fault("uploadPart", Fault.sticky(Fault.latency(400)))
    const size = 2 * PART + 12_345
    const before = emulator.partUploads().length
    const outcome = await browser.page.evaluate(async ({ baseUrl, size, uploadBaseUrl }) => {
      const { OomolTaskClient } = (window as unknown as { sdk: Sdk }).sdk
      const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) % 251)
      const client = new OomolTaskClient({ baseUrl, credentials: "include" })
      const progress: Array<number> = []
      const url = await client.uploadFile(new File([bytes], "photo.png", { type: "image/png" }), {
        uploadBaseUrl,
        concurrency: 1,
        onProgress: (p) => progress.push(p)
      })
      await client.dispose()
      return { url, progress }
    }, { baseUrl: emulator.url, size, uploadBaseUrl: emulator.uploadBaseUrl })

    expect(outcome.url).toMatch(/\/photo\.png$/)
    const downloaded = new Uint8Array(await (await fetch(outcome.url)).arrayBuffer())
    expect(Buffer.from(downloaded).equals(Buffer.from(pattern(size)))).toBe(true)

    const { progress } = outcome
    expect(progress.every((p) => Number.isInteger(p) && p >= 0 && p <= 100)).toBe(true)
    expect([...progress].sort((a, b) => a - b)).toEqual(progress)
    expect(new Set(progress).size).toBe(progress.length)
    expect(progress.slice(-2)).toEqual([99, 100])
    // What progress per part alone would report; anything else came from within a part.
    const perPart = [PART, 2 * PART, size].map((sent) => Math.min(99, Math.floor((sent * 100) / size)))
    expect(progress.some((p) => p !== 100 && !perPart.includes(p))).toBe(true)

    const parts = emulator.partUploads().slice(before)
    expect(parts).toHaveLength(3)
    for (const part of parts) {
      expect(part).toMatchObject({ status: 200, authorization: false, cookie: false, nonStandardHeaders: [] })
    }
    // The upload API itself was reached with the session cookie.
    expect(emulator.requestLog("uploadInit").at(-1)?.headers.cookie).toContain(`oomol-token=${SESSION}`)
  })

  it("an abort stops the parts and rejects with UploadError UPLOAD_CANCELLED", async () => {
    emulator.fault("uploadPart", Fault.sticky(Fault.hang()))
    const before = emulator.requests("uploadPart")
    type Pending = { abortUpload: () => void; uploadOutcome: Promise<{ isUploadError: boolean; name: string; code: string; message: string }> }
    await browser.page.evaluate(({ baseUrl, part, uploadBaseUrl }) => {
      const { OomolTaskClient, UploadError } = (window as unknown as { sdk: Sdk }).sdk
      const client = new OomolTaskClient({ baseUrl, credentials: "include" })
      const controller = new AbortController()
      const page = window as unknown as Pending
      page.abortUpload = () => controller.abort()
      page.uploadOutcome = client.uploadFile(new Blob([new Uint8Array(2 * part + 1)]), {
        uploadBaseUrl,
        signal: controller.signal
      }).then(() => undefined, (e: unknown) => e).then(async (error) => {
        await client.dispose()
        const failure = error as { name: string; code: string; message: string }
        return { isUploadError: error instanceof UploadError, name: failure.name, code: failure.code, message: failure.message }
      })
    }, { baseUrl: emulator.url, part: PART, uploadBaseUrl: emulator.uploadBaseUrl })
    // Abort once every part is in flight: when the store has seen all three, however long that took.
    await expect.poll(() => emulator.requests("uploadPart") - before, { timeout: 20_000, interval: 20 }).toBe(3)
    await browser.page.evaluate(() => (window as unknown as Pending).abortUpload())
    const outcome = await browser.page.evaluate(() => (window as unknown as Pending).uploadOutcome)
    expect(outcome).toEqual({ isUploadError: true, name: "UploadError", code: "UPLOAD_CANCELLED", message: "Upload cancelled" })
    expect(emulator.requests("uploadPart") - before).toBe(3)
  })
})
