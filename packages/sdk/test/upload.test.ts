/**
 * `uploadFile` as a user calls it, in Node against the emulator over a real
 * socket: every kind of input round-trips byte for byte, progress is the
 * official 0..100, failures and aborts reject with `UploadError` and its code.
 */
import { Fault, type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { ApiError, InvalidInputError, OomolTaskClient, UploadError } from "oomol-cloud-task-sdk"
import { randomBytes } from "node:crypto"
import { appendFileSync, mkdtempSync, openAsBlob, rmSync, truncateSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"

const PART = 1024
let emulator: RunningEmulator
let directory: string
beforeAll(async () => {
  emulator = await startEmulator({ clock: "real", partSize: PART, apiKey: "key" })
  directory = mkdtempSync(join(tmpdir(), "sdk-upload-"))
})
afterAll(async () => {
  await emulator.close()
  rmSync(directory, { recursive: true, force: true })
})

const clients: Array<OomolTaskClient> = []
const client = (options: ConstructorParameters<typeof OomolTaskClient>[0] = {}) => {
  const c = new OomolTaskClient({ apiKey: "key", baseUrl: emulator.url, defaultHeaders: { "x-client": "app" }, ...options })
  clients.push(c)
  return c
}
afterEach(async () => {
  emulator.clearFaults()
  await Promise.all(clients.splice(0).map((c) => c.dispose()))
})

const uploadBaseUrl = () => emulator.uploadBaseUrl
const downloaded = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer())
const random = (size: number) => new Uint8Array(randomBytes(size))

describe("what uploadFile takes", () => {
  it("a File, as the official SDK: its name and extension are kept", async () => {
    const bytes = random(3 * PART + 1)
    const url = await client().uploadFile(new File([bytes], "report.pdf"), { uploadBaseUrl: uploadBaseUrl() })
    expect(url).toMatch(/\/report\.pdf$/)
    expect(await downloaded(url)).toEqual(bytes)
  })

  const inputs: Record<string, (bytes: Uint8Array) => Blob | Uint8Array | ArrayBuffer | string> = {
    Blob: (bytes) => new Blob([bytes as Uint8Array<ArrayBuffer>]),
    Uint8Array: (bytes) => bytes,
    Buffer: (bytes) => Buffer.from(bytes),
    ArrayBuffer: (bytes) => bytes.slice().buffer,
    "a file path": (bytes) => {
      const path = join(directory, `input-${bytes.length}.bin`)
      writeFileSync(path, bytes)
      return path
    }
  }
  for (const [name, make] of Object.entries(inputs)) {
    for (const size of [0, 1, 2 * PART, 2 * PART + 1]) {
      it(`${name} of ${size} bytes`, async () => {
        const bytes = random(size)
        const url = await client().uploadFile(make(bytes), { uploadBaseUrl: uploadBaseUrl(), fileName: "data.bin" })
        expect(await downloaded(url)).toEqual(bytes)
      })
    }
  }

  it("a path keeps its file name", async () => {
    const path = join(directory, "notes.txt")
    writeFileSync(path, "hello")
    const url = await client().uploadFile(path, { uploadBaseUrl: uploadBaseUrl() })
    expect(url).toMatch(/\/notes\.txt$/)
  })

  it("a path that does not exist: an UploadError saying so, Node's own error its cause, before anything is sent", async () => {
    const before = emulator.requests("uploadInit")
    const path = join(directory, "missing.bin")
    const error = await client().uploadFile(path, { uploadBaseUrl: uploadBaseUrl() }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UploadError)
    expect(error).toMatchObject({ code: "UPLOAD_FAILED", statusCode: undefined, message: `Cannot upload ${path}: no such file` })
    expect((error as UploadError).cause).toMatchObject({ code: "ENOENT" })
    expect(emulator.requests("uploadInit")).toBe(before)
  })

  const notFiles: ReadonlyArray<readonly [string, () => string, string]> = [
    ["a directory", () => directory, "it is a directory, not a regular file"],
    ["a device", () => "/dev/zero", "it is a character device, not a regular file"]
  ]
  for (const [name, path, why] of notFiles) {
    it(`${name}: an UploadError with a code and the reason, before anything is sent`, async () => {
      const before = emulator.requests("uploadInit")
      const error = await client().uploadFile(path(), { uploadBaseUrl: uploadBaseUrl() }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(UploadError)
      expect(error).toMatchObject({ code: "UPLOAD_FAILED", message: `Cannot upload ${path()}: ${why}` })
      expect(emulator.requests("uploadInit")).toBe(before)
    })
  }

  it("anything else is an InvalidInputError, before anything is sent", async () => {
    const before = emulator.requests("uploadInit")
    const error = await client().uploadFile(42 as unknown as string).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidInputError)
    expect(emulator.requests("uploadInit")).toBe(before)
  })
})

describe("headers", () => {
  it("init and the URL carry the API key and default headers; part PUTs carry neither", async () => {
    const before = emulator.partUploads().length
    await client().uploadFile(random(2 * PART), { uploadBaseUrl: uploadBaseUrl() })
    for (const route of ["uploadInit", "uploadUrl"] as const) {
      expect(emulator.requestLog(route).at(-1)?.headers).toMatchObject({ authorization: "Bearer key", "x-client": "app" })
    }
    const parts = emulator.partUploads().slice(before)
    expect(parts).toHaveLength(2)
    for (const part of parts) expect(part).toMatchObject({ authorization: false, cookie: false, nonStandardHeaders: [] })
  })
})

describe("progress", () => {
  it("integers that never go back, 99 until the URL is in hand, then 100", async () => {
    const progress: Array<number> = []
    await client().uploadFile(random(4 * PART), {
      uploadBaseUrl: uploadBaseUrl(),
      concurrency: 1,
      onProgress: (p) => progress.push(p)
    })
    expect(progress).toEqual([25, 50, 75, 99, 100])
  })

  it("an empty file reports only 100", async () => {
    const progress: Array<number> = []
    await client().uploadFile(new Uint8Array(0), { uploadBaseUrl: uploadBaseUrl(), onProgress: (p) => progress.push(p) })
    expect(progress).toEqual([100])
  })
})

describe("failures", () => {
  it("a refused init: UploadError INIT_UPLOAD_FAILED with its status", async () => {
    const error = await client({ apiKey: "wrong", retries: 0 }).uploadFile(random(1), { uploadBaseUrl: uploadBaseUrl() })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UploadError)
    expect(error).toMatchObject({ code: "INIT_UPLOAD_FAILED", statusCode: 401, message: "Failed to initialize upload: 401" })
    // Why, as the service said it: the refusal itself, as an ApiError.
    const cause = (error as UploadError).cause
    expect(cause).toBeInstanceOf(ApiError)
    expect(cause).toMatchObject({ status: 401 })
    expect((cause as ApiError).message).not.toBe("")
  })

  it("a part failure heals by retry", async () => {
    emulator.fault("uploadPart", Fault.status(503))
    const bytes = random(PART)
    const url = await client().uploadFile(bytes, { uploadBaseUrl: uploadBaseUrl() })
    expect(await downloaded(url)).toEqual(bytes)
  })

  it("retries: 1 tries each part once: RETRY_EXHAUSTED with the part's status", async () => {
    emulator.fault("uploadPart", Fault.sticky(Fault.status(500)))
    const error = await client().uploadFile(random(1), { uploadBaseUrl: uploadBaseUrl(), retries: 1 })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UploadError)
    expect(error).toMatchObject({
      code: "RETRY_EXHAUSTED",
      statusCode: 500,
      message: "Failed after 1 attempts: Upload failed with status 500"
    })
  })
})

