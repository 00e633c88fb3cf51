/**
 * How command-line text becomes values, and failures become exit codes.
 */
import { Errors } from "@oomol-cloud-task/effect"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Option, Result } from "effect"
import { splitFlagValues } from "../src/Cli.js"
import { describe as describeFailure, ExitCode } from "../src/Failures.js"
import { parseInput, parseInputFile, parsePackageSpec, request } from "../src/Inputs.js"
import * as Output from "../src/Output.js"
import * as SafeText from "../src/SafeText.js"
import * as Stdio from "../src/Stdio.js"
import { parseDuration } from "../src/Waiting.js"

const valueOf = <A>(result: Result.Result<A, string>): A => Result.getOrThrow(result)

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

  it("keeps every number exactly as written, however large or precise", () => {
    const sent = (text: string) => JSON.stringify(valueOf(parseInput(text))[1])
    expect(sent("big=9007199254740993")).toBe("9007199254740993")
    expect(sent("neg=-9007199254740993")).toBe("-9007199254740993")
    expect(sent("f=0.30000000000000000001")).toBe("0.30000000000000000001")
    expect(sent("o={\"a\":[18446744073709551615,2.5]}")).toBe("{\"a\":[18446744073709551615,2.5]}")
    // A number a double holds stays a plain number.
    for (const text of ["n=3", "n=1.0", "n=1e3", "n=0.1", "n=-0", "n=9007199254740991"]) {
      expect(typeof valueOf(parseInput(text))[1], text).toBe("number")
    }
  })

  it("refuses a number beyond a double's range, naming the key and where in it", () => {
    expect(parseInput("huge=1e400")).toEqual(Result.fail("--input huge: 1e400 is beyond the range of a JSON number"))
    expect(parseInput("o={\"a\":{\"b\":[0,-1e999]}}")).toEqual(
      Result.fail("--input o.a.b[1]: -1e999 is beyond the range of a JSON number")
    )
  })

  it("--input-file: an object, its numbers exact; anything else refused", () => {
    expect(JSON.stringify(valueOf(parseInputFile("{\"id\":12345678901234567890}")))).toBe("{\"id\":12345678901234567890}")
    expect(parseInputFile("{\"a\":[1e400]}")).toEqual(Result.fail("--input-file: a[0]: 1e400 is beyond the range of a JSON number"))
    expect(parseInputFile("[1]")).toEqual(Result.fail("--input-file must hold a JSON object of input values"))
    expect(Result.isFailure(parseInputFile("{nope"))).toBe(true)
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

  it("refuses a fraction of a millisecond, and a duration beyond any clock", () => {
    for (const text of ["0.5ms", "0.001", "1.5ms", "1.0005s", "99999999999999999d"]) {
      expect(parseDuration(text), text).toBeUndefined()
    }
    expect(Option.getOrUndefined(Option.map(Option.fromNullishOr(parseDuration("0.1s")), Duration.toMillis))).toBe(100)
    expect(Option.getOrUndefined(Option.map(Option.fromNullishOr(parseDuration("2.005s")), Duration.toMillis))).toBe(2005)
    expect(Option.getOrUndefined(Option.map(Option.fromNullishOr(parseDuration("115.74d")), Duration.toMillis))).toBe(9_999_936_000)
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

describe("text from elsewhere", () => {
  it("line: every control character visible, newlines and tabs included", () => {
    expect(SafeText.line("a\x1b[2Jb\x07c\nd\re\tf\x7fg\u009bh\u202ei\u2028j")).toBe(
      "a\\x1b[2Jb\\x07c\\nd\\re\\tf\\x7fg\\x9bh\\u202ei\\u2028j"
    )
    expect(SafeText.line("plain text, ünïcödé, 中文")).toBe("plain text, ünïcödé, 中文")
  })

  it("lines: keeps line breaks and tabs, one \\r\\n as one break", () => {
    expect(SafeText.lines("a\r\nb\n\tc\rd\x1b")).toBe("a\nb\n\tc\\rd\\x1b")
  })

  it("json: the same value, nothing raw a terminal acts on", () => {
    const value = { s: "\x1b[2J\u009b\u202e\u2028\x7f", n: 1 }
    const text = SafeText.json(value)
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u202e]/)
    expect(JSON.parse(text)).toEqual(value)
  })

  it("command: words quoted for a shell only when they need it", () => {
    expect(SafeText.command(["oomol-task", "wait", "0192-ab_c"])).toBe("oomol-task wait 0192-ab_c")
    expect(SafeText.command(["oomol-task", "upload", "my file's.txt"])).toBe("oomol-task upload 'my file'\\''s.txt'")
    expect(SafeText.command(["oomol-task", "wait", "$(rm -rf ~)"])).toBe("oomol-task wait '$(rm -rf ~)'")
  })

  it("a table keeps one line per row, and fields one line per value", () => {
    const table = Output.table([{ title: "NAME", value: (row: string) => row }], ["a\nb", "c\x1b[2J"], "none")
    expect(table.split("\n")).toEqual(["NAME", "a\\nb", "c\\x1b[2J"])
    expect(Output.fields([["name", "x\ny"]])).toBe("name: x\\ny")
  })
})

describe("the failures of stdout and of the wait", () => {
  it("a closed stdout exits 141, a failed one 4", () => {
    expect(describeFailure(new Stdio.OutputError({ reason: "closed", message: "closed" })).exitCode).toBe(ExitCode.outputClosed)
    expect(describeFailure(new Stdio.OutputError({ reason: "failed", message: "ENOSPC" })).exitCode).toBe(ExitCode.outputFailed)
    expect([ExitCode.outputClosed, ExitCode.outputFailed]).toEqual([141, 4])
  })

  it("a timeout is told in the time the user gave, with the last polling error and how to wait again", () => {
    const lastError = new Errors.ApiError({ status: 503, body: undefined, message: "server busy" })
    const report = describeFailure(Errors.PollTimeout.after("t-1", Duration.seconds(90), lastError))
    expect(report.message).toBe(
      "task t-1 did not end within 1m 30s (--timeout); the last poll failed: server busy. It goes on running on the service; wait for it again with: oomol-task wait t-1"
    )
    expect(report.json).toMatchObject({ type: "PollTimeout", taskID: "t-1", lastError: "server busy", resume: "oomol-task wait t-1" })
  })
})
