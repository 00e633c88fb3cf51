/**
 * One process at a time per directory: PGlite is a single Postgres backend
 * writing its files directly, and two processes writing the same files would
 * ruin them. The lock is a file holding the owner's PID; a lock whose process
 * is gone (killed, crashed) is taken over.
 */
import * as Effect from "effect/Effect"
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs"

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

const tryTake = (path: string): number | undefined => {
  try {
    const fd = openSync(path, "wx")
    writeSync(fd, String(process.pid))
    closeSync(fd)
    return undefined
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
    const owner = Number(readFileSync(path, "utf8").trim())
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) return owner
    rmSync(path, { force: true })
    return tryTake(path)
  }
}

/** Holds the lock at `path` for the scope, or fails with the PID of the process holding it. */
export const hold = (path: string) =>
  Effect.acquireRelease(
    Effect.suspend(() => {
      const owner = tryTake(path)
      return owner === undefined ? Effect.void : Effect.fail(owner)
    }),
    () => Effect.sync(() => rmSync(path, { force: true }))
  )
