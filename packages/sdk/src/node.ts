/**
 * The Node entry point: everything of the main one, requests sent with undici
 * directly rather than through `fetch` (unless the client is given a `fetch`),
 * and `uploadFile` also takes a file path, read from disk part by part.
 * Package managers pick it by the `node` export condition; browsers get the
 * main entry, free of `node:fs` and undici.
 *
 * @since 0.1.0
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeTransport from "./internal/nodeTransport.js"
import { provideNative } from "./internal/transport.js"
import { provideFileSystem } from "./internal/upload.js"

provideFileSystem(NodeFileSystem.layer)
provideNative(NodeTransport.layer)

/** @since 0.1.0 */
export * from "./index.js"
