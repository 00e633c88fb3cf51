#!/usr/bin/env node
/**
 * The `oomol-task` executable.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Cli from "./Cli.js"
import { ExitCode } from "./Failures.js"

Cli.run(process.argv).pipe(
  Effect.provide(NodeServices.layer),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    teardown: (exit, onExit) =>
      onExit(
        Exit.isSuccess(exit)
          ? exit.value as number
          : Cause.hasInterruptsOnly(exit.cause)
          ? ExitCode.interrupted
          : ExitCode.taskFailed
      )
  })
)
