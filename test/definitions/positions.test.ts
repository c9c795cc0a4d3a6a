import { describe, expect, it } from "vitest";
import {
  checkReferences,
  closestName,
  createCatalog,
  formatFieldPath,
  loadManifests,
  locateDiagnostics,
  parseFieldPath,
  parseManifests,
  parseObjects,
  resolveTask,
} from "../../sdk/src/definitions/index.js";

const GITOPS = "test/fixtures/gitops";

describe("field paths", () => {
  it.each([
    [["spec", "deno", "httpRef", "url"], "spec.deno.httpRef.url"],
    [["spec", "preDeploymentTasks", 1], "spec.preDeploymentTasks.1"],
    [
      ["metadata", "annotations", "keptn.sh/pre-deployment-tasks"],
      'metadata.annotations["keptn.sh/pre-deployment-tasks"]',
    ],
    [["data", 'a "quoted" [key]'], 'data["a \\"quoted\\" [key]"]'],
    [["a.b", "c"], '["a.b"].c'],
    [["data", ""], 'data[""]'],
  ] as const)("writes %j as %s and reads it back", (segments, path) => {
    expect(formatFieldPath(segments)).toBe(path);
    // Indexes come back as strings of digits: the YAML node decides whether they index a list.
    expect(parseFieldPath(path)).toEqual(segments.map((s) => (typeof s === "number" ? `${s}` : s)));
  });

  it("reads an index in brackets", () => {
    expect(parseFieldPath("spec.containers[0].env")).toEqual(["spec", "containers", 0, "env"]);
  });
});

describe("LoadedManifest.locate", () => {
  const text = `apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: checkout
      annotations: { "keptn.sh/pre-deployment-tasks": "a,b" }
    spec:
      template: &template
        metadata: { labels: { app: checkout } }
  - {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "code"}, "data": {"code": "x"}}
`;
  const [deployment, configMap] = parseManifests(text, "list.yaml").objects;

  it("places an object of a List at its item, and each field at its key", () => {
    expect(deployment?.position).toEqual({ line: 4, column: 5 });
    expect(deployment?.locate("metadata.name")).toEqual({ line: 7, column: 7 });
    expect(deployment?.locate('metadata.annotations["keptn.sh/pre-deployment-tasks"]')).toEqual({
      line: 8,
      column: 22,
    });
    expect(deployment?.locate("spec.template.metadata.labels.app")).toEqual({
      line: 11,
      column: 31,
    });
  });

  it("places an absent field at its nearest present parent, and JSON like YAML", () => {
    expect(deployment?.locate("spec.replicas")).toEqual({ line: 9, column: 5 });
    expect(deployment?.locate("nothing.here")).toEqual({ line: 4, column: 5 });
    expect(configMap?.position).toEqual({ line: 12, column: 5 });
    expect(configMap?.locate("data.code")).toEqual({ line: 12, column: 86 });
  });

  it("knows no position for objects that were not read from text", () => {
    const [object] = parseObjects([
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } },
    ]).objects;
    expect(object?.position).toBeUndefined();
    expect(object?.locate("metadata.name")).toBeUndefined();
  });
});

describe("locateDiagnostics", () => {
  it("puts a resolution's diagnostics at their objects' lines, and leaves unread objects alone", async () => {
    const set = await loadManifests("examples/secure-parameters");
    const resolved = resolveTask(createCatalog(set), {
      definition: "secure-parameters",
      namespace: "default",
    });
    const [located] = locateDiagnostics(set, resolved.diagnostics);
    expect(located?.code).toBe("SECRET_NOT_FOUND");
    expect(located?.location?.line).toBeGreaterThanOrEqual(1);
    expect(resolved.diagnostics[0]?.location?.line).toBeUndefined();

    const objects = parseObjects(set.objects.map((o) => o.raw));
    const fromObjects = resolveTask(createCatalog(objects), {
      definition: "secure-parameters",
      namespace: "default",
    });
    expect(locateDiagnostics(objects, fromObjects.diagnostics)[0]?.location?.line).toBeUndefined();
  });
});

describe("checkReferences", () => {
  it("finds the definitions a workload names in Keptn's namespace as given", async () => {
    const set = await loadManifests([
      `${GITOPS}/references/definitions.yaml`,
      `${GITOPS}/references/valid.yaml`,
    ]);
    expect(checkReferences(set)).toEqual([]);
    // smoke-test is in keptn-system: with Keptn elsewhere, the names in shop must be there.
    expect(checkReferences(set, { keptnNamespace: "keptn" }).map((d) => d.field)).toEqual([
      'metadata.annotations["keptn.sh/pre-deployment-tasks"]',
      'spec.template.metadata.annotations["keptn.sh/post-deployment-tasks"]',
      "spec.postDeploymentTasks.0",
    ]);
  });
});

describe("closestName", () => {
  it("suggests a near miss, whatever its case, and nothing for a stranger", () => {
    expect(closestName("notfy", ["deploy", "notify"])).toBe("notify");
    expect(closestName("NOTIFY", ["notify"])).toBe("notify");
    expect(closestName("abc", ["notify"])).toBeUndefined();
  });
});

describe("loadManifests in a folder with more than manifests", () => {
  it("skips templates, Helm values and kustomizations, and reads a file named on its own", async () => {
    const folder = await loadManifests(`${GITOPS}/helm-repo`);
    expect(folder.objects.map((o) => o.name)).toEqual(["notify"]);
    expect(folder.skipped.map((s) => s.file.slice(`${GITOPS}/helm-repo/`.length))).toEqual([
      "chart/Chart.yaml",
      "chart/templates/deployment.yaml",
      "chart/templates/quoted.yaml",
      "chart/values.yaml",
      "kustomization.yaml",
    ]);
    const named = await loadManifests(`${GITOPS}/helm-repo/kustomization.yaml`);
    expect(named.skipped).toEqual([]);
    expect(named.objects.map((o) => o.kind)).toEqual(["Kustomization"]);
  });
});
