/**
 * A scripted `fetch`: records every call as the client made it and answers
 * from a handler, so tests see exactly what a custom `fetch` would.
 */
import { type ClientOptions, OomolTaskClient } from "oomol-cloud-task-sdk"
import { afterEach } from "vitest"

export interface Call {
  readonly input: unknown
  readonly url: URL
  readonly method: string
  readonly headers: Headers
  readonly rawHeaders: unknown
  readonly credentials: RequestCredentials | undefined
  readonly body: string | undefined
  readonly signal: AbortSignal | undefined
}

export type Reply =
  | { readonly status?: number; readonly json?: unknown; readonly text?: string; readonly headers?: Record<string, string> }
  | { readonly fail: Error }
  | { readonly hang: true }

export interface Scripted {
  readonly calls: Array<Call>
  readonly fetch: typeof globalThis.fetch
}

export const scriptedFetch = (handler: (call: Call, index: number) => Reply | Promise<Reply>): Scripted => {
  const calls: Array<Call> = []
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const call: Call = {
      input,
      url: new URL(String(input)),
      method: init.method ?? "GET",
      headers: new Headers(init.headers),
      rawHeaders: init.headers,
      credentials: init.credentials,
      body: typeof init.body === "string" ? init.body : init.body instanceof Uint8Array ? new TextDecoder().decode(init.body) : undefined,
      signal: init.signal ?? undefined
    }
    calls.push(call)
    const reply = await handler(call, calls.length - 1)
    if ("fail" in reply) throw reply.fail
    if ("hang" in reply) {
      return new Promise((_, reject) => {
        const signal = init.signal
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true })
      })
    }
    const text = reply.text ?? (reply.json === undefined ? "" : JSON.stringify(reply.json))
    return new Response(text, { status: reply.status ?? 200, headers: { "content-type": "application/json", ...reply.headers } })
  }
  return { calls, fetch }
}

export const listItem = (taskID: string, overrides: Record<string, unknown> = {}) => ({
  taskID,
  taskType: "user",
  ownerID: "owner",
  subscriptionID: null,
  packageID: null,
  status: "success",
  progress: 100,
  workload: "serverless",
  workloadID: "w",
  resultURL: null,
  failedMessage: null,
  createdAt: 1,
  updatedAt: 2,
  startTime: 1,
  endTime: 2,
  schedulerPayload: {},
  ...overrides
})

export const dashboard = {
  limits: { maxConcurrency: 2, maxQueueSize: 10 },
  count: { queued: 0, scheduling: 0, scheduled: 0, running: 1 },
  pause: { paused: false, type: null, canResume: false }
}

export const running = (progress: number): Reply => ({ json: { status: "running", progress } })
export const success: Reply = { json: { status: "success", resultURL: "https://r.test/out", resultData: [{ ok: true }] } }

/**
 * A client over `fetch` for the current test, disposed after it. Request
 * retries are off unless asked for, so each call is one request and counts
 * are exact.
 */
const clients: Array<OomolTaskClient> = []
export const clientWith = (fetch: typeof globalThis.fetch, options: ClientOptions = {}): OomolTaskClient => {
  const client = new OomolTaskClient({ baseUrl: "https://api.test", fetch, retries: 0, ...options })
  clients.push(client)
  return client
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()))
})
