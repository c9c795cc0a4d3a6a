import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { renderJob, resolveTask } from "../../sdk/src/definitions/index.js";
import { fixtureCatalog } from "../helpers/definition-fixtures.js";

// random() = 0 gives the operator's smallest suffix, 10000, for both the task and the Job.
const FIXED = { random: () => 0 };
const CONTEXT_PRE_APP =
  '{"workloadName":"","appName":"","appVersion":"","workloadVersion":"","taskType":"pre","objectType":"App"}';

describe("renderJob", () => {
  it("prints what kubectl prints: Go's sorted map keys, a nameless imagePullSecret as {}, no null command, a Duration as Go writes it", async () => {
    const catalog = await fixtureCatalog("render-details");
    const rendered = renderJob(
      resolveTask(catalog, { definition: "details", namespace: "shop" }),
      FIXED,
    );
    const yaml = rendered.yaml;
    // Labels and annotations sorted bytewise, upper case first, as Go's encoding/json does.
    expect(yaml).toContain("  labels:\n    Zone: b\n    app: shop\n    team: checkout\n");
    expect(yaml).toMatch(
      /annotations:\n {4}keptn\.sh\/app: ""\n {4}keptn\.sh\/task-name: pre-details-10000\n {4}keptn\.sh\/version: ""\n {4}owner: ops\n/,
    );
    expect(yaml).toContain("imagePullSecrets:\n        - name: registry\n        - {}\n");
    expect(rendered.task?.spec).toMatchObject({
      timeout: "2m0.5s",
      parameters: {},
      secureParameters: {},
    });
    const container = await fixtureCatalog("render-details").then((c) =>
      renderJob(resolveTask(c, { definition: "boxed", namespace: "shop" }), FIXED),
    );
    expect(container.yaml).not.toContain("command");
    expect(container.yaml).toContain("          args:\n            - --fast\n");
  });

  it("renders inline code as the keptnfn ConfigMap, the KeptnTask and the Job with every v1 field", async () => {
    const resolved = resolveTask(await fixtureCatalog("versions"), {
      definition: "v1",
      namespace: "shop",
    });
    const rendered = renderJob(resolved, FIXED);
    expect(rendered.configMap).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "keptnfn-v1", namespace: "shop" },
      data: { code: 'console.log("v1");' },
    });
    expect(rendered.task).toEqual({
      apiVersion: "lifecycle.keptn.sh/v1",
      kind: "KeptnTask",
      metadata: { name: "pre-v1-10000", namespace: "shop", labels: { team: "checkout" } },
      spec: {
        taskDefinition: "v1",
        context: {
          workloadName: "",
          appName: "",
          appVersion: "",
          workloadVersion: "",
          taskType: "pre",
          objectType: "App",
        },
        parameters: {},
        secureParameters: {},
        checkType: "pre",
        retries: 2,
        timeout: "1h30m0s",
      },
    });
    expect(rendered.job).toEqual({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name: "pre-v1-10000-10000",
        namespace: "shop",
        labels: { team: "checkout" },
        annotations: {
          "keptn.sh/app": "",
          "keptn.sh/version": "",
          "keptn.sh/task-name": "pre-v1-10000",
        },
      },
      spec: {
        activeDeadlineSeconds: 5400,
        backoffLimit: 2,
        template: {
          metadata: { labels: { team: "checkout" } },
          spec: {
            volumes: [{ name: "function-mount", configMap: { name: "keptnfn-v1" } }],
            containers: [
              {
                name: "keptn-function-runner",
                image: "ghcr.io/keptn/deno-runtime:v3.0.1",
                env: [
                  { name: "KEPTN_CONTEXT", value: CONTEXT_PRE_APP },
                  { name: "CMD_ARGS", value: "" },
                  { name: "SCRIPT", value: "/var/data/function.ts" },
                ],
                volumeMounts: [
                  {
                    name: "function-mount",
                    readOnly: true,
                    mountPath: "/var/data/function.ts",
                    subPath: "code",
                  },
                ],
                imagePullPolicy: "IfNotPresent",
              },
            ],
            restartPolicy: "OnFailure",
            serviceAccountName: "task-runner",
            automountServiceAccountToken: false,
            imagePullSecrets: [{ name: "regcred" }],
          },
        },
        ttlSecondsAfterFinished: 120,
      },
    });
    expect(rendered.objects).toEqual([rendered.configMap, rendered.task, rendered.job]);
  });

  it("renders a workload task with its annotations, an httpRef, DATA and no volume", async () => {
    const resolved = resolveTask(await fixtureCatalog("merge"), {
      definition: "child-of-shared",
      namespace: "shop",
      context: {
        workloadName: "cart",
        workloadVersion: "2.0.0",
        appName: "shop",
        taskType: "post",
      },
    });
    const rendered = renderJob(resolved, { random: () => 0.5 });
    expect(rendered.configMap).toBeUndefined();
    expect(rendered.job).toEqual({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name: "post-child-of-shared-54999-54999",
        namespace: "shop",
        annotations: {
          "keptn.sh/app": "shop",
          "keptn.sh/workload": "cart",
          "keptn.sh/version": "2.0.0",
          "keptn.sh/task-name": "post-child-of-shared-54999",
        },
      },
      spec: {
        activeDeadlineSeconds: 300,
        backoffLimit: 10,
        template: {
          metadata: {},
          spec: {
            containers: [
              {
                name: "keptn-function-runner",
                image: "ghcr.io/keptn/deno-runtime:v3.0.1",
                env: [
                  {
                    name: "KEPTN_CONTEXT",
                    value:
                      '{"workloadName":"cart","appName":"shop","appVersion":"","workloadVersion":"2.0.0","taskType":"post","objectType":"Workload"}',
                  },
                  { name: "CMD_ARGS", value: "" },
                  { name: "SCRIPT", value: "https://scripts.example.com/shared.ts" },
                ],
                imagePullPolicy: "IfNotPresent",
              },
            ],
            restartPolicy: "OnFailure",
          },
        },
        ttlSecondsAfterFinished: 300,
      },
    });
  });

  it("renders a hand-made task's Job with its name, annotations, DATA and SECURE_DATA, and no KeptnTask", async () => {
    const catalog = await fixtureCatalog("merge");
    const resolved = resolveTask(catalog, { task: "handmade", namespace: "shop" });
    const rendered = renderJob(resolved, { jobName: "handmade-12345" });
    expect(rendered.task).toBeUndefined();
    // The parent's inline code: Keptn keeps it in the parent's ConfigMap.
    expect(rendered.configMap).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "keptnfn-parent", namespace: "shop" },
      data: { code: 'print("parent")' },
    });
    expect(rendered.job).toEqual({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name: "handmade-12345",
        namespace: "shop",
        annotations: {
          "keptn.sh/app": "shop",
          "keptn.sh/version": "1.2.0",
          "keptn.sh/task-name": "handmade",
        },
      },
      spec: {
        activeDeadlineSeconds: 300,
        backoffLimit: 10,
        template: {
          metadata: {},
          spec: {
            volumes: [{ name: "function-mount", configMap: { name: "keptnfn-parent" } }],
            containers: [
              {
                name: "keptn-function-runner",
                image: "ghcr.io/keptn/python-runtime:v1.0.8",
                env: [
                  { name: "DATA", value: '{"a":"parent","b":"child","c":"child","d":"task"}' },
                  {
                    name: "KEPTN_CONTEXT",
                    value:
                      '{"workloadName":"","appName":"shop","appVersion":"1.2.0","workloadVersion":"","taskType":"pre","objectType":"App"}',
                  },
                  { name: "CMD_ARGS", value: "-u" },
                  {
                    name: "SECURE_DATA",
                    valueFrom: { secretKeyRef: { name: "task-secret", key: "SECURE_DATA" } },
                  },
                  { name: "SCRIPT", value: "/var/data/function.py" },
                ],
                volumeMounts: [
                  {
                    name: "function-mount",
                    readOnly: true,
                    mountPath: "/var/data/function.py",
                    subPath: "code",
                  },
                ],
                imagePullPolicy: "IfNotPresent",
              },
            ],
            restartPolicy: "OnFailure",
          },
        },
        ttlSecondsAfterFinished: 300,
      },
    });
  });

  it("renders no ConfigMap for a user's configMapRef, only the mount", async () => {
    const resolved = resolveTask(await fixtureCatalog("versions"), {
      definition: "beta1",
      namespace: "shop",
    });
    const rendered = renderJob(resolved, FIXED);
    expect(rendered.configMap).toBeUndefined();
    expect(rendered.objects.map((o) => o.kind)).toEqual(["KeptnTask", "Job"]);
    expect(rendered.job.spec).toMatchObject({
      template: {
        spec: { volumes: [{ name: "function-mount", configMap: { name: "beta1-code" } }] },
      },
      ttlSecondsAfterFinished: 60,
    });
  });

  it("renders a container task as the user's container plus KEPTN_CONTEXT, with the 1-byte emptyDir Keptn adds", async () => {
    const resolved = resolveTask(await fixtureCatalog("traps"), {
      definition: "container-volume",
      namespace: "shop",
    });
    const rendered = renderJob(resolved, FIXED);
    expect(rendered.job.spec).toEqual({
      activeDeadlineSeconds: 300,
      backoffLimit: 10,
      template: {
        metadata: {},
        spec: {
          volumes: [{ name: "scratch", emptyDir: { medium: "Memory", sizeLimit: "1" } }],
          containers: [
            {
              name: "c",
              image: "busybox",
              volumeMounts: [{ name: "scratch", mountPath: "/scratch" }],
              env: [{ name: "KEPTN_CONTEXT", value: CONTEXT_PRE_APP }],
            },
          ],
          restartPolicy: "OnFailure",
        },
      },
      ttlSecondsAfterFinished: 300,
    });
  });

  it("shortens long names the way the operator does and lower-cases them", async () => {
    const catalog = await fixtureCatalog("code-sources");
    const long = catalog.definitions().find((d) => d.name.startsWith("a-very-long"));
    const resolved = resolveTask(catalog, { definition: long?.name ?? "", namespace: "shop" });
    const rendered = renderJob(resolved, { random: () => 0.99999 });
    const taskName = rendered.task?.metadata.name ?? "";
    // <pre>-<definition cut to fit 253>-<suffix>; the Job name cuts the task name again.
    expect(taskName).toBe(`pre-${long?.name.slice(0, 253 - 4 - 6)}-99998`);
    expect(taskName).toHaveLength(253);
    expect(rendered.job.metadata.name).toBe(`${taskName.slice(0, 253 - 6)}-99998`);
  });

  it("emits YAML that parses back to the same objects", async () => {
    const resolved = resolveTask(await fixtureCatalog("merge"), {
      definition: "child",
      namespace: "shop",
    });
    const rendered = renderJob(resolved, FIXED);
    const documents = parseAllDocuments(rendered.yaml);
    expect(Array.isArray(documents) ? documents.map((d) => d.toJS()) : []).toEqual(
      rendered.objects,
    );
    expect(rendered.yaml).toContain('value: \'{"a":"parent","b":"child","c":"child"}\'');
  });
});
