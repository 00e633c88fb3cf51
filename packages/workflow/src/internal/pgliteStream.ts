/**
 * A PostgreSQL wire-protocol connection to a PGlite database in this process,
 * for `@effect/sql-pg`'s `stream` option: the driver writes frontend messages,
 * PGlite answers them. No socket, no port, no server.
 */
import type { PGlite } from "@electric-sql/pglite"
import { Duplex } from "node:stream"

// Messages without a type byte: their second word says what they are.
const PROTOCOL_3 = 196_608
const SSL_REQUEST = 80_877_103
const CANCEL_REQUEST = 80_877_102
const TERMINATE = 0x58 // "X"

/** Splits complete frontend messages off the front of `buffer`. */
const split = (buffer: Buffer): { readonly messages: Array<Buffer>; readonly rest: Buffer } => {
  const messages: Array<Buffer> = []
  let rest = buffer
  for (;;) {
    if (rest.length < 5) break
    const word = rest.length >= 8 ? rest.readInt32BE(4) : -1
    const untyped = word === PROTOCOL_3 || word === SSL_REQUEST || word === CANCEL_REQUEST
    const size = untyped ? rest.readInt32BE(0) : 1 + rest.readInt32BE(1)
    if (size < 4 || rest.length < size) break
    messages.push(rest.subarray(0, size))
    rest = rest.subarray(size)
  }
  return { messages, rest }
}

// PGlite is one backend session: every connection's messages go through one
// queue per database, one at a time.
const queues = new WeakMap<PGlite, { tail: Promise<unknown> }>()

const enqueue = (db: PGlite, task: () => Promise<unknown>): Promise<unknown> => {
  let queue = queues.get(db)
  if (queue === undefined) queues.set(db, queue = { tail: Promise.resolve() })
  const next = queue.tail.then(task)
  queue.tail = next.catch(() => undefined)
  return next
}

/**
 * A factory of connections to `db`. Each new connection starts on a clean
 * session: a transaction left open and statements prepared by a connection
 * that went away are discarded first (the session outlives connections).
 */
export const connect = (db: PGlite) => (): Duplex => {
  let buffer: Buffer = Buffer.alloc(0)
  let started = false
  const stream: Duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      const { messages, rest } = split(buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]))
      buffer = rest
      let last: Promise<unknown> = Promise.resolve()
      for (const message of messages) {
        const word = message.length >= 8 ? message.readInt32BE(4) : -1
        if (message.length === 8 && word === SSL_REQUEST) {
          // No TLS in process.
          stream.push(Buffer.from("N"))
          continue
        }
        if (message.length === 16 && word === CANCEL_REQUEST) {
          // A statement cannot be cut off inside PGlite; the driver waits for it.
          stream.push(null)
          continue
        }
        if (message[0] === TERMINATE && message.length === 5) {
          stream.push(null)
          continue
        }
        const bytes = new Uint8Array(message)
        const fresh = !started && word === PROTOCOL_3
        if (fresh) started = true
        last = enqueue(db, async () => {
          if (fresh) {
            if (db.isInTransaction()) await db.exec("ROLLBACK")
            await db.exec("DISCARD ALL")
          }
          await db.runExclusive(() =>
            db.execProtocolRawStream(bytes, {
              onRawData: (data) => {
                if (data.length > 0) stream.push(Buffer.from(data))
              }
            })
          )
        })
      }
      last.then(() => callback(), (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))))
    },
    final(callback) {
      stream.push(null)
      callback()
    }
  })
  return stream
}
