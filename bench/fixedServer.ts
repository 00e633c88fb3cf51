/**
 * The server of the request-overhead benchmark, run in a process of its own:
 * answers every request with the same in-progress task result, as fast as
 * `node:http` can, and prints the port it listens on.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

const body = Buffer.from(JSON.stringify({ status: "running", progress: 42 }))
const headers = { "content-type": "application/json", "content-length": String(body.length) }

const server = createServer((request, response) => {
  // Read (and drop) whatever the request carried before answering.
  request.resume()
  request.once("end", () => response.writeHead(200, headers).end(body))
})
server.keepAliveTimeout = 60_000
server.listen(0, "127.0.0.1", () => {
  console.log(`listening on ${(server.address() as AddressInfo).port}`)
})
