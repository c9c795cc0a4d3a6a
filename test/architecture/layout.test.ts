// The floor plan, checked: task code never loads the tooling half, the contract stands on its
// own, the runner and the command share nothing but the SDK, and no hand-written source file
// grows past 500 lines. ARCHITECTURE.md says where each thing lives; this file keeps it true.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/deno.js";

/** The repository's files, committed or not (what .gitignore leaves out aside). */
const tracked = execFileSync(
  "git",
  ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
  {
    cwd: ROOT,
    encoding: "utf8",
  },
)
  .split("\0")
  .filter((path) => path !== "" && existsSync(join(ROOT, path)));

/**
 * The module specifiers a file loads when it runs: its import and export declarations (not
 * `import type`, which the compiler erases) and its `import("...")` calls with a literal. A
 * type position such as `typeof import("./x.js")` loads nothing.
 */
function loadedSpecifiers(file: string): string[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(join(ROOT, file), "utf8"),
    ts.ScriptTarget.Latest,
    true,
  );
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly) {
      found.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) {
      found.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Each TypeScript file under `folders` and what it loads (a path, or a bare package name). */
function importGraph(folders: readonly string[]): Map<string, string[]> {
  const files = new Set(
    tracked.filter((p) => /\.(ts|mts)$/.test(p) && folders.some((f) => p.startsWith(f))),
  );
  const graph = new Map<string, string[]>();
  for (const file of files) {
    graph.set(
      file,
      loadedSpecifiers(file).map((spec) => {
        if (!spec.startsWith(".")) return spec;
        const base = normalize(join(dirname(file), spec)).replace(/\.js$/, "");
        const found = [`${base}.ts`, `${base}.mts`, `${base}/index.ts`].find((p) => files.has(p));
        if (found === undefined) throw new Error(`${file}: cannot resolve "${spec}"`);
        return found;
      }),
    );
  }
  return graph;
}

/** Everything `entries` load, through relative imports, with the path that reached each. */
function closure(graph: Map<string, string[]>, entries: readonly string[]) {
  const via = new Map<string, string>(entries.map((e) => [e, e]));
  const queue = [...entries];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const target of graph.get(file) ?? []) {
      if (via.has(target)) continue;
      via.set(target, `${via.get(file)} -> ${target}`);
      if (graph.has(target)) queue.push(target);
    }
  }
  return via;
}

/** The chains from `entries` to anything `forbidden` names. */
function reaching(graph: Map<string, string[]>, entries: string[], forbidden: RegExp): string[] {
  return [...closure(graph, entries)]
    .filter(([target]) => forbidden.test(target))
    .map(([, chain]) => chain);
}

const sdk = importGraph(["sdk/src/"]);
/** What task code loads: `@keptn-task/sdk` and `@keptn-task/sdk/testing`. */
const TASK_CODE = ["sdk/src/index.ts", "sdk/src/testing.ts"];
/** The tooling half: manifests, the script fetcher, the command's helpers, and their packages. */
const TOOLING =
  /^sdk\/src\/(definitions|fetch)\/|^sdk\/src\/internal\.ts$|^(yaml|undici|leven|ajv|kubernetes-models)(\/|$)/;

describe("the import graph", () => {
  it("is read: task code loads the task core, the logger and the masking", () => {
    const loaded = [...closure(sdk, TASK_CODE).keys()];
    expect(loaded).toEqual(
      expect.arrayContaining([
        "sdk/src/core/task.ts",
        "sdk/src/log/logger.ts",
        "sdk/src/masking/secret-registry.ts",
        "sdk/src/contract/keptn-context.ts",
        "zod/mini",
      ]),
    );
  });

  it("finds a forbidden import when there is one (the check itself can fail)", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["sdk/src/definitions/x.ts"]],
    ]);
    expect(reaching(graph, ["a.ts"], TOOLING)).toEqual([
      "a.ts -> b.ts -> sdk/src/definitions/x.ts",
    ]);
  });

  it("has no path from task code into the tooling half", () => {
    expect(reaching(sdk, TASK_CODE, TOOLING)).toEqual([]);
  });

  it("loads only zod, pino and the standard-schema types from task code, besides Node (the OpenTelemetry SDK only by a dynamic import, when tracing is on)", () => {
    const packages = [...closure(sdk, TASK_CODE).keys()].filter(
      (target) => !target.startsWith("sdk/src/") && !target.startsWith("node:"),
    );
    for (const name of packages) expect(name).toMatch(/^(zod|pino|@standard-schema\/spec)(\/|$)/);
  });

  it("keeps the contract (@keptn-task/sdk/contract) free of the tooling half", () => {
    expect(reaching(sdk, ["sdk/src/contract/index.ts"], TOOLING)).toEqual([]);
  });

  it("has the contract import nothing from the task core, so the tooling can use it alone", () => {
    expect(reaching(sdk, ["sdk/src/contract/index.ts"], /^sdk\/src\/core\//)).toEqual([]);
  });

  it("keeps the Deno runner and the command apart: each loads the other only through the SDK", () => {
    const runners = importGraph(["runners/src/"]);
    const runner = [...runners.keys()].filter((f) => f.startsWith("runners/src/runner/"));
    const cli = [...runners.keys()].filter((f) => f.startsWith("runners/src/cli/"));
    expect(runner.length).toBeGreaterThan(5);
    expect(cli.length).toBeGreaterThan(5);
    expect(reaching(runners, runner, /^runners\/src\/cli\//)).toEqual([]);
    expect(reaching(runners, cli, /^runners\/src\/runner\//)).toEqual([]);
  });
});

/** Hand-written source: code in every language the repository holds, generated files aside. */
const SOURCE = /\.(ts|mts|mjs|js|cjs|py|sh)$/;
const GENERATED = /\.generated\.ts$|^docs\/\.vitepress\/(cache|dist)\//;
const MAX_LINES = 500;
/** Lines as `wc -l` counts them, plus a last line without its newline. */
const lineCount = (text: string) => text.split("\n").length - (text.endsWith("\n") ? 1 : 0);

describe("the size of a source file", () => {
  const sources = tracked.filter((path) => SOURCE.test(path) && !GENERATED.test(path));

  it("covers the SDKs, the runner, the command, the scripts, the benches and the tests", () => {
    for (const folder of [
      "sdk/src/",
      "sdk-python/",
      "runners/src/",
      "scripts/",
      "bench/",
      "test/",
    ]) {
      expect(
        sources.some((path) => path.startsWith(folder)),
        folder,
      ).toBe(true);
    }
  });

  it(`is at most ${MAX_LINES} lines: a longer file is split by concern`, () => {
    const long = sources
      .map((path) => ({ path, lines: lineCount(readFileSync(join(ROOT, path), "utf8")) }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ path, lines }) => `${path}: ${lines} lines`);
    expect(long).toEqual([]);
  });
});
