/**
 * The Node entry point: everything of the main one, and `uploadFile` also
 * takes a file path, read from disk part by part. Package managers pick it by
 * the `node` export condition; browsers get the main entry, free of `node:fs`.
 *
 * @since 0.1.0
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { provideFileSystem } from "./internal/upload.js"

provideFileSystem(NodeFileSystem.layer)

/** @since 0.1.0 */
export * from "./index.js"
