/**
 * `DENO_PERMISSION_MISSING`: Keptn's deno-runtime starts a task with
 * `deno run --allow-net --allow-write --allow-read --allow-env=DATA,SECURE_DATA,KEPTN_CONTEXT`
 * (runtimes/deno-runtime/entrypoint.sh, keptn/lifecycle-toolkit at
 * 40e195d78dd1886166e17d2e9c69b75a249fc384) and no terminal to ask on, so code that starts a
 * process, loads a native library, reads system information or reads another variable throws
 * (`NotCapable: Requires run access`) and the task fails on every retry. This project's images
 * grant the same, plus a few variables of its own (`DEFAULT_DENO_PERMISSIONS`). Only the code
 * validate reads (inline, a ConfigMap's) is checked; httpRef code is not fetched.
 */
import { DENO_TASK_ENV } from "../../contract/deno-permissions.js";
import { createDiagnostic, type Diagnostic, type DiagnosticSubject } from "../diagnostics.js";
import type { ResolvedTask } from "../resolve-task.js";
import { withoutComments } from "../sdk-imports.js";

/** Keptn's `--allow-env` list. */
const KEPTN_ENV = ["DATA", "SECURE_DATA", "KEPTN_CONTEXT"];

/** Calls that need a permission the images do not grant, with the flag they need. */
const NEEDS: readonly { readonly pattern: RegExp; readonly flag: string }[] = [
  { pattern: /\bDeno\.(?:Command|run)\b|["'](?:node:)?child_process["']/g, flag: "--allow-run" },
  { pattern: /\bDeno\.dlopen\b/g, flag: "--allow-ffi" },
  {
    pattern:
      /\bDeno\.(?:hostname|osRelease|osUptime|loadavg|systemMemoryInfo|networkInterfaces|uid|gid)\s*\(/g,
    flag: "--allow-sys",
  },
  { pattern: /\bDeno\.env\.toObject\s*\(/g, flag: "--allow-env (every variable)" },
];

/** `Deno.env.get("NAME")` and the like, and `process.env.NAME`. */
const ENV_READ =
  /\bDeno\.env\.(?:get|has|set|delete)\s*\(\s*["'`]([^"'`]+)["'`]|\bprocess\.env(?:\.([A-Za-z_]\w*)|\[\s*["'`]([^"'`]+)["'`]\s*\])/g;

function lineOf(code: string, index: number): number {
  let line = 1;
  for (let i = code.indexOf("\n"); i >= 0 && i < index; i = code.indexOf("\n", i + 1)) line++;
  return line;
}

/** What the code needs that the images do not grant: `[what, flag, line]`. */
export function missingDenoPermissions(
  code: string,
  stockImages: boolean,
): { what: string; flag: string; line: number }[] {
  const text = withoutComments(code, "deno");
  const out: { what: string; flag: string; line: number }[] = [];
  for (const { pattern, flag } of NEEDS) {
    for (const match of text.matchAll(pattern)) {
      out.push({ what: match[0].replace(/\s*\($/, ""), flag, line: lineOf(text, match.index) });
    }
  }
  const allowed = stockImages ? KEPTN_ENV : DENO_TASK_ENV;
  for (const match of text.matchAll(ENV_READ)) {
    const name = match[1] ?? match[2] ?? match[3] ?? "";
    if (allowed.includes(name)) continue;
    out.push({
      what: `the variable "${name}"`,
      flag: `--allow-env=${name}`,
      line: lineOf(text, match.index),
    });
  }
  return out.sort((a, b) => a.line - b.line);
}

/**
 * `DENO_PERMISSION_MISSING` for a Deno definition's own code (inline or a ConfigMap's).
 *
 * @param resolved - The definition resolved in its own namespace.
 * @param subject - The definition.
 * @param stockImages - Whether the cluster runs Keptn's stock images.
 */
export function checkDenoPermissions(
  resolved: ResolvedTask,
  subject: DiagnosticSubject,
  stockImages: boolean,
): Diagnostic[] {
  const { code } = resolved;
  if (resolved.runner !== "deno" || code.kind !== "configMap" || code.code === undefined) return [];
  if (code.definition.name !== resolved.definition.name) return [];
  const field = code.createdByKeptn ? "spec.deno.inline.code" : "spec.deno.configMapRef.name";
  return missingDenoPermissions(code.code, stockImages).map(({ what, flag, line }) =>
    createDiagnostic(
      "DENO_PERMISSION_MISSING",
      `line ${line} of the code uses ${what}, which needs ${flag}: Keptn's deno-runtime grants only --allow-net --allow-read --allow-write --allow-env=${KEPTN_ENV.join(",")} and asks no one, so it throws NotCapable and the task fails; do without it, or run it as a container task`,
      subject,
      { field },
    ),
  );
}
