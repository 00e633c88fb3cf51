/**
 * The client's construction: the `HttpClient` configured once for the two
 * APIs, and the endpoints built on it (see `CloudTaskClient.make`).
 */
import * as Api from "@oomol-cloud-task/contract/Api"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Redacted from "effect/Redacted"
import type { Options, Service } from "../CloudTaskClient.js"
import type { InvalidInput } from "../Errors.js"
import * as Retry from "../Retry.js"
import * as Upload from "../Upload.js"
import * as Defaults from "./defaults.js"
import { httpUrl } from "./input.js"
import * as Logs_ from "./logs.js"
import * as Queue_ from "./queue.js"
import * as Request from "./request.js"
import * as RequestSettings from "./requestSettings.js"
import * as Routing from "./routing.js"
import * as Tasks from "./tasks.js"
import * as Uploads from "./uploads.js"
import { httpPartSender } from "./uploadSenders.js"
import * as Waiting from "./waiting.js"

/** Builds the service on the `HttpClient` in context. */
export const make = (options: Options): Effect.Effect<Service, InvalidInput, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const baseUrl = yield* httpUrl("baseUrl", options.baseUrl ?? Api.DEFAULT_BASE_URL)
    const uploadBaseUrl = yield* httpUrl("uploadBaseUrl", options.uploadBaseUrl ?? Api.DEFAULT_UPLOAD_BASE_URL)
    const http = yield* HttpClient.HttpClient
    // (Not Effect.serviceOption, which no other browser code needs.)
    const parts = Context.getOrUndefined(yield* Effect.context<never>(), Upload.PartClient) ?? http
    // Trimmed as fetch trims a header value; one no transport can send is refused here.
    const { apiKey, credentials, defaultHeaders, maxResponseBytes } = yield* RequestSettings.checked(options)
    // Every request's headers, set by one mapping: each mapping copies the request.
    const withDefaults = HttpClientRequest.setHeaders(HttpClientRequest.get(""), defaultHeaders)
    const { headers } = HttpClientRequest.acceptJson(
      // After the default headers: the key replaces an Authorization among them.
      // (`HttpClientRequest.bearerToken`'s header, which no other browser code sets.)
      apiKey === undefined ? withDefaults : HttpClientRequest.setHeader(withDefaults, "Authorization", `Bearer ${Redacted.value(apiKey)}`)
    )
    const routed = Routing.route(http, {
      credentials,
      followRedirects: false,
      fetchHeaders: "keep",
      hiddenHeaders: Object.keys(defaultHeaders)
    })
    const withHeaders = HttpClientRequest.setHeaders(headers)
    const sending = { timeout: Request.timeoutOf(options.requestTimeout), maxResponseBytes, context: routed.context }
    const retry = options.retry ?? Retry.defaultPolicy
    // One mapping per API, as each step of a mapping is another request per request.
    const taskApi = Request.api(
      Request.sender(HttpClient.mapRequest(routed.client, (request) => HttpClientRequest.prependUrl(withHeaders(request), baseUrl)), sending),
      retry
    )
    // Upload requests carry full URLs: an upload may name its own upload API.
    const uploadApi = Request.api(Request.sender(HttpClient.mapRequest(routed.client, withHeaders), sending), retry)
    const { resultOf, statusOf, ...tasks } = Tasks.make(taskApi, options.maxInputBytes ?? Defaults.maxInputBytes)
    return {
      ...tasks,
      ...Queue_.make(taskApi),
      ...Logs_.make(taskApi, { statusOf }),
      ...Waiting.make({ createTask: tasks.createTask, resultOf }),
      ...Upload.make(Uploads.make(uploadApi, uploadBaseUrl, httpPartSender(parts)))
    } satisfies Service
  })
