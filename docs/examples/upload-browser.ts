// Uploading the file a user picked, in a browser, as with the official SDK: progress
// moves within each part (XMLHttpRequest upload events), and the file is sent from
// disk, never read into memory.
import { OomolTaskClient } from "oomol-cloud-task-sdk"

const client = new OomolTaskClient({ credentials: "include" })
const input = document.querySelector<HTMLInputElement>("input[type=file]")
const bar = document.querySelector("progress")
let cancel = new AbortController()
document.querySelector("#cancel")?.addEventListener("click", () => cancel.abort())

input?.addEventListener("change", async () => {
  const file = input.files?.[0]
  if (file === undefined) return
  cancel = new AbortController()
  const url = await client.uploadFile(file, {
    signal: cancel.signal,
    onProgress: (percent) => {
      if (bar !== null) bar.value = percent // 0..99 while parts go, 100 once the URL is in hand
    }
  })
  console.log(url)
})
