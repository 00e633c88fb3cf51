/**
 * The upload API: init, a presigned PUT per part, then the final URL.
 *
 * @since 0.1.0
 */
import type * as JsonSchema from "effect/JsonSchema"
import * as Schema from "effect/Schema"

// `Schema.isInt()`, `isGreaterThan(0)` and `isGreaterThanOrEqualTo(0)` as
// plain rules, with the same wording and JSON Schema: Schema's own carry the
// machinery of every order and representation into a browser bundle.
const rule = (test: (n: number) => boolean, expected: string, jsonSchema: JsonSchema.JsonSchema, id?: string) =>
  Schema.makeFilter(test, {
    expected,
    toJsonSchema: () => jsonSchema,
    // What tells a JSON codec that the number is finite.
    ...(id === undefined ? {} : { representation: { id, payload: null } })
  })

const isInt = rule(Number.isSafeInteger, "an integer", {
  type: "integer",
  minimum: Number.MIN_SAFE_INTEGER,
  maximum: Number.MAX_SAFE_INTEGER
}, "effect/schema/isInt")

/**
 * The body of `POST {uploadBase}/init`.
 *
 * @since 0.1.0
 * @category upload
 */
export const UploadInitBody = /* @__PURE__ */ Schema.Struct({
  // (Each call marked pure, so that a bundle that never reads it, as a browser's, drops it.)
  file_extension: /* @__PURE__ */ Schema.String.annotate({
    description: "with its dot, e.g. \".pdf\"; \".\" when the name has none"
  }),
  size: /* @__PURE__ */ Schema.Number.check(
    /* @__PURE__ */ Schema.makeFilter((n: number) => Number.isInteger(n) && n >= 0, {
      message: "size must be an integer of at least 0"
    })
  ),
  file_name: /* @__PURE__ */ Schema.optional(
    /* @__PURE__ */ Schema.String.annotate({ description: "the name without its extension" })
  )
})
/** @since 0.1.0 @category upload */
export type UploadInitBody = typeof UploadInitBody.Type

/**
 * The answer of `init`: how to cut the file and where to put each part
 * (`presigned_urls` is keyed by the 1-based part number).
 *
 * @since 0.1.0
 * @category upload
 */
export const UploadInitResponse = Schema.Struct({
  data: Schema.Struct({
    upload_id: Schema.String,
    part_size: Schema.Number.check(isInt, rule((n) => n > 0, "a value greater than 0", { exclusiveMinimum: 0 })),
    total_parts: Schema.Number.check(isInt, rule((n) => n >= 0, "a value greater than or equal to 0", { minimum: 0 })),
    presigned_urls: Schema.Record(Schema.String, Schema.String)
  })
})
/** @since 0.1.0 @category upload */
export type UploadInitResponse = typeof UploadInitResponse.Type

/**
 * The answer of `GET {uploadBase}/{upload_id}/url`: `url` is where the file
 * can be downloaded.
 *
 * @since 0.1.0
 * @category upload
 */
export const UploadUrlResponse = Schema.Struct({
  data: Schema.Struct({
    url: Schema.String,
    expires_at: Schema.String,
    file_name: Schema.String,
    file_size: Schema.Number,
    mime_type: Schema.String
  })
})
/** @since 0.1.0 @category upload */
export type UploadUrlResponse = typeof UploadUrlResponse.Type

/**
 * Splits a file name into what `init` wants: the extension with its dot and the
 * name without it.
 *
 * @since 0.1.0
 * @category upload
 */
export const splitFileName = (name: string): { readonly extension: string; readonly stem: string } => {
  const base = name.split(/[\\/]/).pop() ?? name
  const dot = base.lastIndexOf(".")
  return dot > 0 ? { extension: base.slice(dot), stem: base.slice(0, dot) } : { extension: ".", stem: base }
}

/**
 * The byte range `[start, end)` of part `n` (1-based).
 *
 * @since 0.1.0
 * @category upload
 */
export const partRange = (n: number, partSize: number, fileSize: number): readonly [number, number] => [
  (n - 1) * partSize,
  Math.min(n * partSize, fileSize)
]