describe("a file that changes during the upload", () => {
  // A fetch that changes the file once the first part is in, while the others are still to be read.
  const changingAfterFirstPart = (change: () => void): typeof fetch => {
    let parts = 0
    return async (input, init) => {
      const response = await fetch(input, init)
      if (init?.method === "PUT" && ++parts === 1) change()
      return response
    }
  }
  const changes: ReadonlyArray<readonly [string, (path: string) => void, string]> = [
    ["shrinks", (path) => truncateSync(path, PART + PART / 2), `the file ended before byte ${2 * PART}: it shrank during the upload`],
    ["grows", (path) => appendFileSync(path, "more"), `the file changed during the upload: it was ${3 * PART} bytes, now ${3 * PART + 4}`]
  ]
  for (const [name, change, why] of changes) {
    it(`${name}: an UploadError with a code and the reason; the file's URL is never asked for`, async () => {
      const path = join(directory, `changing-${name}.bin`)
      writeFileSync(path, random(3 * PART))
      const before = emulator.requests("uploadUrl")
      const error = await client({ fetch: changingAfterFirstPart(() => change(path)) })
        .uploadFile(path, { uploadBaseUrl: uploadBaseUrl(), concurrency: 1 })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(UploadError)
      expect(error).toMatchObject({ code: "UPLOAD_FAILED", message: `Cannot upload ${path}: ${why}` })
      expect(emulator.requests("uploadUrl")).toBe(before)
    })
  }

  it("a Blob from fs.openAsBlob whose file changed: an UploadError with the reason, never a defect", async () => {
    const path = join(directory, "changed-blob.bin")
    writeFileSync(path, random(2 * PART))
    const blob = await openAsBlob(path)
    appendFileSync(path, "more")
    const error = await client().uploadFile(blob, { uploadBaseUrl: uploadBaseUrl() }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UploadError)
    expect(error).toMatchObject({ code: "UPLOAD_FAILED", message: "Cannot read the file: The blob could not be read" })
  })
})

describe("abort", () => {
  it("mid-upload: every part stops and the call rejects with UPLOAD_CANCELLED", async () => {
    emulator.fault("uploadPart", Fault.sticky(Fault.hang()))
    const controller = new AbortController()
    const before = emulator.requests("uploadPart")
    const pending = client().uploadFile(random(8 * PART), {
      uploadBaseUrl: uploadBaseUrl(),
      concurrency: 2,
      signal: controller.signal
    }).catch((e: unknown) => e)
    while (emulator.requests("uploadPart") < before + 2) await new Promise((resolve) => setTimeout(resolve, 5))
    controller.abort(new Error("user left"))
    const error = await pending
    expect(error).toBeInstanceOf(UploadError)
    expect(error).toMatchObject({ code: "UPLOAD_CANCELLED", message: "Upload cancelled", statusCode: undefined })
    expect((error as Error).cause).toEqual(new Error("user left"))
    expect(emulator.requests("uploadPart")).toBe(before + 2)
  })

  it("an already aborted signal sends nothing", async () => {
    const before = emulator.requests()
    const error = await client().uploadFile(random(1), { uploadBaseUrl: uploadBaseUrl(), signal: AbortSignal.abort() })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: "UPLOAD_CANCELLED" })
    expect(emulator.requests()).toBe(before)
  })
})
