import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  checkDefinition,
  createCatalog,
  DIAGNOSTIC_CODES,
  type Diagnostic,
  formatDiagnostic,
  hasErrors,
  loadManifests,
  parseManifests,
  resolveTask,
  validateCatalog,
} from "../../sdk/src/definitions/index.js";
import { fixtureCatalog, fixturePath } from "../helpers/definition-fixtures.js";
import { rows } from "./diagnostic-rows/index.js";
import { check } from "./diagnostic-rows/row.js";

describe("diagnostics", () => {
  it.each(rows.map((row) => [row.code, row.it, row] as const))(
    "%s: %s",
    async (_code, _name, row) => {
      const found = row.run(await fixtureCatalog(row.fixture)).filter((d) => d.code === row.code);
      expect(found).toHaveLength(1);
      const [diagnostic] = found;
      expect(diagnostic).toMatchObject({ level: row.level, object: row.object });
      for (const fragment of row.says) expect(diagnostic?.message).toContain(fragment);
      expect(diagnostic?.message).not.toMatch(/\.$/);
    },
  );

  it("reports a duplicate object when catalogs are merged", async () => {
    const once = await loadManifests(fixturePath("merge"));
    const catalog = createCatalog([...once.objects, ...once.objects.slice(0, 1)]);
    expect(catalog.diagnostics.map((d) => [d.level, d.code, d.object])).toEqual([
      ["warning", "DUPLICATE_OBJECT", "KeptnTaskDefinition/shop/parent"],
    ]);
    expect(catalog.diagnostics[0]?.message).toContain("kubectl apply keeps the last one");
  });

  it("flags SDK imports only against Keptn's stock images, once, at the code's field", async () => {
    const catalog = await fixtureCatalog("sdk-imports");
    const found = validateCatalog(catalog, { stockImages: true }).filter(
      (d) => d.code === "SDK_ON_STOCK_IMAGE",
    );
    // The child runs its parent's code: reported on the parent only; mentions are no imports.
    expect(found.map((d) => [d.object, d.field])).toEqual([
      ["KeptnTaskDefinition/shop/deno-sdk", "spec.deno.inline.code"],
      ["KeptnTaskDefinition/shop/python-sdk", "spec.python.inline.code"],
    ]);
    expect(validateCatalog(catalog).filter((d) => d.code === "SDK_ON_STOCK_IMAGE")).toEqual([]);
  });

  it("has a test row for every diagnostic code", () => {
    // CODE_SYNTAX_ERROR needs esbuild and python3: the command reports it
    // (test/cli/validate-keptn-traps.test.ts).
    const tested = new Set<string>([
      ...rows.map((r) => r.code),
      "DUPLICATE_OBJECT",
      "CODE_SYNTAX_ERROR",
      // The review's cases, each with its test in test/cli/validate-review.test.ts.
      "EVALUATION_TARGET_INVALID",
      "SECRET_OTHER_NAMESPACE",
      "CONTAINER_ANNOTATION_UNMATCHED",
      "DENO_PERMISSION_MISSING",
      "PYTHON_CMD_PARAMETERS_CHANGE_CODE",
      "METADATA_LABEL_INVALID",
      "APP_CONTEXT_UNMATCHED",
      "KUSTOMIZE_RENAMES_CONFIGMAP",
      // The second review's, in test/cli/validate-review-2.test.ts and validate-review-2b.test.ts.
      ...["WORKLOAD_NAME_INVALID", "SCHEDULING_GATE_REMOVED", "NAMESPACE_EXCLUDED"],
      ...["ENV_TOO_LARGE", "CONFIGMAP_TOO_LARGE", "LAST_APPLIED_TOO_LARGE", "CODE_ALL_COMMENT"],
      ...["TTL_TOO_SHORT", "EVALUATION_METRIC_REPEATED", "IMPORT_UNRESOLVABLE"],
    ]);
    expect(Object.keys(DIAGNOSTIC_CODES).filter((code) => !tested.has(code))).toEqual([]);
  });

  it("reports nothing for clean definitions", async () => {
    const versions = await fixtureCatalog("versions");
    for (const name of ["alpha3", "beta1", "v1", "container"]) {
      expect(resolveTask(versions, { definition: name, namespace: "shop" }).diagnostics).toEqual(
        [],
      );
    }
    const merge = await fixtureCatalog("merge");
    expect(resolveTask(merge, { definition: "child", namespace: "shop" }).diagnostics).toEqual([]);
  });

  it("takes a #SHA256= pin with an upper-case key as a pin", async () => {
    const catalog = await fixtureCatalog("secret-urls");
    expect(check("upper-case-pin")(catalog)).toEqual([]);
  });

  it("redacts credentials in every httpRef URL a message names", async () => {
    const diagnostics = validateCatalog(await fixtureCatalog("secret-urls"));
    const byDefinition = (name: string) =>
      diagnostics
        .filter((d) => d.object === `KeptnTaskDefinition/shop/${name}`)
        .map((d) => `${d.code} ${d.message}`);
    const shown = '"https://scripts.example.com/a.ts?token=***&ref=main"';
    expect(byDefinition("inline-and-secret-url")).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^INLINE_AND_HTTPREF .*ignoring ${literal(shown)}`)),
      ]),
    );
    expect(byDefinition("configmap-and-secret-url")).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^CONFIGMAP_AND_HTTPREF .*ignores ${literal(shown)}`)),
      ]),
    );
    expect(byDefinition("missing-configmap-secret-url")).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^CONFIGMAP_NOT_FOUND .*runs ${literal(shown)} instead`)),
      ]),
    );
    expect(byDefinition("unpinned-secret-url")).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^HTTPREF_UNPINNED .*from ${literal(shown)} without`)),
      ]),
    );
    expect(byDefinition("ftp-secret-url")).toEqual(
      expect.arrayContaining([
        expect.stringContaining('"ftp://scripts.example.com/a.ts?token=***", which is not an http'),
      ]),
    );
    expect(byDefinition("unparsable-secret-url")).toEqual(
      expect.arrayContaining([
        expect.stringContaining('"https://scripts.example.com/a.ts", which is not an http'),
      ]),
    );
    const all = diagnostics.map((d) => d.message).join("\n");
    expect(all).not.toMatch(/url-pass|url\/pass|tok-secret|user:/);
  });

  it("never puts a secret value in a message", async () => {
    const catalog = await fixtureCatalog("traps");
    const all = validateCatalog(catalog)
      .map((d) => d.message)
      .join("\n");
    expect(all).toContain('Secret "wrong-key" has no key SECURE_DATA');
    expect(all).not.toContain("never-shown-value");
  });

  it("validates a whole catalog, errors and warnings with their locations", async () => {
    const file = fixturePath("chains");
    const diagnostics = validateCatalog(await fixtureCatalog("chains"));
    expect(diagnostics.map((d) => `${d.code} ${d.object}`)).toEqual([
      "FUNCTIONREF_CHAIN KeptnTaskDefinition/shop/a",
      "FUNCTIONREF_CHAIN KeptnTaskDefinition/shop/d",
      "HTTPREF_UNPINNED KeptnTaskDefinition/shop/f",
      "CYCLE KeptnTaskDefinition/shop/x",
      "CYCLE KeptnTaskDefinition/shop/y",
      "CYCLE KeptnTaskDefinition/shop/self",
      "MISSING_PARENT KeptnTaskDefinition/shop/orphan",
      "PARENT_NOT_RUNTIME KeptnTaskDefinition/shop/child-of-container",
    ]);
    expect(hasErrors(diagnostics)).toBe(true);
    // At the line and column of the object (or of its field, when the diagnostic names one),
    // inside the first document (lines 2 to 8).
    const first = diagnostics[0] as Diagnostic;
    const { line = 0, column = 0 } = first.location ?? {};
    expect(first.location).toMatchObject({ file, document: 1 });
    expect([line >= 2 && line <= 8, column >= 1]).toEqual([true, true]);
    expect(formatDiagnostic(first)).toBe(
      `${file}:${line}:${column}: error FUNCTIONREF_CHAIN functionRef chain a -> b -> c: Keptn follows one level, so SCRIPT would be empty and a python task would succeed without running; point "a" at the definition with the code`,
    );
  });

  it("names Keptn's namespace once when the object is in it", () => {
    const yaml = [
      "apiVersion: lifecycle.keptn.sh/v1",
      "kind: KeptnTaskDefinition",
      "metadata: { name: orphan, namespace: keptn-system }",
      "spec:",
      "  deno: { functionRef: { name: nowhere } }",
      "---",
      "apiVersion: lifecycle.keptn.sh/v1",
      "kind: KeptnTask",
      "metadata: { name: dangling, namespace: keptn-system }",
      "spec: { taskDefinition: missing, context: { appName: a, appVersion: '1', objectType: App, taskType: pre, workloadName: w, workloadVersion: '1' } }",
      "---",
      // A KeptnAppContext: the pod webhook never sees a Deployment's pods in Keptn's namespace.
      "apiVersion: lifecycle.keptn.sh/v1",
      "kind: KeptnAppContext",
      "metadata: { name: checkout, namespace: keptn-system }",
      "spec: { preDeploymentTasks: [gone] }",
    ].join("\n");
    const set = parseManifests(yaml, "same.yaml", { onError: "collect" });
    const messages = validateCatalog(createCatalog(set)).map((d) => `${d.code}: ${d.message}`);
    const codes = messages.map((m) => m.slice(0, m.indexOf(":")));
    expect(codes).toEqual(
      expect.arrayContaining([
        "MISSING_PARENT",
        "DEFINITION_NOT_FOUND",
        "TASK_DEFINITION_NOT_FOUND",
      ]),
    );
    for (const message of messages) {
      expect(message).not.toMatch(/"keptn-system" (nor|or) "keptn-system"/);
    }
    expect(messages.join("\n")).toContain('not in namespace "keptn-system"');
    expect(messages.join("\n")).toContain('is in namespace "keptn-system": Keptn waits');
  });

  it("reports every Job rule a container task breaks, each at its field, and none for a Job Kubernetes takes", async () => {
    const catalog = await fixtureCatalog("job-rules");
    const found = (name: string) => {
      const def = catalog.findDefinition(name, "shop");
      return checkDefinition(def as NonNullable<typeof def>)
        .filter((d) => d.code === "JOB_INVALID")
        .map((d) => [
          d.field,
          d.message.slice(d.message.indexOf(" because ") + 9, d.message.indexOf(", so the task")),
        ]);
    };
    expect(found("job-rejected")).toEqual([
      ["spec.retries", "its backoffLimit would be negative (-1)"],
      [
        "spec.container.name",
        'its name "Task_1" must be a DNS-1123 label, as the API server requires: lower-case letters, digits and "-", starting and ending with a letter or a digit',
      ],
      ["spec.container.ports.0.containerPort", "port 70000 is outside 1-65535"],
      [
        "spec.container.ports.0.name",
        'the port name "thisnameiswaytoolong" is not an IANA service name (at most 15 lower-case letters, digits and single "-", with a letter)',
      ],
      [
        "spec.container.env.0",
        'env "X" has both value and valueFrom, of which a variable may have one',
      ],
      ["spec.container.resources.limits.cpu", "limits.cpu is negative (-1)"],
      [
        "spec.container.resources.requests.memory",
        "it requests more memory (1.5Gi) than its limit (1Gi)",
      ],
    ]);
    expect(found("job-accepted")).toEqual([]);
  });

  it("takes names whose every Job name fits in 63 characters", async () => {
    const catalog = await fixtureCatalog("names");
    for (const name of [
      "notify-the-release-channel-of-the-baskets",
      "notify-the-release-channel-of-the-shop-kiosks",
    ]) {
      const def = catalog.findDefinition(name, "shop");
      const codes = checkDefinition(def as NonNullable<typeof def>).map(
        (d) => `${d.code} ${d.level}`,
      );
      expect(codes).toEqual(name.endsWith("kiosks") ? ["JOB_NAME_TOO_LONG warning"] : []);
    }
  });

  it("formats a diagnostic without a location by its object", () => {
    expect(
      formatDiagnostic({
        level: "warning",
        code: "CYCLE",
        message: "m",
        object: "KeptnTaskDefinition/ns/a",
      }),
    ).toBe("KeptnTaskDefinition/ns/a: warning CYCLE m");
  });
});

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("docs/validate.md", () => {
  it("has an example of every code, with its level", () => {
    const doc = readFileSync("docs/validate.md", "utf8");
    const rows = new Map(
      [...doc.matchAll(/^\| `([A-Z_]+)` \| (error|warning) \| .+ \|$/gm)].map((m) => [m[1], m[2]]),
    );
    for (const [code, { level }] of Object.entries(DIAGNOSTIC_CODES)) {
      expect(rows.get(code), code).toBe(level);
    }
  });
});
