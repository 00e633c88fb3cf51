/**
 * How the CLI reaches the service: `--api-key`, `--base-url` and
 * `--upload-base-url`, else `OOMOL_API_KEY`, `OOMOL_BASE_URL` and
 * `OOMOL_UPLOAD_BASE_URL`, turned into the Effect client's layer.
 *
 * The key stays `Redacted` from the command line to the Authorization header:
 * `--verbose` says whether one is set, never what it is.
 *
 * @since 0.1.0
 */
import { Api } from "@oomol-cloud-task/contract"
import { CloudTaskClient, type Errors } from "@oomol-cloud-task/effect"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Flag from "effect/cli/Flag"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import { nonBlank } from "./internal/flags.js"
import * as SafeText from "./SafeText.js"
import * as Stdio from "./Stdio.js"

/**
 * `--api-key`, `--base-url`, `--upload-base-url`.
 *
 * @since 0.1.0
 * @category flags
 */
export const flags = {
  apiKey: Flag.Redacted("api-key").pipe(
    Flag.withMetavar("key"),
    Flag.withDescription("The API key, sent as a Bearer token. Default: OOMOL_API_KEY."),
    nonBlank("api-key", Redacted.value, "to use OOMOL_API_KEY"),
    Flag.optional
  ),
  baseUrl: Flag.String("base-url").pipe(
    Flag.withMetavar("url"),
    Flag.withDescription(`The task API. Default: OOMOL_BASE_URL, else ${Api.DEFAULT_BASE_URL}.`),
    nonBlank("base-url", String, "to use OOMOL_BASE_URL"),
    Flag.optional
  ),
  uploadBaseUrl: Flag.String("upload-base-url").pipe(
    Flag.withMetavar("url"),
    Flag.withDescription(`The upload API. Default: OOMOL_UPLOAD_BASE_URL, else ${Api.DEFAULT_UPLOAD_BASE_URL}.`),
    nonBlank("upload-base-url", String, "to use OOMOL_UPLOAD_BASE_URL"),
    Flag.optional
  )
}

/**
 * The values of {@link flags}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Flags {
  readonly apiKey: Option.Option<Redacted.Redacted<string>>
  readonly baseUrl: Option.Option<string>
  readonly uploadBaseUrl: Option.Option<string>
}

// The flag, else the variable; an empty variable counts as unset, as `OOMOL_API_KEY= cmd` is easy to write.
const flagOrEnv = <A>(flag: Option.Option<A>, config: Config.Config<A>, isEmpty: (a: A) => boolean) =>
  Option.isSome(flag)
    ? Effect.succeed(flag)
    : Effect.map(Effect.orElseSucceed(Config.option(config), () => Option.none<A>()), Option.filter((a) => !isEmpty(a)))

const path = (url: string) => {
  const parsed = new URL(url)
  return SafeText.line(`${parsed.origin}${parsed.pathname}`)
}

const log = (text: string) => Stdio.err(`${text}\n`)

// Method, origin and path only: a presigned URL's signature stays out of the log.
const logRequests = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.transform(client, (response, request) =>
    Effect.gen(function*() {
      const start = yield* Clock.currentTimeMillis
      yield* log(`→ ${request.method} ${path(request.url)}`)
      return yield* response.pipe(
        Effect.tap((res) =>
          Effect.flatMap(Clock.currentTimeMillis, (end) =>
            log(`← ${res.status} ${request.method} ${path(request.url)} (${end - start} ms)`))
        ),
        Effect.tapError(() => log(`← no answer: ${request.method} ${path(request.url)}`))
      )
    }))

/**
 * The client, configured from the flags then the environment. With `verbose`,
 * each request and its answer's status are logged on stderr.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  flags: Flags,
  options: { readonly verbose: boolean }
): Layer.Layer<CloudTaskClient.CloudTaskClient, Errors.InvalidInput> =>
  Layer.unwrap(Effect.gen(function*() {
    const apiKey = yield* flagOrEnv(flags.apiKey, Config.Redacted("OOMOL_API_KEY"), (key) => blank(Redacted.value(key)))
    const baseUrl = yield* flagOrEnv(flags.baseUrl, Config.String("OOMOL_BASE_URL"), blank)
    const uploadBaseUrl = yield* flagOrEnv(flags.uploadBaseUrl, Config.String("OOMOL_UPLOAD_BASE_URL"), blank)
    const clientOptions: CloudTaskClient.Options = {
      apiKey: Option.getOrUndefined(apiKey),
      baseUrl: Option.getOrUndefined(baseUrl),
      uploadBaseUrl: Option.getOrUndefined(uploadBaseUrl)
    }
    if (options.verbose) {
      yield* log(
        `base URL ${SafeText.line(normalized(clientOptions.baseUrl, Api.DEFAULT_BASE_URL))}, upload base URL ${
          SafeText.line(normalized(clientOptions.uploadBaseUrl, Api.DEFAULT_UPLOAD_BASE_URL))
        }, API key ${Option.isSome(apiKey) ? "set (hidden)" : "not set"}`
      )
    }
    const http = options.verbose
      ? Layer.effect(HttpClient.HttpClient, Effect.map(HttpClient.HttpClient, logRequests)).pipe(
        Layer.provide(FetchHttpClient.layer)
      )
      : FetchHttpClient.layer
    return CloudTaskClient.layer(clientOptions).pipe(Layer.provide(http))
  }))

const blank = (text: string) => text.trim() === ""
const normalized = (url: string | undefined, fallback: string) => Api.normalizeBaseUrl(url ?? fallback)
