/**
 * How a facade client gets its engine (`engine.ts`: the Effect client and all
 * of Effect under it), as the entry point says. The main entry point bundles
 * it, so a browser gets one file; the Node entry point loads its own
 * (`nodeEngine.ts`: undici, and file paths to upload) from a chunk, when the
 * first client is created, so an `import` of the package parses and runs none
 * of it.
 *
 * This module, like `OomolTaskClient.ts` and `Errors.ts`, imports no value
 * from Effect, the Effect client or the contract.
 */
import type { Engine } from "./engine.js"

/** What an engine module gives. */
export interface EngineModule {
  readonly Engine: typeof Engine
}

// No default: an `import()` here would make every bundler wrap the engine's
// modules for lazy evaluation, even where an entry point bundles them.
let load: (() => Promise<EngineModule>) | undefined
let loaded: Promise<EngineModule> | undefined

/** Makes `loader` the way clients get their engine: called once by each entry point. */
export const useEngine = (loader: () => Promise<EngineModule>): void => {
  load = loader
}

/** The engine module, loaded on the first call. */
export const engine = (): Promise<EngineModule> =>
  (loaded ??= load === undefined
    ? Promise.reject(new Error("oomol-cloud-task-sdk: import the package by its name, not one of its modules"))
    : load())
