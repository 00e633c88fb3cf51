/**
 * A tracer that keeps every span it starts, to inspect names and attributes.
 */
import { Option, Tracer } from "effect"
import type { Exit } from "effect"

export interface Recorded {
  readonly name: string
  readonly attributes: Map<string, unknown>
  readonly events: Array<{ readonly name: string; readonly attributes?: Record<string, unknown> }>
  exit?: Exit.Exit<unknown, unknown>
}

export const recordingTracer = () => {
  const spans: Array<Recorded> = []
  let next = 0
  const tracer = Tracer.make({
    span({ annotations, kind, links, name, parent, startTime }) {
      const recorded: Recorded = { name, attributes: new Map(), events: [] }
      spans.push(recorded)
      const spanId = `span${next++}`
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId,
        traceId: Option.match(parent, { onNone: () => spanId, onSome: (p) => p.traceId }),
        parent,
        annotations,
        status: { _tag: "Started", startTime },
        attributes: recorded.attributes,
        links: [...links],
        sampled: true,
        kind,
        end: (_endTime, exit) => {
          recorded.exit = exit
        },
        attribute: (key, value) => {
          recorded.attributes.set(key, value)
        },
        event: (eventName, _time, attributes) => {
          recorded.events.push({ name: eventName, ...(attributes === undefined ? {} : { attributes }) })
        },
        addLinks: () => {}
      }
      return span
    }
  })
  return { spans, tracer }
}
