/**
 * Every default of the client, in one place: the public modules document them
 * and read them from here.
 */
import * as Config from "effect/Config"
import type * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/** How long one request may take, sending to the last byte of its answer. */
export const requestTimeout: Duration.Input = "30 seconds"

/** The largest task creation body, in bytes (8 MiB). */
export const maxInputBytes = 8 * 1024 * 1024

/** The largest answer body read, in bytes (16 MiB): a larger one is refused, never read into memory. */
export const maxResponseBytes = 16 * 1024 * 1024

/** Polling: the official defaults, exponential from 3 s by 1.5, capped at 3 s. */
export const pollBase: Duration.Input = "3 seconds"
export const pollCap: Duration.Input = "3 seconds"
export const pollFactor = 1.5

/** Tasks `awaitAll` waits for at once. */
export const awaitConcurrency = 16

/** Retries of a failed request: tries after the first, first wait (doubled), longest wait, longest `Retry-After` honoured. */
export const retryTimes = 3
export const retryBase: Duration.Input = "500 millis"
export const retryCap: Duration.Input = "10 seconds"
export const maxRetryAfter: Duration.Input = "60 seconds"

/** Uploads: parts in flight, tries of each part, the longest wait between tries, and how long one try may take. */
export const uploadConcurrency = 4
export const partAttempts = 3
export const partRetryBase: Duration.Input = "1 second"
export const partRetryCap: Duration.Input = "30 seconds"
export const partTimeout: Duration.Input = "10 minutes"

/** A timer waits at most 2^31 - 1 ms (about 24.8 days); past it, it would fire at once. */
export const maxTimerMillis = 2 ** 31 - 1

// A variable set to blank text counts as unset, as a shell's `VAR=` means.
const optionalText = (name: string): Config.Config<string | undefined> =>
  Config.map(Config.option(Config.String(name)), (value) => Option.getOrUndefined(Option.filter(value, (v) => v.trim() !== "")))

/**
 * Where `layerConfig` reads an option no `Config` was given for (made on
 * demand: a program that never reads `Config` bundles none of it). The key is
 * required: missing or blank, the layer fails naming the variable, before
 * anything is sent.
 */
export const configs = (): Readonly<Record<string, Config.Config<unknown>>> => ({
  apiKey: Config.schema(
    Schema.Redacted(Schema.String.check(Schema.makeFilter((key: string) => key.trim() !== "", { message: "Expected a key, got blank text" }))),
    "OOMOL_API_KEY"
  ),
  baseUrl: optionalText("OOMOL_BASE_URL"),
  uploadBaseUrl: optionalText("OOMOL_UPLOAD_BASE_URL")
})
