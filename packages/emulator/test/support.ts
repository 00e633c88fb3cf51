/** Plain `fetch` helpers for tests that talk to the emulator over a real socket. */
import { Api } from "@oomol-cloud-task/contract"
import type { RunningEmulator } from "@oomol-cloud-task/emulator"
import { Schema } from "effect"

export const auth = { authorization: "Bearer test-key" } as const

export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: unknown
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** One request; the body is sent as JSON unless it is already a string or bytes. */
export const call = async (
  url: string,
  init: { readonly method?: string; readonly body?: unknown; readonly headers?: Record<string, string> } = {}
): Promise<Answer> => {
  const body = init.body === undefined || typeof init.body === "string" || init.body instanceof Uint8Array
    ? init.body as BodyInit | undefined
    : JSON.stringify(init.body)
  const response = await fetch(url, {
    method: init.method ?? "GET",
    headers: { ...auth, "content-type": "application/json", ...init.headers },
    ...(body === undefined ? {} : { body })
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, text, json: parse(text) }
}

/** Decodes an answer with a contract schema, failing the test when it does not fit. */
export const decode = <A>(schema: Schema.Decoder<A>, answer: Answer): A => {
  if (answer.status >= 300) throw new Error(`expected a 2xx answer, got ${answer.status}: ${answer.text}`)
  return Schema.decodeUnknownSync(schema)(answer.json)
}

export const createBody = (overrides: Record<string, unknown> = {}) => ({
  type: "serverless",
  packageName: "@test/pkg",
  packageVersion: "1.0.0",
  blockName: "main",
  ...overrides
})

export const createTask = async (emulator: RunningEmulator, overrides: Record<string, unknown> = {}) => {
  const answer = await call(`${emulator.url}${Api.paths.tasks}`, { method: "POST", body: createBody(overrides) })
  if (answer.status !== 200) throw new Error(`create failed: ${answer.status} ${answer.text}`)
  return (answer.json as { readonly taskID: string }).taskID
}

export const get = (emulator: RunningEmulator, path: string, headers: Record<string, string> = {}) =>
  call(`${emulator.url}${path}`, { headers })

/** A browser's CORS preflight for `method` with `headers` from `origin`. */
export const preflight = (url: string, origin: string, method: string, headers: string) =>
  fetch(url, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": method, "access-control-request-headers": headers }
  })
