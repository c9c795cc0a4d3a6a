// What the tests of `keptn-task validate` share: folders of manifests written from strings, and
// the parse of validate's text output into findings.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A text finding: `FILE:LINE:COLUMN: LEVEL CODE [PATH: ]MESSAGE`. */
export interface TextFinding {
  file: string;
  line: number;
  column: number;
  level: string;
  code: string;
  rest: string;
}

/** Every line of validate's text output as a finding; a line that is not one fails the test. */
export function textFindings(stdout: string): TextFinding[] {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const match = /^(.+?):(\d+):(\d+): (error|warning) ([A-Z_]+) (.*)$/.exec(line);
      if (match === null) throw new Error(`not a finding: ${line}`);
      const [, file = "", at = "", column = "", level = "", code = "", rest = ""] = match;
      return { file, line: Number(at), column: Number(column), level, code, rest };
    });
}

/**
 * A scratch directory of case folders, under TMPDIR with `prefix`: `folder(files)` writes the
 * files (name to text) into a new folder and returns its path; `remove()` (in `afterAll`)
 * deletes them all.
 */
export function caseFolders(prefix: string) {
  const scratch = mkdtempSync(join(tmpdir(), prefix));
  let count = 0;
  return {
    folder(files: Record<string, string>): string {
      count += 1;
      const dir = join(scratch, `case-${count}`);
      for (const [name, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), text);
      }
      return dir;
    },
    remove: () => rmSync(scratch, { recursive: true, force: true }),
  };
}
