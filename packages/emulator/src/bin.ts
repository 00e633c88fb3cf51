#!/usr/bin/env node
/**
 * `node dist/bin.js`: the emulator on `$PORT` (or a free port) until SIGINT or
 * SIGTERM, which stop it cleanly with exit code 0.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import * as Runtime from "effect/Runtime"
import * as Main from "./Main.js"

// A signal is how the emulator is meant to stop, not a failure: exit 0 (Effect's
// default answers an interrupted program with 130).
const teardown: Runtime.Teardown = (exit, onExit) =>
  Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause) ? onExit(0) : Runtime.defaultTeardown(exit, onExit)

NodeRuntime.runMain(Main.run(Main.optionsFromEnv()), { teardown })
