/**
 * The queue endpoints: the dashboard, pause and resume.
 */
import * as Api from "@oomol-cloud-task/contract/Api"
import * as Queue from "@oomol-cloud-task/contract/Queue"
import type { Service } from "../CloudTaskClient.js"
import * as Request from "./request.js"

const decodeDashboard = Request.decoder(Queue.Dashboard)
const decodePause = Request.decoder(Queue.PauseResponse)

/** The queue endpoints over `api`. */
export const make = (
  api: Request.Api
): Pick<Service, "getDashboard" | "setTasksPause" | "pauseUserQueue" | "resumeUserQueue"> => {
  const getDashboard: Service["getDashboard"] = () =>
    api.get(Api.paths.dashboard, decodeDashboard).pipe(Request.traced("getDashboard"))

  // Pausing twice leaves the queue paused: safe to send again.
  const setTasksPause: Service["setTasksPause"] = (paused) =>
    api.idempotent(api.post(paused ? Api.paths.pause : Api.paths.resume, "{}", decodePause)).pipe(
      Request.traced(paused ? "pauseUserQueue" : "resumeUserQueue")
    )

  return {
    getDashboard,
    setTasksPause,
    pauseUserQueue: () => setTasksPause(true),
    resumeUserQueue: () => setTasksPause(false)
  }
}
