/**
 * `oomol-cloud-task-sdk`: the Promise client of OOMOL Cloud Task API v3, a
 * drop-in for the official SDK 1.1.0, built on the Effect client.
 *
 * @since 0.1.0
 */
import { Engine } from "./internal/engine.js"
import { useEngine } from "./internal/loader.js"

// Bundled here: a browser loads one file, and a user's bundler sees it all.
useEngine(() => Promise.resolve({ Engine }))

/** @since 0.1.0 */
export * from "./Errors.js"
/** @since 0.1.0 */
export * from "./OomolTaskClient.js"
/** @since 0.1.0 */
export * from "./Options.js"
export * from "./Types.js"
