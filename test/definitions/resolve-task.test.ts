import { describe, expect, it } from "vitest";
import {
  createCatalog,
  type EnvVar,
  parseManifests,
  type ResolvedTask,
  type ResolveTaskOptions,
  resolveTask,
} from "../../sdk/src/definitions/index.js";
import { CodeResolutionError, ConfigError } from "../../sdk/src/errors/errors.js";
import { fixtureCatalog } from "../helpers/definition-fixtures.js";

const CONTEXT_PRE_APP =
  '{"workloadName":"","appName":"","appVersion":"","workloadVersion":"","taskType":"pre","objectType":"App"}';
const DENO_IMAGE = "ghcr.io/keptn/deno-runtime:v3.0.1";
const PYTHON_IMAGE = "ghcr.io/keptn/python-runtime:v1.0.8";

function envRecord(env: readonly EnvVar[]): Record<string, unknown> {
  return Object.fromEntries(
    env.map((e) => ["value" in e ? [e.name, e.value] : [e.name, e.valueFrom]][0] ?? []),
  );
}

interface Row {
  it: string;
  fixture: string;
  options:
    | ResolveTaskOptions
    | ((catalog: Awaited<ReturnType<typeof fixtureCatalog>>) => ResolveTaskOptions);
  expect: (resolved: ResolvedTask) => void;
}

