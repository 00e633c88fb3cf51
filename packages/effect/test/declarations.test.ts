/**
 * The published declarations as a user's compiler reads them: the built
 * `packages/effect/dist/*.d.ts` (and the contract's, which they import),
 * checked by TypeScript with `skipLibCheck: false` in a Node project whose
 * only libraries are ES2022 and `@types/node` — no DOM. Build first
 * (`tsc -b`, as `pnpm test` does): this reads `dist/`, not `src/`.
 *
 * A consumer module, written as a user would, imports the package by its name
 * and names the types the client's signatures use.
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync, realpathSync } from "node:fs"
import { createRequire } from "node:module"
import { join, sep } from "node:path"
import { fileURLToPath } from "node:url"

const ts = createRequire(import.meta.url)("typescript") as typeof import("typescript")

const root = fileURLToPath(new URL("../../../", import.meta.url))
const effectDist = realpathSync(join(root, "packages/effect/dist")) + sep
const contractDist = realpathSync(join(root, "packages/contract/dist")) + sep
// A module inside the package, so the package name resolves as a user's import would (NodeNext, `types` condition).
const consumerPath = join(root, "packages/effect/test/consumer.generated.ts")
// What docs/effect.md tells a user with skipLibCheck false and no DOM to add for Effect's own declarations.
const domNamesPath = join(root, "packages/effect/test/effect-dom-names.generated.d.ts")
const domNames = `// Effect 4.1's crypto declarations name two DOM types; Node has them in node:crypto.
type CryptoKey = import("node:crypto").webcrypto.CryptoKey
type JsonWebKey = import("node:crypto").JsonWebKey
`

const consumer = `
import { CloudTaskClient, Errors, Polling } from "@oomol-cloud-task/effect"
import type {
  BlockLog,
  Dashboard,
  LogEntry,
  TaskDetail,
  TaskListItem,
  TaskResult,
  TaskResultInProgress,
  TaskResultSuccess
} from "@oomol-cloud-task/effect"
import { Effect } from "effect"

interface Pages { readonly pages: number }

export const pages = (result: TaskResultSuccess<Pages>): number => result.resultData?.pages ?? 0
export const line = (entry: LogEntry): string => (entry.type === "BlockLog" ? entry.log : entry.type)
export const onlyLogs = (entries: ReadonlyArray<LogEntry>): ReadonlyArray<BlockLog> =>
  entries.filter((entry): entry is BlockLog => entry.type === "BlockLog")
export type Named = [
  CloudTaskClient.Service,
  CloudTaskClient.AwaitError,
  CloudTaskClient.CreateError,
  CloudTaskClient.Settled<Pages>,
  CloudTaskClient.ConfigOptions,
  Polling.AwaitOptions<Pages>,
  TaskResult<Pages>,
  TaskResultInProgress,
  TaskDetail,
  TaskListItem,
  Dashboard
]
export const lastError = (error: Errors.PollTimeout): number | undefined =>
  error.lastError?._tag === "ApiError" ? error.lastError.status : undefined
export const program = Effect.gen(function*() {
  const client = yield* CloudTaskClient.CloudTaskClient
  return yield* client.getTaskResult("t")
}).pipe(Effect.provide(CloudTaskClient.layer({ credentials: "omit" })))
`

const options: import("typescript").CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts"],
  types: ["node"],
  typeRoots: [join(root, "node_modules/@types")],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: false,
  noEmit: true
}

const program = (virtual: Readonly<Record<string, string>>) => {
  const host = ts.createCompilerHost(options)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (fileName, languageVersion, ...rest) =>
    virtual[fileName] !== undefined
      ? ts.createSourceFile(fileName, virtual[fileName], languageVersion)
      : getSourceFile(fileName, languageVersion, ...rest)
  const fileExists = host.fileExists.bind(host)
  host.fileExists = (fileName) => virtual[fileName] !== undefined || fileExists(fileName)
  const readFile = host.readFile.bind(host)
  host.readFile = (fileName) => virtual[fileName] ?? readFile(fileName)
  return ts.createProgram(Object.keys(virtual), options, host)
}

const real = (fileName: string) => {
  try {
    return realpathSync(fileName)
  } catch {
    return fileName
  }
}
const isOurs = (file: import("typescript").SourceFile) =>
  file.fileName === consumerPath || real(file.fileName).startsWith(effectDist) || real(file.fileName).startsWith(contractDist)

const describeDiagnostic = (d: import("typescript").Diagnostic) =>
  `${d.file ? `${d.file.fileName.replace(root, "")}: ` : ""}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`

// Built once, by the first test that needs it (the checker resolves lazily).
let made: ReturnType<typeof program> | undefined
const compiled = () => (made ??= program({ [consumerPath]: consumer }))

describe("the published declarations", { timeout: 120_000 }, () => {

  it("type-check with skipLibCheck false in a Node project without the DOM lib", () => {
    const built = compiled()
    const ours = built.getSourceFiles().filter(isOurs)
    // The consumer, the package's entry and each module it reaches, and the contract's.
    expect(ours.map((f) => real(f.fileName))).toEqual(
      expect.arrayContaining([consumerPath, `${effectDist}index.d.ts`, `${effectDist}CloudTaskClient.d.ts`, `${contractDist}Logs.d.ts`])
    )
    const problems = [
      ...built.getOptionsDiagnostics(),
      ...built.getGlobalDiagnostics(),
      ...ours.flatMap((file) => [...built.getSyntacticDiagnostics(file), ...built.getSemanticDiagnostics(file)])
    ]
    expect(problems.map(describeDiagnostic)).toEqual([])
  })

  it("and so does the whole program, Effect's own declarations too, once the two DOM names docs/effect.md gives are declared", () => {
    const guide = readFileSync(join(root, "docs/effect.md"), "utf8")
    for (const line of domNames.split("\n").filter((l) => l.startsWith("type "))) expect(guide).toContain(line)
    const whole = program({ [consumerPath]: consumer, [domNamesPath]: domNames })
    expect(ts.getPreEmitDiagnostics(whole).map(describeDiagnostic)).toEqual([])
  })

  it("export every contract type a public signature names, from the package itself", () => {
    const built = compiled()
    const checker = built.getTypeChecker()
    const index = built.getSourceFiles().find((f) => real(f.fileName) === `${effectDist}index.d.ts`)!
    const exported = new Set(checker.getExportsOfModule(checker.getSymbolAtLocation(index)!).map((s) => s.name))
    const named = new Set<string>()
    const visit = (node: import("typescript").Node): void => {
      const name = ts.isTypeReferenceNode(node)
        ? node.typeName
        : ts.isExpressionWithTypeArguments(node)
        ? node.expression
        : ts.isImportTypeNode(node)
        ? node.qualifier
        : undefined
      if (name !== undefined) {
        const last = ts.isQualifiedName(name) ? name.right : ts.isPropertyAccessExpression(name) ? name.name : name
        let symbol = checker.getSymbolAtLocation(last)
        if (symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol)
        const declared = symbol?.declarations?.[0]?.getSourceFile().fileName
        if (symbol !== undefined && declared !== undefined && real(declared).startsWith(contractDist)) named.add(symbol.name)
      }
      ts.forEachChild(node, visit)
    }
    const publicModules = built.getSourceFiles().filter((f) =>
      real(f.fileName).startsWith(effectDist) && !real(f.fileName).includes(`${sep}internal${sep}`)
    )
    publicModules.forEach(visit)
    // What the Service itself speaks in, at least.
    expect([...named]).toEqual(expect.arrayContaining(["TaskResultSuccess", "TaskResult", "LogEntry", "Dashboard", "TaskDetail"]))
    expect([...named].filter((name) => !exported.has(name)).sort()).toEqual([])
  })

  it("name CloudTaskClient's types in docs/effect.md", () => {
    const built = compiled()
    const checker = built.getTypeChecker()
    const module = built.getSourceFiles().find((f) => real(f.fileName) === `${effectDist}CloudTaskClient.d.ts`)!
    const types = checker.getExportsOfModule(checker.getSymbolAtLocation(module)!)
      .filter((s) => s.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias))
      .map((s) => s.name)
    expect(types).toEqual(expect.arrayContaining(["Service", "AwaitError", "CreateError", "Settled"]))
    const guide = readFileSync(join(root, "docs/effect.md"), "utf8")
    expect(types.filter((name) => !guide.includes(`CloudTaskClient.${name}`))).toEqual([])
  })
})
