/** The upload API (init, final URL) and the object store (part PUTs, downloads). */
import { Upload } from "@oomol-cloud-task/contract"
import * as Effect from "effect/Effect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import type { UploadFailure } from "../Uploads.js"
import type { Engine } from "./engine.js"
import { authenticate, decodeBody, encode, jsonError, originOf, searchParams } from "./http.js"

const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

/** The object store answers errors as S3 does: XML. */
const storeError = (failure: UploadFailure) =>
  HttpServerResponse.text(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${failure.code}</Code><Message>${
      escapeXml(failure.message)
    }</Message></Error>`,
    { status: failure.status, contentType: "application/xml" }
  )

const apiError = (failure: UploadFailure) => jsonError(failure.status, failure.message)

export const make = (engine: Engine) => {
  const { uploads } = engine
  const request = HttpServerRequest.HttpServerRequest
  const authorized = Effect.flatMap(request, (req) => authenticate(req, engine.options))
  return {
    uploadInit: Effect.gen(function*() {
      yield* authorized
      const req = yield* request
      const body = yield* decodeBody(Upload.UploadInitBody)
      const answer = yield* Effect.mapError(uploads.init(body, originOf(req, engine.baseUrl), engine.now()), apiError)
      return yield* encode(Upload.UploadInitResponse, answer)
    }),

    uploadPart: Effect.gen(function*() {
      const req = yield* request
      const { part, uploadID } = yield* HttpRouter.params
      const written = yield* Effect.mapError(
        uploads.putPart({
          uploadID: uploadID ?? "",
          part: part ?? "",
          query: searchParams(req),
          headers: req.headers,
          body: req.stream,
          now: engine.now()
        }),
        storeError
      )
      return HttpServerResponse.empty({ status: 200, headers: { etag: written.etag } })
    }),

    uploadUrl: Effect.gen(function*() {
      yield* authorized
      const req = yield* request
      const { uploadID } = yield* HttpRouter.params
      const answer = yield* Effect.mapError(
        uploads.finish(uploadID ?? "", originOf(req, engine.baseUrl), engine.now()),
        apiError
      )
      return yield* encode(Upload.UploadUrlResponse, answer)
    }),

    download: Effect.gen(function*() {
      const { fileName, uploadID } = yield* HttpRouter.params
      const file = yield* Effect.mapError(uploads.download(uploadID ?? "", fileName ?? "", engine.now()), storeError)
      return HttpServerResponse.stream(file.stream, { contentType: file.mimeType, contentLength: file.size })
    })
  }
}
