/**
 * The README's examples, run as a user runs them: environment variables for
 * the key and the base URL, nothing else changed.
 */
import { fileURLToPath } from "node:url"

export const readmeDir = fileURLToPath(new URL("../readme/", import.meta.url))

export const examples = ["quick-start", "create-task", "query-tasks", "pause-resume", "error-handling"] as const
export type Example = (typeof examples)[number]

/** The block the error-handling example waits for: it fails for lack of credit. */
export const outOfCredit = { packageName: "@oomol/out-of-credit", fail: "Insufficient balance" } as const

/** The task ID the README queries; the tests seed the emulator with it. */
export const readmeTaskID = "019234a5-b678-7def-8123-456789abcdef"
