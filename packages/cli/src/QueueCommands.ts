/**
 * Commands about the user's queue: `dashboard`, `pause` and `resume`.
 *
 * @since 0.1.0
 */
import type { Queue } from "@oomol-cloud-task/contract"
import { CloudTaskClient } from "@oomol-cloud-task/effect"
import * as Effect from "effect/Effect"
import { service } from "./internal/command.js"
import * as Output from "./Output.js"
import * as SafeText from "./SafeText.js"

const pausedText = (pause: Queue.Dashboard["pause"]) =>
  pause.paused ? `yes (by ${pause.type ?? "unknown"}${pause.canResume ? ", you can resume it" : ""})` : "no"

const dashboardText = (dashboard: Queue.Dashboard): string =>
  [
    Output.table(
      [
        { title: "QUEUED", value: (d: Queue.Dashboard) => String(d.count.queued), align: "right" },
        { title: "SCHEDULING", value: (d) => String(d.count.scheduling), align: "right" },
        { title: "SCHEDULED", value: (d) => String(d.count.scheduled), align: "right" },
        { title: "RUNNING", value: (d) => String(d.count.running), align: "right" },
        { title: "MAX CONCURRENCY", value: (d) => String(d.limits.maxConcurrency), align: "right" },
        { title: "MAX QUEUE SIZE", value: (d) => String(d.limits.maxQueueSize), align: "right" }
      ],
      [dashboard],
      ""
    ),
    "",
    Output.fields([["paused", pausedText(dashboard.pause)]])
  ].join("\n")

/**
 * `dashboard`: limits, queue counts and pause state.
 *
 * @since 0.1.0
 * @category commands
 */
export const dashboard = service(
  "dashboard",
  "Print your limits, how many tasks are in each state, and whether the queue is paused.",
  {},
  (values) =>
    Effect.flatMap(
      Effect.flatMap(CloudTaskClient.CloudTaskClient, (client) => client.getDashboard()),
      (answer) => Output.result(values, answer, () => dashboardText(answer))
    )
)

const setPause = (paused: boolean) =>
  service(
    paused ? "pause" : "resume",
    paused
      ? "Pause your queue: queued tasks wait until you resume it (running ones finish)."
      : "Resume your queue.",
    {},
    (values) =>
      Effect.flatMap(
        Effect.flatMap(CloudTaskClient.CloudTaskClient, (client) => client.setTasksPause(paused)),
        (answer) =>
          Output.result(
            values,
            answer,
            () =>
              answer.pauseType === null
                ? "Queue running (not paused)."
                : `Queue paused (by ${SafeText.line(answer.pauseType)}).`
          )
      )
  )

/**
 * `pause`: pauses the user's queue.
 *
 * @since 0.1.0
 * @category commands
 */
export const pause = setPause(true)

/**
 * `resume`: resumes the user's queue.
 *
 * @since 0.1.0
 * @category commands
 */
export const resume = setPause(false)
