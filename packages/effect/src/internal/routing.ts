/**
 * How a client's requests go through the `HttpClient` it is given: fetch's
 * `RequestInit` (credentials, redirects), the header values hidden wherever a
 * request is printed, and no span or trace header of the client's own.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { constTrue } from "effect/Function"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Headers from "effect/http/Headers"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import { hidingValues } from "./requestSettings.js"

/** How a client's requests go through an `HttpClient`. */
export interface Routing {
  /** The fetch `credentials` mode. */
  readonly credentials: "omit" | "same-origin" | "include"
  /**
   * Whether fetch may follow a redirect. Not for the APIs: fetch would carry
   * the default headers to wherever `Location` points, so a 3xx is answered
   * as it came (an `ApiError`).
   */
  readonly followRedirects: boolean
  /** Headers of a caller's `FetchHttpClient.RequestInit` are meant for the APIs: a presigned PUT drops them. */
  readonly fetchHeaders: "keep" | "drop"
  /**
   * Header names whose values are hidden, beyond the platform's own, wherever
   * a request is printed (a span, a log line, an error, an inspection), on the
   * client's fibers or not.
   */
  readonly hiddenHeaders: ReadonlyArray<string>
}

/** A client as requests go through it: its requests mapped, and what their context gets. */
export interface Routed {
  readonly client: HttpClient.HttpClient
  /**
   * A request's context from the one it is sent in, for `Request.sender` to set
   * with its own in one update (an update costs a request as much as its decode).
   */
  readonly context: (context: Context.Context<never>) => Context.Context<never>
}

/**
 * `client` as the client sends through it, configured once. It makes no span
 * and sends no trace header of its own: the endpoint's span says what a
 * request was for, an HTTP span per request would double the cost of
 * tracing, and trace headers make every browser request preflighted. The
 * fetch client reads its `RequestInit` from the context at request time;
 * other clients ignore it (and follow no redirect).
 */
export const route = (client: HttpClient.HttpClient, routing: Routing): Routed => {
  const ours: RequestInit = {
    credentials: routing.credentials,
    ...(routing.followRedirects ? {} : { redirect: "manual" })
  }
  const hidden = routing.hiddenHeaders.map((name) => name.toLowerCase())
  const hide = hidingValues(hidden)
  return {
    // The request as the transport gets it, after every mapping made on the
    // returned client (a mapping copies the headers, and their hiding with them).
    client: hidden.length === 0
      ? client
      : HttpClient.makeWith(
        (request) => client.postprocess(Effect.map(request, HttpClientRequest.updateHeaders(hide))),
        client.preprocess
      ),
    context: (context) => {
      const given = Context.getOrUndefined(context, FetchHttpClient.RequestInit)
      const kept = routing.fetchHeaders === "drop" && given?.headers !== undefined
        ? (({ headers: _, ...rest }) => rest)(given)
        : given
      let updated = Context.add(context, FetchHttpClient.RequestInit, { ...kept, ...ours })
      updated = Context.add(updated, HttpClient.TracerDisabledWhen, constTrue)
      updated = Context.add(updated, HttpClient.TracerPropagationEnabled, false)
      return hidden.length === 0
        ? updated
        : Context.add(updated, Headers.CurrentRedactedNames, [...Context.get(context, Headers.CurrentRedactedNames), ...hidden])
    }
  }
}
