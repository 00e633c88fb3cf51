/**
 * The upload API's two JSON steps, as `Upload` needs them of a client.
 */
import * as Api from "@oomol-cloud-task/contract/Api"
import * as Wire from "@oomol-cloud-task/contract/Upload"
import type { UploadApi } from "../Upload.js"
import * as Request from "./request.js"
import type { PartSender } from "./uploadSenders.js"

const decodeInit = Request.decoder(Wire.UploadInitResponse)
const decodeUrl = Request.decoder(Wire.UploadUrlResponse)

/**
 * What `Upload.make` needs, over `api` (whose requests carry full URLs: each
 * upload may name its own upload API). A second `init` leaves only an unused
 * upload behind, so both steps are retried like a GET.
 */
export const make = (api: Request.Api, uploadBaseUrl: string, partSender: PartSender): UploadApi => ({
  uploadBaseUrl,
  partSender,
  init: (base, body) => api.idempotent(api.post(base + Api.paths.uploadInit, JSON.stringify(body), decodeInit)),
  fileUrl: (base, uploadID) => api.get(base + Api.paths.uploadUrl(uploadID), decodeUrl)
})
