import { Api, Upload } from "@oomol-cloud-task/contract"
import { type RunningEmulator, startEmulator } from "@oomol-cloud-task/emulator"
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { randomBytes } from "node:crypto"
import { existsSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { call, decode, preflight } from "./support.js"

const PART = 1024
let emulator: RunningEmulator
beforeEach(async () => {
  emulator = await startEmulator({ clock: "virtual", partSize: PART })
})
afterEach(() => emulator.close())

const init = async (size: number, name = "report") => {
  const answer = await call(`${emulator.uploadBaseUrl}${Api.paths.uploadInit}`, {
    method: "POST",
    body: { file_extension: ".pdf", size, file_name: name }
  })
  return decode(Upload.UploadInitResponse, answer).data
}

const put = (url: string, bytes: Uint8Array, headers: Record<string, string> = {}) =>
  fetch(url, { method: "PUT", body: new Uint8Array(bytes), headers: { "content-type": "application/octet-stream", ...headers } })

const finish = (uploadID: string) => call(`${emulator.uploadBaseUrl}${Api.paths.uploadUrl(uploadID)}`)

/** The temp file of an upload: named by its ID, in a directory of the emulator's own. */
const tempFileOf = (uploadID: string) =>
  readdirSync(tmpdir())
    .filter((name) => name.startsWith("oomol-emulator-"))
    .map((name) => join(tmpdir(), name, uploadID))
    .find((path) => existsSync(path))

describe("upload", () => {
  it("cuts a file into parts, takes them in any order, and serves it back byte for byte", async () => {
    const file = randomBytes(5 * PART + 123)
    const upload = await init(file.length)
    expect(upload.part_size).toBe(PART)
    expect(upload.total_parts).toBe(6)
    const parts = Object.entries(upload.presigned_urls).reverse()
    const answers = await Promise.all(
      parts.map(([n, url]) => put(url, file.subarray(...Upload.partRange(Number(n), PART, file.length))))
    )
    expect(answers.map((answer) => answer.status)).toEqual(Array(6).fill(200))
    expect(answers.every((answer) => /^"[0-9a-f]{32}"$/.test(answer.headers.get("etag") ?? ""))).toBe(true)

    const { data } = decode(Upload.UploadUrlResponse, await finish(upload.upload_id))
    expect(data).toMatchObject({ file_name: "report.pdf", file_size: file.length, mime_type: "application/pdf" })
    expect(Date.parse(data.expires_at)).toBe(emulator.now() + 24 * 60 * 60 * 1000)
    const download = await fetch(data.url)
    expect(download.headers.get("content-type")).toBe("application/pdf")
    expect(Buffer.from(await download.arrayBuffer()).equals(file)).toBe(true)
    expect(emulator.requests("download")).toBe(1)
  })

  it("serves presigned URLs from an object store path, signed, with no credentials needed", async () => {
    const upload = await init(10)
    const url = new URL(upload.presigned_urls["1"]!)
    expect(url.pathname.startsWith("/_store/")).toBe(true)
    expect(url.pathname.startsWith(new URL(emulator.uploadBaseUrl).pathname)).toBe(false)
    expect(url.searchParams.get("X-Signature")).toMatch(/^[0-9a-f]{64}$/)

    const tampered = new URL(url)
    tampered.searchParams.set("X-Signature", "0".repeat(64))
    const refused = await put(tampered.href, new Uint8Array(10))
    expect(refused.status).toBe(403)
    expect(await refused.text()).toContain("<Code>SignatureDoesNotMatch</Code>")
    const otherPart = url.href.replace(/\/1\?/, "/2?")
    expect((await put(otherPart, new Uint8Array(10))).status).toBe(400)
    expect((await put(url.href, new Uint8Array(10))).status).toBe(200)
  })

  it("records whether a part PUT carried credentials or headers of the client's own", async () => {
    const upload = await init(2 * PART)
    await put(upload.presigned_urls["1"]!, new Uint8Array(PART))
    await put(upload.presigned_urls["2"]!, new Uint8Array(PART), {
      authorization: "Bearer leaked",
      cookie: "oomol-token=leaked",
      "x-trace": "1"
    })
    expect(emulator.partUploads().map(({ authorization, cookie, nonStandardHeaders, part, status }) => ({
      part,
      status,
      authorization,
      cookie,
      nonStandardHeaders
    }))).toEqual([
      { part: 1, status: 200, authorization: false, cookie: false, nonStandardHeaders: [] },
      { part: 2, status: 200, authorization: true, cookie: true, nonStandardHeaders: ["authorization", "cookie", "x-trace"] }
    ])
  })

  it("refuses a part of the wrong size and a final URL before every part arrived", async () => {
    const upload = await init(3 * PART)
    const tooShort = await put(upload.presigned_urls["1"]!, new Uint8Array(PART - 1))
    expect(tooShort.status).toBe(400)
    expect(await tooShort.text()).toContain(`must be ${PART} bytes, got ${PART - 1}`)
    expect((await put(upload.presigned_urls["1"]!, new Uint8Array(PART + 1))).status).toBe(400)
    await put(upload.presigned_urls["2"]!, new Uint8Array(PART))
    const early = await finish(upload.upload_id)
    expect(early.status).toBe(400)
    expect((early.json as { message: string }).message).toContain("missing part(s) 1, 3")
    expect((await finish("unknown")).status).toBe(404)
  })

  it("validates init and asks credentials of the upload API, not of the store", async () => {
    const bad = await call(`${emulator.uploadBaseUrl}${Api.paths.uploadInit}`, {
      method: "POST",
      body: { file_extension: ".pdf", size: -1 }
    })
    expect(bad.status).toBe(400)
    expect(bad.json).toEqual({ message: "size must be an integer of at least 0" })
    const anonymous = await fetch(`${emulator.uploadBaseUrl}${Api.paths.uploadInit}`, {
      method: "POST",
      body: JSON.stringify({ file_extension: ".pdf", size: 1 })
    })
    expect(anonymous.status).toBe(401)
  })

  it("gives an empty file one empty part and a file without extension its bare name", async () => {
    const answer = await call(`${emulator.uploadBaseUrl}${Api.paths.uploadInit}`, {
      method: "POST",
      body: { file_extension: ".", size: 0, file_name: "README" }
    })
    const upload = decode(Upload.UploadInitResponse, answer).data
    expect(upload.total_parts).toBe(1)
    expect((await put(upload.presigned_urls["1"]!, new Uint8Array())).status).toBe(200)
    const { data } = decode(Upload.UploadUrlResponse, await finish(upload.upload_id))
    expect(data).toMatchObject({ file_name: "README", file_size: 0, mime_type: "application/octet-stream" })
    expect((await (await fetch(data.url)).arrayBuffer()).byteLength).toBe(0)
  })

  it("answers a browser's preflight for a part PUT", async () => {
    const upload = await init(1)
    const answer = await preflight(upload.presigned_urls["1"]!, "http://app.example", "PUT", "content-type")
    expect(answer.status).toBe(204)
    expect(answer.headers.get("access-control-allow-origin")).toBe("http://app.example")
    expect(answer.headers.get("access-control-allow-methods")).toContain("PUT")
    const response = await put(upload.presigned_urls["1"]!, new Uint8Array(1), { origin: "http://app.example" })
    expect(response.headers.get("access-control-expose-headers")).toContain("ETag")
  })

  it("keeps parts in a temp file deleted by reset and by close", async () => {
    const first = await init(PART)
    expect(tempFileOf(first.upload_id)).toBeDefined()
    await emulator.reset()
    expect(tempFileOf(first.upload_id)).toBeUndefined()
    expect((await finish(first.upload_id)).status).toBe(404)
    const second = await init(PART)
    const path = tempFileOf(second.upload_id)!
    await emulator.close()
    expect(existsSync(path)).toBe(false)
  })
})
