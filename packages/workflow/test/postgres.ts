/**
 * A PostgreSQL server of the test's own: Debian's `postgresql` binaries,
 * a fresh cluster in a temp folder, listening on a free loopback port, run
 * as the `postgres` user when the tests run as root (Postgres refuses root).
 */
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"

const run = promisify(execFile)

const binary = (name: string): string => {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir !== "" && existsSync(join(dir, name))) return join(dir, name)
  }
  const versions = existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").sort().reverse() : []
  for (const version of versions) {
    const path = join("/usr/lib/postgresql", version, "bin", name)
    if (existsSync(path)) return path
  }
  throw new Error(`${name} not found: the scale-out tests need PostgreSQL (Debian: apt-get install -y postgresql)`)
}

/** A port free on loopback now (the kernel picks it). */
export const freePort = async (): Promise<number> => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return typeof address === "object" && address !== null ? address.port : 0
}

const asRoot = process.getuid?.() === 0

/** `command args…`, as the `postgres` user when this process is root. */
const pg = (command: string, args: ReadonlyArray<string>) =>
  asRoot ? run("runuser", ["-u", "postgres", "--", command, ...args]) : run(command, args)

/** A running server. */
export interface Postgres {
  readonly url: string
  readonly port: number
  /** Stops the server (fast: connections are cut) and starts it again on the same port. */
  readonly restart: () => Promise<void>
  /** Stops it and removes its files. */
  readonly stop: () => Promise<void>
}

export const startPostgres = async (): Promise<Postgres> => {
  const initdb = binary("initdb")
  const pgCtl = binary("pg_ctl")
  const dir = mkdtempSync(join(tmpdir(), "oomol-workflow-pg-"))
  if (asRoot) await run("chown", ["postgres:postgres", dir])
  const data = join(dir, "data")
  await pg(initdb, ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
  const port = await freePort()
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses=127.0.0.1",
    "-c max_connections=300",
    // A test server: nothing needs to survive the machine crashing.
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off"
  ].join(" ")
  const start = () => pg(pgCtl, ["-D", data, "-l", join(dir, "log"), "-o", options, "-w", "-t", "60", "start"])
  const stopNow = (mode: "fast" | "immediate") => pg(pgCtl, ["-D", data, "-m", mode, "-w", "-t", "60", "stop"])
  await start()
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    restart: async () => {
      await stopNow("fast")
      await start()
    },
    stop: async () => {
      await stopNow("immediate").catch(() => undefined)
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
