// The conformance suite: Keptn's own chainsaw tests (keptn/lifecycle-toolkit at KEPTN_COMMIT), as
// the facts in test/fixtures/conformance/chainsaw-cases.ts state them, held against `render`
// (the Job Keptn creates) and `validate` (what the API server and Keptn's webhooks refuse).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  createCatalog,
  parseManifests,
  renderJob,
  resolveTask,
  validateCatalog,
} from "../../sdk/src/definitions/index.js";
import {
  ADMISSION_CASES,
  JOB_CASES,
  type JobCase,
  KEPTN_COMMIT,
} from "../fixtures/conformance/chainsaw-cases.js";
import { runCli } from "../helpers/keptn-task-cli.js";

/** Chainsaw runs each test in a namespace of its own. */
const NAMESPACE = "chainsaw-test";

const scratch = mkdtempSync(join(tmpdir(), "keptn-task-conformance-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The Job as the API server stores it: an env variable's empty value is left out. */
function asStored(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asStored);
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value).filter(
    ([key, item]) => !(key === "value" && item === "" && "name" in value),
  );
  return Object.fromEntries(entries.map(([key, item]) => [key, asStored(item)]));
}

function render(c: JobCase) {
  const set = parseManifests(c.input, "chainsaw.yaml", { defaultNamespace: NAMESPACE });
  const catalog = createCatalog(set);
  const resolved =
    "task" in c.run
      ? resolveTask(catalog, { task: c.run.task, namespace: NAMESPACE })
      : resolveTask(catalog, {
          definition: c.run.definition,
          namespace: NAMESPACE,
          context: {
            appName: "waiter",
            appVersion: "",
            workloadName: "waiter-waiter",
            workloadVersion: "0.4",
            taskType: c.run.taskType,
            objectType: "Workload",
          },
        });
  return { catalog, resolved, job: renderJob(resolved).job };
}

describe(`Keptn's chainsaw tests at ${KEPTN_COMMIT.slice(0, 7)}: the Jobs render creates`, () => {
  it.each(JOB_CASES.map((c) => [c.chainsaw, c] as const))(
    "%s: render gives the Job the test asserts, and validate finds no error",
    (_name, c) => {
      const { catalog, resolved, job } = render(c);
      expect(asStored(job)).toMatchObject(c.job);
      expect(resolved.ok).toBe(true);
      expect(validateCatalog(catalog).filter((d) => d.level === "error")).toEqual([]);
    },
  );
});

describe(`Keptn's chainsaw tests at ${KEPTN_COMMIT.slice(0, 7)}: what kubectl apply refuses`, () => {
  it.each(ADMISSION_CASES.map((c, index) => [c.chainsaw, c, index] as const))(
    "%s: validate agrees",
    async (_name, c, index) => {
      const file = join(scratch, `case-${index}.yaml`);
      writeFileSync(file, c.input);
      const result = await runCli(["validate", "--images", "keptn-task", file]);
      const errors = result.stdout.split("\n").filter((line) => / error [A-Z_]+ /.test(line));
      if (c.refused) {
        expect(errors.length, result.stdout).toBeGreaterThan(0);
        expect(result.code).toBe(65);
      } else {
        expect(errors, result.stdout).toEqual([]);
        expect(result.code).toBe(0);
      }
    },
  );
});
