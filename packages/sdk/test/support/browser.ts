/**
 * The facade in a real browser: Debian's chromium driven by playwright-core,
 * with a fresh profile, loading a page on a loopback origin of its own that
 * exposes the facade (bundled for browsers) as `window.sdk`.
 */
import { build } from "esbuild"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type BrowserContext, chromium, type Page } from "playwright-core"

export const CHROMIUM = "/usr/bin/chromium"
export const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) {
  console.warn(`Browser tests skipped: ${CHROMIUM} is missing. Install it with \`apt-get install -y chromium\` (CI does).`)
}

/** What a page sees as `window.sdk`. */
export type Sdk = typeof import("oomol-cloud-task-sdk")

export interface Browser {
  /** The page's origin, e.g. `http://127.0.0.1:PORT`. */
  readonly siteUrl: string
  readonly context: BrowserContext
  /** A page with `window.sdk` loaded. */
  readonly page: Page
  readonly close: () => Promise<void>
}

/** Serves the page and the facade's browser bundle, then opens it in headless chromium. */
export const openBrowser = async (): Promise<Browser> => {
  const bundled = await build({
    entryPoints: [fileURLToPath(new URL("../../src/index.ts", import.meta.url))],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["@oomol-cloud-task/source", "module", "import", "default"],
    logLevel: "warning"
  })
  const script = bundled.outputFiles[0]!.text
  const html = `<!doctype html><title>facade</title>
<script type="module">import * as sdk from "/sdk.js"; window.sdk = sdk; document.title = "ready"</script>`
  const server = createServer((request, response) => {
    if (request.url === "/sdk.js") response.writeHead(200, { "content-type": "text/javascript" }).end(script)
    else response.writeHead(200, { "content-type": "text/html" }).end(html)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const siteUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const profile = mkdtempSync(join(tmpdir(), "oomol-chromium-"))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync"
    ]
  })
  const page = context.pages()[0] ?? (await context.newPage())
  await page.goto(siteUrl)
  await page.waitForFunction(() => document.title === "ready")
  return {
    siteUrl,
    context,
    page,
    close: async () => {
      await context.close()
      await new Promise((resolve) => server.close(resolve))
      rmSync(profile, { recursive: true, force: true })
    }
  }
}
