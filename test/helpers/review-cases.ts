// Validate a folder of manifests written from strings, in process, and read the findings: the
// cases of the outside reviews (test/cli/validate-review*.test.ts).
import { runCliInProcess } from "./keptn-task-cli.js";
import { caseFolders, type TextFinding, textFindings } from "./validate-findings.js";

const cases = caseFolders("keptn-task-review2-");

/** Removes the folders written so far (call it in `afterAll`). */
export const removeCaseFolders = cases.remove;

/** Writes `files` (name to text) into a new folder and returns its path. */
export const caseFolder = cases.folder;

/** One line of validate's text output. */
export type Finding = TextFinding;

/** `keptn-task validate [args] <folder>` on the files (or one manifests.yaml), in process. */
export async function validateCase(files: Record<string, string> | string, args: string[] = []) {
  const dir = caseFolder(typeof files === "string" ? { "manifests.yaml": files } : files);
  const result = await runCliInProcess(["validate", ...args, dir]);
  return { ...result, findings: textFindings(result.stdout), dir };
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
