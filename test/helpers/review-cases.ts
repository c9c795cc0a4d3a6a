// Validate a folder of manifests written from strings, and read the findings: the cases of the
// second outside review (test/cli/validate-review-2*.test.ts).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runCliInProcess } from "./keptn-task-cli.js";

const scratch = mkdtempSync(join(tmpdir(), "keptn-task-review2-"));

/** Removes the folders written so far (call it in `afterAll`). */
export function removeCaseFolders(): void {
  rmSync(scratch, { recursive: true, force: true });
}

let folders = 0;

/** Writes `files` (name to text) into a new folder and returns its path. */
export function caseFolder(files: Record<string, string>): string {
  folders += 1;
  const dir = join(scratch, `case-${folders}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** One line of validate's text output. */
export interface Finding {
  line: number;
  level: string;
  code: string;
  rest: string;
}

function findings(stdout: string): Finding[] {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const match = /^(?:.+?):(\d+):\d+: (error|warning) ([A-Z_]+) (.*)$/.exec(line);
      if (match === null) throw new Error(`not a finding: ${line}`);
      const [, at = "", level = "", code = "", rest = ""] = match;
      return { line: Number(at), level, code, rest };
    });
}

/** `keptn-task validate [args] <folder>` on the files (or one manifests.yaml), in process. */
export async function validateCase(files: Record<string, string> | string, args: string[] = []) {
  const dir = caseFolder(typeof files === "string" ? { "manifests.yaml": files } : files);
  const result = await runCliInProcess(["validate", ...args, dir]);
  return { ...result, findings: findings(result.stdout), dir };
}

/** `level CODE` of each finding. */
export const codes = (list: readonly Finding[]) => list.map((f) => `${f.level} ${f.code}`);

/** An inline deno definition `notify` in `shop`. */
export const NOTIFY = `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: notify, namespace: shop }
spec:
  deno:
    inline:
      code: console.log("hi")
`;

/** A Deployment `cart` whose pod template has `annotations` and one container `cart`. */
export const deployment = (
  annotations: Record<string, string>,
  image = "nginx:1.27",
  namespace = "shop",
) => `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: cart, namespace: ${namespace} }
spec:
  selector: { matchLabels: { app: cart } }
  template:
    metadata:
      labels: { app: cart }
      annotations: ${JSON.stringify(annotations)}
    spec:
      containers:
        - name: cart
          image: ${JSON.stringify(image)}
`;
