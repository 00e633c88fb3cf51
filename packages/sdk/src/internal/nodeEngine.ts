/**
 * The engine in Node: requests sent with undici directly (unless a client is
 * given a `fetch`), and file paths uploaded, read from disk part by part.
 */
import * as Upload from "@oomol-cloud-task/effect/Upload"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as NodeTransport from "./nodeTransport.js"
import { provideNative } from "./transport.js"
import { providePaths } from "./upload.js"

providePaths({
  source: Upload.fromPath,
  // Loaded on the first path uploaded: `node:fs`, `node:crypto` and the rest
  // are not worth loading for clients that never read a file.
  fileSystem: Layer.unwrap(
    Effect.map(Effect.promise(() => import("@effect/platform-node/NodeFileSystem")), (NodeFileSystem) => NodeFileSystem.layer)
  )
})
// undici 8 needs Node 22.19 or later (it builds on zlib's zstd, absent from
// Node 20): an older Node sends with its own fetch, as browsers do.
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number)
if (major > 22 || (major === 22 && minor >= 19)) provideNative(NodeTransport.layer)

export { Engine } from "./engine.js"
