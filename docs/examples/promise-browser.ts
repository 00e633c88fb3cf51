// In a browser signed in to OOMOL: no API key, the session cookie goes with every request.
import { OomolTaskClient } from "oomol-cloud-task-sdk"

const client = new OomolTaskClient({ credentials: "include", defaultHeaders: { "x-client": "my-page" } })

const bar = document.querySelector("progress")
const cancel = new AbortController()
document.querySelector("#cancel")?.addEventListener("click", () => cancel.abort())

const { result } = await client.createAndWait(
  { packageName: "@oomol/my-package", packageVersion: "1.0.0", blockName: "main", inputValues: { text: "hi" } },
  {
    intervalMs: 1000,
    signal: cancel.signal,
    onProgress: (progress) => {
      if (bar !== null) bar.value = progress
    }
  }
)
if (result.status === "success" && result.resultURL !== null) window.open(result.resultURL)
