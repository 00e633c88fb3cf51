/**
 * Every default of the durable runs, in one place: the public modules
 * document them and read them from here.
 */

/** Waits after a passing fault (a creation not taken, a listing that failed): 1 s doubling, at most 60 s. */
export const retryBaseMillis = 1_000
export const retryCapMillis = 60_000

/** How far the window of an uncertain creation is widened on each side for clock skew. */
export const reconcileMarginMillis = 60_000

/** The workflow name of the default `TaskRuns`. */
export const workflowName = "@oomol-cloud-task/workflow/TaskRun"

/** How often `await` asks for a run it did not start: from 100 ms by 1.5 to at most 2 s. */
export const awaitBaseMillis = 100
export const awaitCapMillis = 2_000

/** How often a creation attempt found cut off looks for its first execution's answer. */
export const settledPollMillis = 500

/** How long a creation attempt tries to record its progress while its storage fails (a database restart). */
export const persistMillis = 120_000
