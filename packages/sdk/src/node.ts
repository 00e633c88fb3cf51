/**
 * The Node entry point: everything of the main one, requests sent with undici
 * directly rather than through `fetch` (unless the client is given a `fetch`),
 * and `uploadFile` also takes a file path, read from disk part by part.
 * Package managers pick it by the `node` export condition; browsers get the
 * main entry, free of `node:fs` and undici.
 *
 * @since 0.1.0
 */
import { useEngine } from "./internal/loader.js"

// In a chunk of its own (as undici and `node:fs` are in theirs): loaded by the
// first client created, not by an `import` of the package.
useEngine(() => import("./internal/nodeEngine.js"))

/** @since 0.1.0 */
export * from "./Errors.js"
/** @since 0.1.0 */
export * from "./OomolTaskClient.js"
/** @since 0.1.0 */
export * from "./Options.js"
export * from "./Types.js"
