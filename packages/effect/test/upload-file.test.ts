/**
 * Uploads of files that are not what they seemed: a path that is no regular
 * file, a file that shrinks, grows or is rewritten while its parts are read,
 * and a `Blob` whose file changed. Each ends as a typed failure of the upload
 * (the file system's `PlatformError`, or an `UploadError`), never a defect,
 * and never asks for the file's URL.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { CloudTaskClient, Upload } from "@oomol-cloud-task/effect"
import { type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { FetchHttpClient } from "effect/http"
import { appendFileSync, mkdtempSync, openAsBlob, rmSync, truncateSync, utimesSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const PART = 1024

let emulator: RunningEmulator
let directory: string
beforeAll(async () => {
  emulator = await startEmulator({ partSize: PART, apiKey: "k" })
  directory = mkdtempSync(join(tmpdir(), "upload-file-test-"))
})
afterAll(async () => {
  await emulator.close()
  rmSync(directory, { recursive: true, force: true })
})

const Client = CloudTaskClient.CloudTaskClient
const ClientLive = Layer.suspend(() =>
  CloudTaskClient.layer({ apiKey: Redacted.make("k"), baseUrl: emulator.url, uploadBaseUrl: emulator.uploadBaseUrl })
).pipe(Layer.provide(FetchHttpClient.layer), Layer.orDie)

let files = 0
const fileOf = (bytes: number) => {
  const path = join(directory, `file-${++files}.bin`)
  writeFileSync(path, new Uint8Array(bytes).fill(7))
  return path
}

/**
 * Parts sent with fetch, one at a time; `afterFirst` runs once the first part
 * is in, while the rest are still to be read.
 */
const senderThat = (afterFirst: () => void): Upload.PartSender["Service"] => {
  let sent = 0
  return {
    send: ({ body, url }) =>
      Effect.promise(async () => {
        await fetch(url, { method: "PUT", body: body as BodyInit })
        if (++sent === 1) afterFirst()
      })
  }
}

/** The counts of the upload API's requests since `before`. */
const requests = () => ({ init: emulator.requests("uploadInit"), url: emulator.requests("uploadUrl") })

describe("a path that is not a regular file", () => {
  const notFiles: ReadonlyArray<readonly [string, () => string, string]> = [
    ["a directory", () => directory, "it is a directory, not a regular file"],
    ["a character device", () => "/dev/zero", "it is a character device, not a regular file"]
  ]
  for (const [name, path, description] of notFiles) {
    it.live(`${name} fails with BadResource before anything is sent`, () =>
      Effect.gen(function*() {
        const before = requests()
        const error = yield* Effect.flip(Effect.flatMap(Client, (c) => c.upload(Upload.fromPath(path()))))
        expect(error).toMatchObject({ _tag: "PlatformError", reason: { _tag: "BadResource", description } })
        expect(requests()).toEqual(before)
      }).pipe(Effect.provide(ClientLive), Effect.provide(NodeFileSystem.layer)))
  }
})

describe("a file that changes while its parts are read", () => {
  const upload = (path: string, afterFirst: () => void) =>
    Effect.flatMap(Client, (c) => c.upload(Upload.fromPath(path), { concurrency: 1 })).pipe(
      Effect.provideService(Upload.PartSender, senderThat(afterFirst)),
      Effect.flip
    )

  it.live("shrinks: UnexpectedEof at the first part past its end; the file's URL is never asked for", () =>
    Effect.gen(function*() {
      const path = fileOf(3 * PART)
      const before = requests()
      const error = yield* upload(path, () => truncateSync(path, PART + PART / 2))
      expect(error).toMatchObject({
        _tag: "PlatformError",
        reason: { _tag: "UnexpectedEof", description: `the file ended before byte ${2 * PART}: it shrank during the upload` }
      })
      expect(requests()).toEqual({ init: before.init + 1, url: before.url })
    }).pipe(Effect.provide(ClientLive), Effect.provide(NodeFileSystem.layer)))

  it.live("grows: InvalidData once every part is read, naming both sizes; the file's URL is never asked for", () =>
    Effect.gen(function*() {
      const path = fileOf(3 * PART)
      const before = requests()
      const error = yield* upload(path, () => appendFileSync(path, "more"))
      expect(error).toMatchObject({
        _tag: "PlatformError",
        reason: {
          _tag: "InvalidData",
          description: `the file changed during the upload: it was ${3 * PART} bytes, now ${3 * PART + 4}`
        }
      })
      expect(requests()).toEqual({ init: before.init + 1, url: before.url })
    }).pipe(Effect.provide(ClientLive), Effect.provide(NodeFileSystem.layer)))

  it.live("is rewritten at the same size: InvalidData; the file's URL is never asked for", () =>
    Effect.gen(function*() {
      const path = fileOf(3 * PART)
      const before = requests()
      const error = yield* upload(path, () => {
        writeFileSync(path, new Uint8Array(3 * PART).fill(9))
        // A rewrite within the same millisecond would keep the time: set one that differs.
        utimesSync(path, new Date(0), new Date(0))
      })
      expect(error).toMatchObject({
        _tag: "PlatformError",
        reason: { _tag: "InvalidData", description: "the file changed during the upload" }
      })
      expect(requests()).toEqual({ init: before.init + 1, url: before.url })
    }).pipe(Effect.provide(ClientLive), Effect.provide(NodeFileSystem.layer)))

  it.live("left alone, it uploads (the check after the parts passes)", () =>
    Effect.gen(function*() {
      const path = fileOf(3 * PART)
      const file = yield* Effect.flatMap(Client, (c) => c.upload(Upload.fromPath(path), { concurrency: 1 }))
      expect(file.file_size).toBe(3 * PART)
    }).pipe(Effect.provide(ClientLive), Effect.provide(NodeFileSystem.layer)))
})

describe("a Blob that can no longer be read", () => {
  it.live("(fs.openAsBlob's, its file changed): UPLOAD_FAILED with the reason, never tried again, never a defect", () =>
    Effect.gen(function*() {
      const path = fileOf(3 * PART)
      const blob = yield* Effect.promise(() => openAsBlob(path))
      appendFileSync(path, "more")
      const before = emulator.partUploads().length
      const error = yield* Effect.flip(Effect.flatMap(Client, (c) => c.upload(blob, { concurrency: 1 })))
      expect(error).toMatchObject({
        _tag: "UploadError",
        code: "UPLOAD_FAILED",
        message: "Cannot read the file: The blob could not be read",
        cause: { name: "NotReadableError" }
      })
      // The first part's bytes could not be read: nothing went, nothing was tried again.
      expect(emulator.partUploads().length).toBe(before)
    }).pipe(Effect.provide(ClientLive)))
})
