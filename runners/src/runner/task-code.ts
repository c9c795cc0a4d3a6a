/**
 * What the runner reads from a task's code before running it: the traits that decide how it
 * runs (in the runner's process or its own, with which import map and exit guard), and which
 * files it takes as code. Pure, and small: the entry module's early start (`early-start.ts`)
 * uses it too, before the runner's script loads.
 */
import type { Runtime } from "./settings.js";

/** What the runner needs to know about the code itself (see `inspectCode`). */
export interface CodeTraits {
  /** Whether the code names the SDK, which the runner then maps to its bundled copy. */
  readonly importsSdk: boolean;
  /**
   * Whether the code asks if it is the main module (`import.meta.main`, `Deno.mainModule`, or
   * `import.meta` in any way but its url, dirname, filename or resolve): only a process of its
   * own answers that as `deno run` does.
   */
  readonly checksMain: boolean;
  /**
   * Whether the code may read Node's `process` (`process`, `node:` or `npm:` imports), whose
   * `argv` only a process of its own gets right.
   */
  readonly usesNodeProcess: boolean;
  /**
   * Whether the code imports modules the runner does not look into: relative ones, or with an
   * import whose specifier is computed (or it reaches into `Deno[...]`).
   */
  readonly importsUnseen: boolean;
  /**
   * Whether the code may resolve a specifier itself (`import.meta.resolve`): against its URL
   * when fetched, as only a process of its own with an import map answers it.
   */
  readonly resolvesSpecifiers: boolean;
}

/** The specifier task code imports the SDK by. */
export const SDK_SPECIFIER = "@keptn-task/sdk";
const PLAIN_META = /^\s*\.\s*(url|dirname|filename|resolve)\b/;
const NODE_PROCESS = /\bprocess\b|["'`](node|npm):/;
// Each alternative is unambiguous (`\s*(?:\(\s*)?`, not `\s*\(?\s*`): linear in the code.
const UNSEEN_IMPORT =
  /\b(?:from|import)\s*(?:\(\s*)?["'`]\.{1,2}\/|\bimport\s*\(\s*(?!["'])|\bDeno\s*\[/;

/** How far white space and comments may reach between `import`, `.` and `meta` before the code counts as using `import.meta`. */
const META_GAP = 256;

/**
 * Whether the code may use `import.meta` for anything but `url`, `dirname`, `filename` and
 * `resolve` (white space and comments may stand around the dot; strings and comments are not told
 * apart, so a mention counts). A scan, not a regular expression (one with comments in a loop
 * backtracks exponentially on a run of `/* *\/`), and each `import` looks at most `META_GAP`
 * characters ahead: linear in the code, whatever it holds. A longer gap counts as a use: the task
 * then runs as a child, where `import.meta.main` is true.
 */
function usesImportMeta(code: string): boolean {
  for (let at = code.indexOf("import"); at >= 0; at = code.indexOf("import", at + 6)) {
    if (/[\w$]/.test(code[at - 1] ?? " ")) continue;
    const dot = skipSpaceAndComments(code, at + 6);
    if (dot < 0) return true;
    if (code[dot] !== ".") continue;
    const meta = skipSpaceAndComments(code, dot + 1);
    if (meta < 0) return true;
    if (!code.startsWith("meta", meta) || /[\w$]/.test(code[meta + 4] ?? " ")) continue;
    if (!PLAIN_META.test(code.slice(meta + 4, meta + 44))) return true;
  }
  return false;
}

/**
 * The index of the first character from `at` on that is neither white space nor in a comment;
 * -1 when that is more than `META_GAP` characters away.
 */
function skipSpaceAndComments(code: string, at: number): number {
  const limit = Math.min(code.length, at + META_GAP);
  let i = at;
  for (;;) {
    while (i < limit && /\s/.test(code[i] as string)) i++;
    if (i >= limit) return i >= code.length ? code.length : -1;
    if (!code.startsWith("/*", i)) return i;
    // Searched within the gap only: an unclosed /* far from its end costs nothing more.
    const close = code.slice(i + 2, limit).indexOf("*/");
    if (close < 0) return limit === code.length ? code.length : -1;
    i = i + 2 + close + 2;
  }
}

/** What the runner needs to know about the code itself. */
export function inspectCode(code: string): CodeTraits {
  const checksMain = /\bmainModule\b/.test(code) || usesImportMeta(code);
  return {
    importsSdk: code.includes(SDK_SPECIFIER),
    checksMain,
    usesNodeProcess: NODE_PROCESS.test(code),
    importsUnseen: UNSEEN_IMPORT.test(code),
    resolvesSpecifiers: /\bresolve\b/.test(code),
  };
}

/** The file names each runtime takes as code: Deno picks the language by extension. */
export const EXTENSIONS: Record<Runtime, RegExp> = {
  deno: /\.(ts|tsx|mts|js|jsx|mjs)$/i,
  python: /\.py$/i,
};
export const DEFAULT_EXTENSION: Record<Runtime, string> = { deno: ".ts", python: ".py" };
/**
 * The most task code the runner reads from a file: the limit `fetchScript` applies to fetched
 * code (`FETCH_DEFAULTS.maxBytes`, not imported: that module brings the HTTP client). A
 * ConfigMap holds at most 1 MiB.
 */
export const MAX_CODE_BYTES = 5 * 1024 * 1024;

/** A TypeScript declaration file: Deno runs it as an empty module (exit 0, nothing run). */
export const DECLARATION_FILE = /\.d\.[mc]?ts$/i;