// One row per merge rule of CONTRACT.md and per apiVersion.
const rows: Row[] = [
  {
    it: "lets a ConfigMap win over httpRef when a definition has both",
    fixture: "code-sources",
    options: { definition: "configmap-and-http", namespace: "shop" },
    expect: (r) => {
      expect(r.code).toMatchObject({ kind: "configMap", name: "task-code", createdByKeptn: false });
      expect(envRecord(r.env).SCRIPT).toBe("/var/data/function.ts");
    },
  },
  {
    it: "turns inline code into ConfigMap keptnfn-<name> with key code, even when httpRef is set",
    fixture: "code-sources",
    options: { definition: "inline-and-http", namespace: "shop" },
    expect: (r) =>
      expect(r.code).toEqual({
        kind: "configMap",
        name: "keptnfn-inline-and-http",
        namespace: "shop",
        key: "code",
        code: 'console.log("inline wins");',
        createdByKeptn: true,
        definition: { name: "inline-and-http", namespace: "shop", version: "v1" },
      }),
  },
  {
    it: "prefers inline code over configMapRef, as the operator names the ConfigMap after inline first",
    fixture: "code-sources",
    options: { definition: "inline-and-configmap", namespace: "shop" },
    expect: (r) =>
      expect(r.code).toMatchObject({ name: "keptnfn-inline-and-configmap", createdByKeptn: true }),
  },
  {
    it: "truncates the definition name to 245 characters in keptnfn-<name>",
    fixture: "code-sources",
    options: (c) => ({
      definition: c.definitions().find((d) => d.name.startsWith("a-very-long"))?.name ?? "",
      namespace: "shop",
    }),
    expect: (r) => {
      expect(r.code.kind === "configMap" && r.code.name.length).toBe(253);
      expect(r.code.kind === "configMap" && r.code.name).toBe(
        `keptnfn-${r.definition.name.slice(0, 245)}`,
      );
    },
  },
  {
    it: "puts the httpRef URL in SCRIPT when there is no ConfigMap",
    fixture: "code-sources",
    options: { definition: "http-only", namespace: "shop" },
    expect: (r) => {
      expect(r.code).toMatchObject({ kind: "url", url: "https://scripts.example.com/task.ts" });
      expect(r.env).toEqual([
        { name: "KEPTN_CONTEXT", value: CONTEXT_PRE_APP },
        { name: "CMD_ARGS", value: "" },
        { name: "SCRIPT", value: "https://scripts.example.com/task.ts" },
      ]);
    },
  },
  {
    it: "looks a functionRef up in the task namespace before the Keptn namespace",
    fixture: "merge",
    options: { definition: "child-of-both", namespace: "shop" },
    expect: (r) => {
      expect(r.code).toMatchObject({
        kind: "url",
        url: "https://scripts.example.com/both-shop.ts",
      });
      expect(r.chain.map((d) => `${d.namespace}/${d.name}`)).toEqual([
        "shop/child-of-both",
        "shop/both",
      ]);
    },
  },
  {
    it: "falls back to the Keptn namespace for a functionRef",
    fixture: "merge",
    options: { definition: "child-of-shared", namespace: "shop" },
    expect: (r) => {
      expect(r.code).toMatchObject({
        kind: "url",
        definition: { name: "shared", namespace: "keptn-system" },
      });
      expect(r.ok).toBe(true);
    },
  },
  {
    it: "uses the configured Keptn namespace for the fallback",
    fixture: "merge",
    options: { definition: "child-of-shared", namespace: "shop", keptnNamespace: "keptn" },
    expect: (r) => {
      expect(r.code).toEqual({ kind: "none" });
      expect(r.diagnostics.map((d) => d.code)).toContain("MISSING_PARENT");
    },
  },
  {
    it: "takes code, image and mount path from the parent",
    fixture: "merge",
    options: { definition: "deno-child-of-python", namespace: "shop" },
    expect: (r) => {
      expect([r.runner, r.image, r.mountPath]).toEqual([
        "python",
        PYTHON_IMAGE,
        "/var/data/function.py",
      ]);
      expect(r.code).toMatchObject({ name: "keptnfn-parent", definition: { name: "parent" } });
    },
  },
  {
    it: "unions parameters with the child's values winning",
    fixture: "merge",
    options: { definition: "child", namespace: "shop" },
    expect: (r) => {
      expect(r.parameters).toEqual({ a: "parent", b: "child", c: "child" });
      expect(envRecord(r.env).DATA).toBe('{"a":"parent","b":"child","c":"child"}');
    },
  },
  {
    it: "takes secureParameters and cmdParameters from the parent when the child sets none",
    fixture: "merge",
    options: { definition: "child", namespace: "shop" },
    expect: (r) => {
      expect([r.secureParameters, r.cmdParameters]).toEqual(["parent-secret", "-u"]);
    },
  },
  {
    it: "keeps the child's secureParameters and cmdParameters when it sets them",
    fixture: "merge",
    options: { definition: "child-own-secret", namespace: "shop" },
    expect: (r) => {
      expect(envRecord(r.env)).toMatchObject({
        CMD_ARGS: "-B",
        SECURE_DATA: { secretKeyRef: { name: "child-secret", key: "SECURE_DATA" } },
      });
    },
  },
  {
    it: "lets a hand-made KeptnTask fill only missing parameter keys and override the secret",
    fixture: "merge",
    options: (c) => ({ task: c.findTask("handmade", "shop") ?? "handmade" }),
    expect: (r) => {
      expect(r.parameters).toEqual({ a: "parent", b: "child", c: "child", d: "task" });
      expect(r.secureParameters).toBe("task-secret");
      expect(r.task).toMatchObject({ name: "handmade", handMade: true, checkType: "pre" });
      expect(envRecord(r.env).KEPTN_CONTEXT).toBe(
        '{"workloadName":"","appName":"shop","appVersion":"1.2.0","workloadVersion":"","taskType":"pre","objectType":"App"}',
      );
    },
  },
  {
    it: "lets a parent's value replace an empty child value, as Keptn's mergo.Merge does",
    fixture: "empty-values",
    options: { definition: "empty-child", namespace: "shop" },
    expect: (r) => {
      // a: "" in the child is unset for mergo; e: "" on both sides stays "".
      expect(r.parameters).toEqual({ a: "parent", b: "parent", c: "", d: "child", e: "" });
      expect(envRecord(r.env).DATA).toBe('{"a":"parent","b":"parent","c":"","d":"child","e":""}');
      expect([r.secureParameters, r.cmdParameters]).toEqual(["parent-secret", "--parent"]);
    },
  },
  {
    it: "lets a KeptnTask fill empty definition values too, but never replace a set one",
    fixture: "empty-values",
    options: { task: "empty-run", namespace: "shop" },
    expect: (r) => {
      expect(r.parameters).toEqual({
        a: "parent",
        b: "parent",
        c: "task",
        d: "child",
        e: "",
        g: "",
      });
      // secureParameters.secret "" on the task is unset: the definition's secret stays.
      expect(r.secureParameters).toBe("parent-secret");
    },
  },
  {
    it: "finds a KeptnTask by name in the catalog",
    fixture: "merge",
    options: { task: "handmade", namespace: "shop" },
    expect: (r) => expect(r.task.name).toBe("handmade"),
  },
  {
    it: "follows one functionRef level like Keptn, so a -> b -> c leaves SCRIPT empty",
    fixture: "chains",
    options: { definition: "a", namespace: "shop" },
    expect: (r) => {
      expect(r.mode).toBe("keptn");
      expect(r.code).toEqual({ kind: "none" });
      expect(envRecord(r.env).SCRIPT).toBe("");
      // Only the parent's parameters reach the child; the grandparent's do not.
      expect(r.parameters).toEqual({ from: "a", "only-b": "yes" });
      expect(r.chain.map((d) => d.name)).toEqual(["a", "b"]);
      expect(r.ok).toBe(false);
    },
  },
  {
    it: "resolves the whole chain when full chains are asked for",
    fixture: "chains",
    options: { definition: "a", namespace: "shop", functionRefs: "full" },
    expect: (r) => {
      expect(r.mode).toBe("full");
      expect(r.code).toMatchObject({ kind: "configMap", name: "keptnfn-c" });
      expect(envRecord(r.env).SCRIPT).toBe("/var/data/function.py");
      expect(r.parameters).toEqual({ from: "a", "only-b": "yes", "only-c": "yes" });
      expect(r.cmdParameters).toBe("-B");
      expect(r.chain.map((d) => d.name)).toEqual(["a", "b", "c"]);
      expect(r.diagnostics.map((d) => [d.level, d.code])).toEqual([
        ["warning", "FUNCTIONREF_CHAIN"],
      ]);
    },
  },
  {
    it: "stops at a cycle when full chains are asked for",
    fixture: "chains",
    options: { definition: "x", namespace: "shop", functionRefs: "full" },
    expect: (r) => {
      expect(r.code).toEqual({ kind: "none" });
      expect(r.diagnostics.map((d) => [d.level, d.code])).toEqual([["error", "CYCLE"]]);
    },
  },
  {
    it: "runs spec.deno of a v1beta1 definition that also sets spec.function, on the deno image",
    fixture: "traps",
    options: { definition: "function-and-deno-in-v1beta1", namespace: "shop" },
    expect: (r) => {
      expect([r.runner, r.image, r.mountPath]).toEqual([
        "deno",
        DENO_IMAGE,
        "/var/data/function.ts",
      ]);
      expect(r.code).toMatchObject({ kind: "configMap", code: 'console.log("runs")' });
    },
  },
  {
    it: "runs spec.python of a v1alpha3 definition that also sets spec.function, on the python image",
    fixture: "traps",
    options: { definition: "function-and-python-alpha3", namespace: "shop" },
    expect: (r) => {
      expect([r.runner, r.image, r.mountPath]).toEqual([
        "python",
        PYTHON_IMAGE,
        "/var/data/function.py",
      ]);
      expect(r.code).toMatchObject({ kind: "configMap", code: 'print("runs")' });
    },
  },
  {
    it: "resolves v1alpha3 retries and timeout into backoffLimit and activeDeadlineSeconds",
    fixture: "versions",
    options: { definition: "alpha3", namespace: "shop" },
    expect: (r) =>
      expect(r.job).toEqual({
        retries: 3,
        timeout: "90s",
        activeDeadlineSeconds: 90,
        ttlSecondsAfterFinished: 300,
        serviceAccountName: undefined,
        automountServiceAccountToken: undefined,
        imagePullSecrets: [],
      }),
  },
  {
    it: "resolves v1beta1 python with a user ConfigMap and cmdParameters",
    fixture: "versions",
    options: { definition: "beta1", namespace: "shop" },
    expect: (r) => {
      expect([r.runner, r.image, r.mountPath, r.cmdParameters]).toEqual([
        "python",
        PYTHON_IMAGE,
        "/var/data/function.py",
        "-u",
      ]);
      expect(r.code).toMatchObject({
        kind: "configMap",
        name: "beta1-code",
        code: 'print("beta1")',
      });
      expect(r.job).toMatchObject({
        retries: 10,
        timeout: "5m",
        activeDeadlineSeconds: 300,
        ttlSecondsAfterFinished: 60,
      });
    },
  },
  {
    it: "resolves v1 service account, token automount and image pull secrets",
    fixture: "versions",
    options: { definition: "v1", namespace: "shop" },
    expect: (r) =>
      expect(r.job).toEqual({
        retries: 2,
        timeout: "1h30m",
        activeDeadlineSeconds: 5400,
        ttlSecondsAfterFinished: 120,
        serviceAccountName: "task-runner",
        automountServiceAccountToken: false,
        imagePullSecrets: [{ name: "regcred" }],
      }),
  },
  {
    it: "adds only KEPTN_CONTEXT to a container task",
    fixture: "versions",
    options: { definition: "container", namespace: "shop" },
    expect: (r) => {
      expect([r.runner, r.image, r.mountPath]).toEqual(["container", "busybox:1.36", undefined]);
      expect(r.env).toEqual([
        { name: "MODE", value: "strict" },
        { name: "KEPTN_CONTEXT", value: CONTEXT_PRE_APP },
      ]);
      expect(r.container).toMatchObject({
        name: "check",
        command: ["sh", "-c", "echo $KEPTN_CONTEXT"],
      });
    },
  },
  {
    it: "uses the given runner images",
    fixture: "merge",
    options: {
      definition: "child",
      namespace: "shop",
      images: { python: "registry.local/python-runner:1" },
    },
    expect: (r) => expect(r.image).toBe("registry.local/python-runner:1"),
  },
  {
    it: "builds the context of a workload task with the metadata keys sorted",
    fixture: "versions",
    options: {
      definition: "v1",
      namespace: "shop",
      context: {
        workloadName: "cart",
        workloadVersion: "2.0.0",
        appName: "shop",
        taskType: "post",
        metadata: { traceparent: "00-abc-def-01", commit: "f00" },
      },
    },
    expect: (r) => {
      expect(envRecord(r.env).KEPTN_CONTEXT).toBe(
        '{"workloadName":"cart","appName":"shop","appVersion":"","workloadVersion":"2.0.0","taskType":"post","objectType":"Workload","metadata":{"commit":"f00","traceparent":"00-abc-def-01"}}',
      );
      expect(r.task.checkType).toBe("post");
    },
  },
];

