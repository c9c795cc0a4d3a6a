import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { localTags } from "../../scripts/images/bake.mjs";
import {
  createCatalog,
  type KubernetesObject,
  loadManifests,
  renderJob,
  resolveTask,
} from "../../sdk/src/definitions/index.js";
import { podman, podmanOutput } from "../helpers/podman.js";
import { runnerLogLines, scratch } from "../helpers/runner.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/images/kube-play.yaml", import.meta.url));
const SECRET_VALUE = "kube-play-secret-5d1e";

interface Container {
  name: string;
  volumeMounts?: Record<string, unknown>[];
  [field: string]: unknown;
}
interface PodSpec {
  volumes?: Record<string, unknown>[];
  containers: Container[];
  restartPolicy?: string;
  [field: string]: unknown;
}
interface PodTemplate {
  metadata?: Record<string, unknown>;
  spec: PodSpec;
}

/**
 * The Job's pod template as a Pod podman 4.3 can play, changed only where podman or the
 * restricted Pod Security Standard needs it; everything else is the rendered Job's own:
 * - kind Pod named after the Job, holding the template's metadata and spec: podman plays Pods,
 *   not Jobs. The Job-level fields (backoffLimit, activeDeadlineSeconds, ttlSecondsAfterFinished)
 *   belong to the Job controller, which podman does not have, so they are dropped.
 * - restartPolicy OnFailure becomes Never: podman would restart a failing container in place
 *   without the Job's backoffLimit, and the test reads the one attempt's exit code.
 * - the container gets the securityContext a "restricted" namespace demands (runAsUser 65532,
 *   runAsNonRoot, readOnlyRootFilesystem, no privilege escalation, all capabilities dropped) and
 *   an emptyDir at /tmp, the only place the image writes. The operator sets neither; a cluster
 *   enforcing the standard would add them.
 * Unchanged: the image, env (SECURE_DATA from the Secret by secretKeyRef), the ConfigMap volume
 * and its `subPath: code` mount. podman 4.3 mounts that subPath as a directory holding `code`,
 * and SCRIPT (the mount path) then names that directory, which the runner accepts as is.
 */
function podFromJob(job: KubernetesObject): KubernetesObject {
  const template = structuredClone((job.spec as { template: PodTemplate }).template);
  const [container, ...others] = template.spec.containers;
  if (container === undefined || others.length > 0) throw new Error("expected one container");
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { ...template.metadata, name: job.metadata.name, namespace: job.metadata.namespace },
    spec: {
      ...template.spec,
      restartPolicy: "Never",
      volumes: [...(template.spec.volumes ?? []), { name: "tmp", emptyDir: {} }],
      containers: [
        {
          ...container,
          volumeMounts: [...(container.volumeMounts ?? []), { name: "tmp", mountPath: "/tmp" }],
          securityContext: {
            runAsUser: 65532,
            runAsNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
          },
        },
      ],
    },
  };
}

const tmp = scratch("keptn-task-kube-play-");
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  tmp.cleanup();
});

describe("podman kube play", () => {
  it("runs the Job renderJob renders for an inline deno definition, with its ConfigMap and Secret", async () => {
    const catalog = createCatalog(await loadManifests(FIXTURE));
    const resolved = resolveTask(catalog, {
      definition: "image-smoke-test",
      namespace: "shop",
      images: {
        deno: localTags["deno-runtime"] ?? "",
        python: localTags["python-runtime"] ?? "",
      },
      context: {
        appName: "podtato-head",
        workloadName: "podtato-head-entry",
        workloadVersion: "0.3.1",
        objectType: "Workload",
      },
    });
    expect(resolved.diagnostics.filter((d) => d.level === "error")).toEqual([]);
    const { job, configMap } = renderJob(resolved);
    if (configMap === undefined) throw new Error("inline code must render a ConfigMap");
    const secretName = resolved.secureParameters ?? "";
    const secret = catalog.findSecret(secretName, "shop");
    if (secret === undefined) throw new Error(`the fixture has no Secret "${secretName}"`);

    const pod = podFromJob(job);
    const podName = pod.metadata.name;
    const container = (pod.spec as PodSpec).containers[0];
    // What the operator renders, played unchanged.
    expect(container?.image).toBe(localTags["deno-runtime"]);
    expect(container?.env).toContainEqual({ name: "SCRIPT", value: "/var/data/function.ts" });
    expect(container?.env).toContainEqual({
      name: "SECURE_DATA",
      valueFrom: { secretKeyRef: { name: secretName, key: "SECURE_DATA" } },
    });
    expect(container?.volumeMounts?.[0]).toEqual({
      name: "function-mount",
      readOnly: true,
      mountPath: "/var/data/function.ts",
      subPath: "code",
    });

    // podman 4.3 plays no Secret objects: it reads secretKeyRef from a podman secret whose file
    // is a JSON map of key to base64 value. The ConfigMap becomes a volume named after it.
    const configMapVolume = configMap.metadata.name;
    const secretFile = tmp.file(
      "secret.json",
      JSON.stringify(
        Object.fromEntries(
          Object.entries(secret.values).map(([key, value]) => [
            key,
            Buffer.from(value).toString("base64"),
          ]),
        ),
      ),
    );
    const kubeFile = join(tmp.dir, "job.yaml");
    writeFileSync(kubeFile, [configMap, pod].map((o) => stringify(o)).join("---\n"));
    // Leftovers of an interrupted run would be reused (the old code, the old secret).
    await podman(["volume", "rm", "--force", configMapVolume]);
    await podman(["secret", "rm", secretName]);
    await podmanOutput(["secret", "create", secretName, secretFile]);
    cleanups.push(() => podman(["secret", "rm", secretName]));
    cleanups.push(() => podman(["volume", "rm", "--force", configMapVolume]));
    cleanups.push(() => podman(["kube", "down", kubeFile]));
    await podmanOutput(["kube", "play", kubeFile]);

    const runner = `${podName}-keptn-function-runner`;
    const exitCode = await podmanOutput(["wait", runner]);
    const logs = await podman(["logs", runner]);
    const state = await podmanOutput([
      "inspect",
      "--format",
      "{{.Config.User}} {{.HostConfig.ReadonlyRootfs}}",
      runner,
    ]);

    expect(exitCode).toBe("0");
    expect(state).toBe("65532 true");
    expect(runnerLogLines(logs.stderr)).toEqual([]);
    expect(JSON.parse(logs.stdout)).toMatchObject({
      msg: "smoke test of podtato-head-entry 0.3.1",
      target: "http://podtato-head.shop.svc",
      token: "***",
      app: "podtato-head",
      taskType: "pre",
    });
    expect(logs.stdout).not.toContain(SECRET_VALUE);
  });
});
