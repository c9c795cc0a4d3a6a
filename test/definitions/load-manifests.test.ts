import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  DEFINITION_VERSIONS,
  loadManifests,
  parseManifests,
  parseObjects,
} from "../../sdk/src/definitions/index.js";
import { ManifestError } from "../../sdk/src/errors/errors.js";
import { DEFINITION_FIXTURES, fixturePath } from "../helpers/definition-fixtures.js";

describe("loadManifests", () => {
  it("reads every document of a multi-document file with its file, document and object", async () => {
    const file = fixturePath("versions");
    const set = await loadManifests(file);
    expect(set.errors).toEqual([]);
    expect(set.objects.map((o) => o.location)).toEqual([
      { file, document: 1, object: "KeptnTaskDefinition/shop/alpha1" },
      { file, document: 2, object: "KeptnTaskDefinition/shop/alpha2" },
      { file, document: 3, object: "KeptnTaskDefinition/shop/alpha3" },
      { file, document: 4, object: "KeptnTaskDefinition/shop/beta1" },
      { file, document: 5, object: "ConfigMap/shop/beta1-code" },
      { file, document: 6, object: "KeptnTaskDefinition/shop/v1" },
      { file, document: 7, object: "KeptnTaskDefinition/shop/container" },
    ]);
  });

  it.each([
    // Keptn 2.x ignores spec.function, the only runtime v1alpha1 and v1alpha2 have.
    ["alpha1", "v1alpha1", "none", undefined],
    ["alpha2", "v1alpha2", "none", undefined],
    ["alpha3", "v1alpha3", "deno", "deno"],
    ["beta1", "v1beta1", "python", "python"],
    ["v1", "v1", "deno", "deno"],
    ["container", "v1", "container", "container"],
  ] as const)(
    "normalises %s (%s) to the %s runner from spec.%s",
    async (name, version, runner, field) => {
      const set = await loadManifests(fixturePath("versions"));
      const def = set.objects.find(
        (o) => o.location.object === `KeptnTaskDefinition/shop/${name}`,
      )?.object;
      expect(def).toMatchObject({
        kind: "KeptnTaskDefinition",
        version,
        runner,
        runtimeField: field,
      });
    },
  );

  it("serves the five apiVersions Keptn serves", () => {
    expect(DEFINITION_VERSIONS).toEqual(["v1alpha1", "v1alpha2", "v1alpha3", "v1beta1", "v1"]);
  });

  it("reports every schema problem with file, document, object and field when collecting", async () => {
    const file = fixturePath("invalid");
    const set = await loadManifests(file, { onError: "collect" });
    expect(set.objects.map((o) => o.location.object)).toEqual(["KeptnTaskDefinition/shop/good"]);
    expect(set.errors.map((e) => [e.location, e.message])).toEqual([
      [
        {
          file,
          document: 2,
          object: "KeptnTaskDefinition/shop/typo",
          field: "spec.deno",
          // The unknown key itself, not its parent.
          line: 18,
          column: 5,
        },
        `${file}:18:5: KeptnTaskDefinition/shop/typo: spec.deno: Invalid KeptnTaskDefinition: unknown field "functionref": kubectl apply refuses it (strict field validation) and the API server would drop it: did you mean "functionRef"?`,
      ],
      [
        {
          file,
          document: 3,
          object: "KeptnTaskDefinition/shop/number-param",
          field: "spec.python.parameters.map.port",
          line: 30,
          column: 9,
        },
        `${file}:30:9: KeptnTaskDefinition/shop/number-param: spec.python.parameters.map.port: Invalid KeptnTaskDefinition: must be string, as Keptn's CRD says`,
      ],
      [
        {
          file,
          document: 4,
          object: "KeptnTaskDefinition/default/future",
          field: "apiVersion",
          line: 32,
          column: 1,
        },
        `${file}:32:1: KeptnTaskDefinition/default/future: apiVersion: Unknown apiVersion "lifecycle.keptn.sh/v2" for KeptnTaskDefinition: use one of lifecycle.keptn.sh/v1alpha1, lifecycle.keptn.sh/v1alpha2, lifecycle.keptn.sh/v1alpha3, lifecycle.keptn.sh/v1beta1, lifecycle.keptn.sh/v1`,
      ],
      [
        { file, document: 5, line: 39, column: 1 },
        `${file}:39:1: Invalid manifest: expected a Kubernetes object with string fields apiVersion and kind`,
      ],
      [
        {
          file,
          document: 6,
          object: "KeptnTaskDefinition/shop/bad-timeout",
          field: "spec.timeout",
          line: 49,
          column: 3,
        },
        `${file}:49:3: KeptnTaskDefinition/shop/bad-timeout: spec.timeout: Invalid KeptnTaskDefinition: does not match Keptn's CRD's pattern ^0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$, so kubectl apply refuses it`,
      ],
    ]);
    expect(set.errors.every((e) => e instanceof ManifestError && e.exitCode === 65)).toBe(true);
  });

  it("throws the first problem by default", async () => {
    await expect(loadManifests(fixturePath("invalid"))).rejects.toThrow(
      /invalid\.yaml:18:5: KeptnTaskDefinition\/shop\/typo: spec\.deno: .*"functionref"/,
    );
  });

  it("names the file, line and column of a YAML syntax error", async () => {
    const file = fixturePath("broken");
    const error = await loadManifests(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).location).toEqual({ file, document: 1, line: 6, column: 1 });
    expect((error as ManifestError).message).toMatch(
      new RegExp(`^${file}:6:1: Cannot parse YAML: `),
    );
  });

  it("merges YAML 1.1 merge keys (<<: *anchor) as kubectl does", () => {
    const text = readFileSync(fixturePath("merge-keys"), "utf8");
    const { objects } = parseManifests(text, "merge-keys.yaml");
    const merged = objects.find((o) => o.name === "merged")?.object;
    expect(merged).toMatchObject({
      kind: "KeptnTaskDefinition",
      retries: 1,
      runtime: { inline: "console.log(1)", parameters: { a: "1", b: "2" } },
    });
  });

  it("names the line of an alias with no anchor, never the alias, which may be a password", () => {
    const text = `apiVersion: v1
kind: Secret
metadata: { name: token }
stringData:
  SECURE_DATA: *pAsSw0rdValue
`;
    const error = (() => {
      try {
        return parseManifests(text, "secret.yaml");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).exitCode).toBe(65);
    expect((error as ManifestError).message).toBe(
      "secret.yaml:5:16: Cannot parse YAML: an alias (*) with no anchor (&) before it at line 5, column 16: quote a value that starts with *",
    );
    expect((error as ManifestError).cause).toBeUndefined();
  });

  it("refuses an alias bomb in one document and keeps the others", () => {
    // Each level is nine aliases of the one before: 9^5 nodes from six short lines.
    const names = ["a", "b", "c", "d", "e", "f"];
    const levels = names.map(
      (name, i) =>
        `${name}: &${name} [${Array(9)
          .fill(i === 0 ? "x" : `*${names[i - 1]}`)
          .join(", ")}]`,
    );
    const text = `${levels.join("\n")}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: kept }\n`;
    const set = parseManifests(text, "bomb.yaml", { onError: "collect" });
    expect(set.errors.map((e) => e.message)).toEqual([
      "bomb.yaml:2:8: Cannot parse YAML: aliases expand to too many nodes (more than 100), the first at line 2, column 8",
    ]);
    expect(set.objects.map((o) => o.location.object)).toEqual(["ConfigMap/default/kept"]);
  });

  it("refuses an alias inside the node it names (a cycle), at its line, and keeps the others", () => {
    // A value that contains itself: reading it never ended ("Maximum call stack size exceeded").
    const cyclic = "metadata: &m\n  name: x\n  self: *m\n";
    const inParameters = "spec:\n  deno:\n    parameters:\n      map: &p { a: *p }\n";
    for (const [body, at] of [
      [cyclic, "5:9"],
      [inParameters, "6:20"],
    ] as const) {
      const text = `apiVersion: lifecycle.keptn.sh/v1\nkind: KeptnTaskDefinition\n${body}---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: kept }\n`;
      const set = parseManifests(text, "cyc.yaml", { onError: "collect" });
      expect(set.errors.map((e) => [e.message, e.exitCode])).toEqual([
        [
          `cyc.yaml:${at}: Cannot parse YAML: an alias (*) inside the node its anchor (&) names at line ${at.replace(":", ", column ")}: the value would never end`,
          65,
        ],
      ]);
      expect(set.objects.map((o) => o.location.object)).toEqual(["ConfigMap/default/kept"]);
    }
  });

  it("refuses a kustomization whose aliases contain themselves or expand without end", async () => {
    const root = mkdtempSync(join(tmpdir(), "keptn-task-kustomize-"));
    try {
      const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"];
      for (const name of ["b", "c", "d", "e"]) {
        const before = bomb.at(-1)?.slice(0, 1);
        bomb.push(`${name}: &${name} [${Array(9).fill(`*${before}`).join(", ")}]`);
      }
      const cases = {
        cyclic: "resources: &r\n  - *r\n",
        bomb: `${bomb.join("\n")}\nresources: []\n`,
      };
      for (const [name, text] of Object.entries(cases)) {
        mkdirSync(join(root, name));
        writeFileSync(join(root, name, "kustomization.yaml"), text);
      }
      const set = await loadManifests(root, { onError: "collect" });
      expect(set.errors.map((e) => [e.message, e.exitCode])).toEqual([
        [
          `${root}/bomb/kustomization.yaml: Cannot read the kustomization: its aliases expand to too many nodes`,
          65,
        ],
        [
          `${root}/cyclic/kustomization.yaml: Cannot read the kustomization: an alias (*) inside the node its anchor (&) names: the value would never end`,
          65,
        ],
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("reads folders recursively, in name order, only .yaml, .yml and .json files", async () => {
    const folder = `${DEFINITION_FIXTURES}folder`;
    const set = await loadManifests(folder);
    expect(
      set.objects.map((o) => [o.location.file?.slice(folder.length), o.kind, o.object?.kind]),
    ).toEqual([
      ["/deploy.json", "Deployment", undefined],
      ["/nested/two.yml", "ConfigMap", "ConfigMap"],
      ["/one.yaml", "ConfigMap", "ConfigMap"],
    ]);
    // An object without a namespace lands where kubectl would put it.
    expect(set.objects[1]?.object).toMatchObject({ name: "two", namespace: "default" });
  });

  it("uses the given default namespace", async () => {
    const set = await loadManifests(`${DEFINITION_FIXTURES}folder`, { defaultNamespace: "shop" });
    expect(set.objects[1]?.location.object).toBe("ConfigMap/shop/two");
  });

  it("reads standard input for -", async () => {
    const stdin = Readable.from([
      Buffer.from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-stdin, namespace: shop}\n",
      ),
      Buffer.from("data: {code: x}\n"),
    ]);
    const set = await loadManifests(["-"], { stdin });
    expect(set.objects.map((o) => o.location)).toEqual([
      { file: "-", document: 1, object: "ConfigMap/shop/from-stdin" },
    ]);
  });

  it("reports a path that does not exist", async () => {
    await expect(loadManifests("/nonexistent/tasks.yaml")).rejects.toThrow(
      'Cannot read "/nonexistent/tasks.yaml": no such file or directory',
    );
  });
});

describe("parseManifests", () => {
  it("flattens a List and points problems at its items", () => {
    const text = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: a, namespace: shop}
  - apiVersion: lifecycle.keptn.sh/v1
    kind: KeptnTask
    metadata: {name: t, namespace: shop}
    spec: {}
`;
    const set = parseManifests(text, "list.yaml", { onError: "collect" });
    expect(set.objects.map((o) => o.location.object)).toEqual(["ConfigMap/shop/a"]);
    expect(set.errors.map((e) => e.location)).toEqual([
      {
        file: "list.yaml",
        document: 1,
        object: "KeptnTask/shop/t",
        field: "items.1.spec.taskDefinition",
        // An absent field is placed at its nearest present parent: the item's spec.
        line: 10,
        column: 5,
      },
    ]);
  });

  it("skips empty documents but keeps counting them", () => {
    const set = parseManifests("---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
    expect(set.objects.map((o) => o.location)).toEqual([
      { file: "-", document: 2, object: "ConfigMap/default/c" },
    ]);
  });

  it("decodes Secret data and lets stringData win, as the API server does", () => {
    const set = parseManifests(
      "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: shop}\ndata: {A: YQ==, B: Yg==}\nstringData: {B: override}\n",
    );
    expect(set.objects[0]?.object).toMatchObject({
      keys: ["A", "B"],
      values: { A: "a", B: "override" },
    });
  });
});

describe("parseObjects", () => {
  it("validates already-parsed objects with their index as the document", () => {
    const set = parseObjects(
      [
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "shop" } },
        {
          apiVersion: "lifecycle.keptn.sh/v1",
          kind: "KeptnTaskDefinition",
          metadata: { name: "y" },
          spec: { deno: 1 },
        },
      ],
      "cluster",
      { onError: "collect" },
    );
    expect(set.objects.map((o) => o.location.object)).toEqual(["ConfigMap/shop/x"]);
    expect(set.errors[0]?.location).toEqual({
      file: "cluster",
      document: 2,
      object: "KeptnTaskDefinition/default/y",
      field: "spec.deno",
    });
  });
});