describe("resolveTask", () => {
  it.each(rows.map((row) => [row.it, row] as const))("%s", async (_name, row) => {
    const catalog = await fixtureCatalog(row.fixture);
    const options = typeof row.options === "function" ? row.options(catalog) : row.options;
    row.expect(resolveTask(catalog, options));
  });

  it("takes retries and timeout from a hand-made KeptnTask, not from the definition", async () => {
    const catalog = await fixtureCatalog("traps");
    const resolved = resolveTask(catalog, { task: "tuned-run", namespace: "shop" });
    expect(resolved.job).toMatchObject({ retries: 10, timeout: "5m", activeDeadlineSeconds: 300 });
  });

  it("encodes DATA as Go does: keys sorted bytewise and <, > and & escaped", () => {
    const { objects } = parseManifests(`apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: {name: esc, namespace: shop}
spec:
  deno:
    inline: {code: x}
    parameters:
      map: {b: "<a href='x'>&</a>", B: "line\\nbreak", a: "é\\u2028"}
`);
    const resolved = resolveTask(createCatalog(objects), { definition: "esc", namespace: "shop" });
    expect(envRecord(resolved.env).DATA).toBe(
      '{"B":"line\\nbreak","a":"é\\u2028","b":"\\u003ca href=\'x\'\\u003e\\u0026\\u003c/a\\u003e"}',
    );
  });

  it("replaces a container's own KEPTN_CONTEXT value in place", () => {
    const { objects } = parseManifests(`apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: {name: c, namespace: shop}
spec:
  container:
    name: c
    image: busybox
    env: [{name: KEPTN_CONTEXT, value: stale}, {name: AFTER, value: "1"}]
`);
    const resolved = resolveTask(createCatalog(objects), { definition: "c", namespace: "shop" });
    expect(resolved.env).toEqual([
      { name: "KEPTN_CONTEXT", value: CONTEXT_PRE_APP },
      { name: "AFTER", value: "1" },
    ]);
  });

  it("returns frozen data", async () => {
    const resolved = resolveTask(await fixtureCatalog("merge"), {
      definition: "child",
      namespace: "shop",
    });
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(Object.isFrozen(resolved.env)).toBe(true);
    expect(Object.isFrozen(resolved.parameters)).toBe(true);
  });

  it("throws a CodeResolutionError for a definition that exists nowhere", async () => {
    const catalog = await fixtureCatalog("merge");
    expect(() => resolveTask(catalog, { definition: "nope", namespace: "shop" })).toThrow(
      new CodeResolutionError(
        'Cannot find KeptnTaskDefinition "nope" in namespace "shop" or "keptn-system"',
      ),
    );
  });

  it("throws a CodeResolutionError for a definition without a runtime", async () => {
    const catalog = await fixtureCatalog("traps");
    expect(() => resolveTask(catalog, { definition: "no-runtime", namespace: "shop" })).toThrow(
      /^Cannot resolve KeptnTaskDefinition "shop\/no-runtime": "no-runtime" sets no runtime/,
    );
  });

  it.each(["alpha1", "alpha2"])(
    "refuses %s, whose only runtime is spec.function, as Keptn 2.x's webhook does",
    async (name) => {
      const catalog = await fixtureCatalog("versions");
      expect(() => resolveTask(catalog, { definition: name, namespace: "shop" })).toThrow(
        new RegExp(
          `^Cannot resolve KeptnTaskDefinition "shop/${name}": "${name}" sets only spec\\.function, which Keptn 2\\.x ignores in every apiVersion: its admission webhook rejects the definition`,
        ),
      );
    },
  );

  it("says a definition is not found in one namespace when Keptn's is the same", async () => {
    const catalog = await fixtureCatalog("merge");
    expect(() => resolveTask(catalog, { definition: "nope", namespace: "keptn-system" })).toThrow(
      new CodeResolutionError('Cannot find KeptnTaskDefinition "nope" in namespace "keptn-system"'),
    );
  });

  it("names every missing option in one ConfigError", async () => {
    const catalog = await fixtureCatalog("merge");
    const error = (() => {
      try {
        resolveTask(catalog, {});
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path)).toEqual(["definition", "namespace"]);
  });
});
