/**
 * How command-line text becomes values, and failures become exit codes.
 */
import { Errors } from "@oomol-cloud-task/effect"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Option, Result } from "effect"
import { splitFlagValues } from "../src/Cli.js"
import { describe as describeFailure, ExitCode } from "../src/Failures.js"
import { parseInput, parsePackageSpec, request } from "../src/Inputs.js"
import { parseDuration } from "../src/Waiting.js"

describe("--input key=value", () => {
  it("reads JSON values as JSON and anything else as text", () => {
    expect(parseInput("n=3")).toEqual(Result.succeed(["n", 3]))
    expect(parseInput("s=hello")).toEqual(Result.succeed(["s", "hello"]))
    expect(parseInput("o={\"a\":1}")).toEqual(Result.succeed(["o", { a: 1 }]))
    expect(parseInput("b=false")).toEqual(Result.succeed(["b", false]))
    expect(parseInput("z=null")).toEqual(Result.succeed(["z", null]))
    expect(parseInput("q=\"3\"")).toEqual(Result.succeed(["q", "3"]))
    expect(parseInput("eq=a=b")).toEqual(Result.succeed(["eq", "a=b"]))
    expect(parseInput("empty=")).toEqual(Result.succeed(["empty", ""]))
    expect(parseInput("broken={\"a\":")).toEqual(Result.succeed(["broken", "{\"a\":"]))
  })

  it("needs a key and an =", () => {
    expect(Result.isFailure(parseInput("novalue"))).toBe(true)
    expect(Result.isFailure(parseInput("=3"))).toBe(true)
  })

  it("--input values go over the file's, and no inputs means no inputValues", () => {
    const base = { spec: { packageName: "@a/b", packageVersion: "1" }, block: "main" }
    expect(request({ ...base, input: [["b", 3]], inputFile: Option.some({ a: 1, b: 2 }) })).toEqual({
      packageName: "@a/b",
      packageVersion: "1",
      blockName: "main",
      inputValues: { a: 1, b: 3 }
    })
    expect(request({ ...base, input: [], inputFile: Option.none() })).not.toHaveProperty("inputValues")
    expect(request({ ...base, input: [], inputFile: Option.some({}) })).toHaveProperty("inputValues", {})
  })
})

describe("<package>@<version>", () => {
  it("splits at the last @, so scoped names keep theirs", () => {
    expect(parsePackageSpec("@oomol/my-package@1.0.0")).toEqual(
      Result.succeed({ packageName: "@oomol/my-package", packageVersion: "1.0.0" })
    )
    expect(parsePackageSpec("plain@2.1.0-beta.1")).toEqual(Result.succeed({ packageName: "plain", packageVersion: "2.1.0-beta.1" }))
  })

  it("needs both a name and a version", () => {
    for (const text of ["@oomol/my-package", "pkg", "pkg@", "@1.0.0", "@@1"]) {
      expect(Result.isFailure(parsePackageSpec(text)), text).toBe(true)
    }
  })
})

describe("durations", () => {
  it("reads units and plain milliseconds", () => {
    const ms = (text: string) => Option.getOrUndefined(Option.map(Option.fromNullishOr(parseDuration(text)), Duration.toMillis))
    expect(ms("30s")).toBe(30_000)
    expect(ms("10m")).toBe(600_000)
    expect(ms("1h")).toBe(3_600_000)
    expect(ms("1.5s")).toBe(1_500)
    expect(ms("250ms")).toBe(250)
    expect(ms("1500")).toBe(1_500)
    expect(ms("2d")).toBe(172_800_000)
  })

  it("refuses what is not a duration above zero", () => {
    for (const text of ["", "soon", "0", "0s", "-5s", "5 parsecs", "1e3"]) expect(parseDuration(text), text).toBeUndefined()
  })
})

describe("--flag=value", () => {
  it("becomes two arguments, up to a --", () => {
    expect(splitFlagValues(["run", "--input=a=b", "--json", "-i", "x=1", "--", "--input=c"])).toEqual([
      "run",
      "--input",
      "a=b",
      "--json",
      "-i",
      "x=1",
      "--",
      "--input=c"
    ])
  })
})

describe("exit codes", () => {
  it("1 for a task that failed or timed out, 2 for usage, 3 for the service and the way to it", () => {
    const cases: ReadonlyArray<readonly [unknown, number]> = [
      [Errors.TaskFailed.fromResult("t", { error: "boom" }), ExitCode.taskFailed],
      [Errors.PollTimeout.after("t", Duration.minutes(1), undefined), ExitCode.taskFailed],
      [new Errors.InvalidInput({ message: "size must be an integer between 1 and 100" }), ExitCode.usage],
      [new Errors.ApiError({ status: 401, body: undefined, message: "Request failed: 401" }), ExitCode.service],
      [new Errors.ApiError({ status: 404, body: undefined, message: "Request failed: 404" }), ExitCode.service],
      [new Errors.ApiError({ status: 503, body: undefined, message: "Request failed: 503" }), ExitCode.service],
      [new Errors.NetworkError({ message: "GET / failed: refused", requestSent: false }), ExitCode.service],
      [new Errors.MalformedResponse({ message: "bad body", status: 200, body: "x" }), ExitCode.service],
      [new Errors.TaskMayExist({ message: "may exist", reason: "dropped" }), ExitCode.service],
      [new Errors.UploadError({ code: "UPLOAD_FAILED", message: "Upload failed with status 500" }), ExitCode.service],
      [new Error("surprise"), ExitCode.taskFailed]
    ]
    for (const [error, code] of cases) expect(describeFailure(error).exitCode, String(error)).toBe(code)
  })

  it("a JSON error document keeps plain fields only", () => {
    const report = describeFailure(
      new Errors.NetworkError({ message: "GET / failed: refused", requestSent: false, cause: new Error("inner") })
    )
    expect(report.json).toEqual({
      type: "NetworkError",
      message: "GET / failed: refused (check --base-url or OOMOL_BASE_URL, and the network)",
      requestSent: false
    })
  })
})
