#!/usr/bin/env node
/**
 * `node dist/bin.js`: the emulator on `$PORT` (or a free port) until SIGINT or
 * SIGTERM, which stop it cleanly with exit code 0.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Main from "./Main.js"

NodeRuntime.runMain(Main.run(Main.optionsFromEnv()))
