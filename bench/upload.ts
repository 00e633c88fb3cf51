/**
 * Uploads: a 1 GiB file (64 MiB with `--quick`) in os.tmpdir(), uploaded from
 * disk through the Promise facade to the emulator running in a child process
 * of its own, next to a plain concurrent `fetch` PUT loop of the same parts at
 * the same concurrency. The two alternate for a few rounds (the machine may
 * be busy); the figures are the median MB/s of each, their ratio, and the
 * peak RSS of this (the uploading) process during each.
 *
 * Flags: `--size <MiB>`, `--concurrency <n>` (default 4), `--part <MiB>`
 * (the emulator's part size, default 5), `--rounds <n>` (default 3, 5 with
 * `--quick`).
 */
import { Api, Upload } from "@oomol-cloud-task/contract"
import { OomolTaskClient } from "oomol-cloud-task-sdk"
import { randomFillSync } from "node:crypto"
import { open, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fixed, median, type Row, ratio, startEmulator } from "./support.js"

const MiB = 1024 * 1024
const args = process.argv.slice(2)
const flag = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`)
  const value = at === -1 ? undefined : Number(args[at + 1])
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback
}
const concurrency = Math.floor(flag("concurrency", 4))
const partSize = Math.round(flag("part", 5) * MiB)
const apiKey = "bench-key"

/** Writes `size` bytes of random data (an 8 MiB random block, repeated). */
const createFile = async (path: string, size: number) => {
  const block = randomFillSync(Buffer.allocUnsafe(8 * MiB))
  const file = await open(path, "w")
  try {
    for (let at = 0; at < size; at += block.length) await file.write(block, 0, Math.min(block.length, size - at), at)
  } finally {
    await file.close()
  }
}

/** Runs `task` while sampling this process's RSS; answers its result, seconds and peak RSS. */
const measure = async <A>(task: () => Promise<A>) => {
  let peak = process.memoryUsage.rss()
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 10)
  const started = performance.now()
  try {
    const value = await task()
    return { value, seconds: (performance.now() - started) / 1000, peak: Math.max(peak, process.memoryUsage.rss()) }
  } finally {
    clearInterval(sampler)
  }
}

/** The same three steps with nothing but `fetch`: the floor the facade is compared with. */
const plainFetchUpload = async (path: string, size: number, uploadBaseUrl: string): Promise<number> => {
  const headers = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" }
  const init = await fetch(uploadBaseUrl + Api.paths.uploadInit, {
    method: "POST",
    headers,
    body: JSON.stringify({ file_extension: ".bin", size, file_name: "plain" })
  })
  const { data } = (await init.json()) as Upload.UploadInitResponse
  const file = await open(path, "r")
  try {
    let next = 1
    const worker = async () => {
      for (let n = next++; n <= data.total_parts; n = next++) {
        const [start, end] = Upload.partRange(n, data.part_size, size)
        const body = Buffer.allocUnsafe(end - start)
        await file.read(body, 0, body.length, start)
        const answer = await fetch(data.presigned_urls[String(n)]!, {
          method: "PUT",
          headers: { "content-type": "application/octet-stream" },
          body
        })
        await answer.arrayBuffer()
        if (!answer.ok) throw new Error(`part ${n}: ${answer.status}`)
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
  } finally {
    await file.close()
  }
  const url = await fetch(uploadBaseUrl + Api.paths.uploadUrl(data.upload_id), { headers })
  return ((await url.json()) as Upload.UploadUrlResponse).data.file_size
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1)

export interface UploadOptions {
  readonly quick: boolean
  readonly log: (line: string) => void
}

export const run = async ({ log, quick }: UploadOptions): Promise<ReadonlyArray<Row>> => {
  const size = Math.round(flag("size", quick ? 64 : 1024) * MiB)
  const rounds = Math.floor(flag("rounds", quick ? 5 : 3))
  const path = join(tmpdir(), `oomol-upload-bench-${process.pid}.bin`)
  let stopEmulator: (() => Promise<void>) | undefined
  const cleanUp = async () => {
    await stopEmulator?.()
    await rm(path, { force: true })
  }
  const onInterrupt = () => void cleanUp().then(() => process.exit(130))
  process.once("SIGINT", onInterrupt)
  try {
    log(`upload: ${mb(size)} MB (${size / MiB} MiB) in ${tmpdir()}, parts of ${partSize / MiB} MiB, concurrency ${concurrency}`)
    await createFile(path, size)
    const started = await startEmulator({ OOMOL_EMULATOR_API_KEY: apiKey, OOMOL_EMULATOR_PART_SIZE: String(partSize) })
    stopEmulator = started.stop
    const baseline = process.memoryUsage.rss()

    const client = new OomolTaskClient({ apiKey, baseUrl: started.url })
    const facadeUpload = async () => {
      const url = await client.uploadFile(path, { uploadBaseUrl: started.uploadBaseUrl, concurrency })
      const uploaded = await fetch(url)
      await uploaded.body?.cancel()
      return Number(uploaded.headers.get("content-length"))
    }
    const results = { facade: { rates: [] as Array<number>, peak: 0 }, plain: { rates: [] as Array<number>, peak: 0 } }
    for (let round = 1; round <= rounds; round++) {
      for (const [name, upload] of [["facade", facadeUpload], ["plain", () => plainFetchUpload(path, size, started.uploadBaseUrl)]] as const) {
        const run = await measure(upload)
        if (run.value !== size) throw new Error(`${name}: the uploaded file is ${run.value} bytes, not ${size}`)
        results[name].rates.push(size / 1e6 / run.seconds)
        results[name].peak = Math.max(results[name].peak, run.peak)
        // The emulator keeps every upload on disk until told to forget them.
        await fetch(`${started.url}/_emulator/reset`, { method: "POST" })
      }
      log(`upload round ${round}/${rounds}: facade ${results.facade.rates.at(-1)!.toFixed(1)} MB/s, plain fetch ${results.plain.rates.at(-1)!.toFixed(1)} MB/s`)
    }
    await client.dispose()

    const facadeRate = median(results.facade.rates)
    const plainRate = median(results.plain.rates)
    const section = `3. upload of ${size / MiB} MiB from disk (${partSize / MiB} MiB parts, ${concurrency} at a time)`
    return [
      {
        section,
        figure: "facade uploadFile(path): MB/s (c/plain)",
        value: fixed(facadeRate, 1),
        baseline: `${fixed(plainRate, 1)} (plain fetch PUT loop)`,
        ratio: ratio(facadeRate, plainRate),
        target: ""
      },
      {
        section,
        figure: "facade: peak RSS of the uploading process (c/plain)",
        value: `${mb(results.facade.peak)} MB`,
        baseline: `${mb(results.plain.peak)} MB (RSS before: ${mb(baseline)} MB)`,
        ratio: ratio(results.facade.peak, results.plain.peak),
        target: ""
      }
    ]
  } finally {
    process.off("SIGINT", onInterrupt)
    await cleanUp()
  }
}
