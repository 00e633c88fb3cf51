// Uploading a file from disk in Node with the Promise client: read part by part, so a
// file of any size costs about `concurrency × part size` of memory.
import { OomolTaskClient, UploadError } from "oomol-cloud-task-sdk"

const client = new OomolTaskClient({ apiKey: process.env.OOMOL_API_KEY })

// Ctrl-C stops every part in flight at once.
const cancel = new AbortController()
process.once("SIGINT", () => cancel.abort())

try {
  const url = await client.uploadFile(process.argv[2] ?? "./report.pdf", {
    concurrency: 4,
    retries: 3,
    signal: cancel.signal,
    onProgress: (percent) => process.stderr.write(`\ruploading ${percent}%`)
  })
  console.log(`\n${url}`) // downloadable for a day
} catch (error) {
  if (error instanceof UploadError) {
    // INIT_UPLOAD_FAILED, UPLOAD_FAILED (a path that cannot be read: its cause is Node's own
    // error, ENOENT, EACCES, …), RETRY_EXHAUSTED, UPLOAD_CANCELLED, …
    console.error(`\n${error.code} ${error.statusCode ?? ""} ${error.message}`)
  } else {
    throw error
  }
} finally {
  await client.dispose()
}
