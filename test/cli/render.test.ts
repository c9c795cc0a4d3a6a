import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { runCli, runCliInProcess } from "../helpers/keptn-task-cli.js";

const TASKS = "test/cli/fixtures/tasks.yaml";

interface Obj {
  kind: string;
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  data?: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: a Job's spec is read by path in assertions
  spec?: any;
}

const documents = (yaml: string): Obj[] =>
  parseAllDocuments(yaml).map((d) => (d as { toJS(): unknown }).toJS() as Obj);

describe("keptn-task render", () => {
  it("prints the function ConfigMap, the KeptnTask and the Job the operator would create", async () => {
    const result = await runCli([
      "render",
      "hello",
      "-f",
      "examples/hello",
      "--app",
      "podtato-head",
      "--workload",
      "podtato-head-entry",
      "--version",
      "0.3.1",
      "--task-type",
      "post",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const [configMap, task, job] = documents(result.stdout);
    expect(configMap).toMatchObject({
      kind: "ConfigMap",
      metadata: { name: "keptnfn-hello", namespace: "default" },
    });
    expect(configMap?.data?.code).toContain('Deno.env.get("KEPTN_CONTEXT")');
    expect(task).toMatchObject({
      kind: "KeptnTask",
      spec: { taskDefinition: "hello", checkType: "post", timeout: "1m0s" },
    });
    expect(job?.kind).toBe("Job");
    expect(job?.metadata.name).toMatch(/^post-hello-\d{5}-\d{5}$/);
    expect(job?.metadata.annotations).toMatchObject({
      "keptn.sh/app": "podtato-head",
      "keptn.sh/workload": "podtato-head-entry",
      "keptn.sh/version": "0.3.1",
    });
    expect(job?.spec.activeDeadlineSeconds).toBe(60);
    const container = job?.spec.template.spec.containers[0];
    expect(container.image).toBe("ghcr.io/keptn/deno-runtime:v3.0.1");
    expect(container.env).toEqual([
      { name: "DATA", value: '{"greeting":"Hello"}' },
      {
        name: "KEPTN_CONTEXT",
        value:
          '{"workloadName":"podtato-head-entry","appName":"podtato-head","appVersion":"","workloadVersion":"0.3.1","taskType":"post","objectType":"Workload"}',
      },
      { name: "CMD_ARGS", value: "" },
      { name: "SCRIPT", value: "/var/data/function.ts" },
    ]);
    expect(container.volumeMounts).toEqual([
      {
        name: "function-mount",
        readOnly: true,
        mountPath: "/var/data/function.ts",
        subPath: "code",
      },
    ]);
  });

  it("takes the runner image and namespace from flags and prints JSON with --output json", async () => {
    const result = await runCliInProcess([
      "render",
      "python-env",
      "-f",
      TASKS,
      "-n",
      "shop",
      "--python-image",
      "ghcr.io/keptn-task/python-runtime:dev",
      "-o",
      "json",
    ]);
    expect(result.code).toBe(0);
    const list = JSON.parse(result.stdout) as { kind: string; items: Obj[] };
    expect(list.kind).toBe("List");
    const job = list.items.find((o) => o.kind === "Job");
    expect(job?.metadata.namespace).toBe("shop");
    expect(job?.spec.template.spec.containers[0].image).toBe(
      "ghcr.io/keptn-task/python-runtime:dev",
    );
  });

  it("renders into the namespace of -n the objects that name none, as kubectl apply -n does", async () => {
    const result = await runCliInProcess(["render", "hello", "-f", "examples/hello", "-n", "prod"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(documents(result.stdout).map((o) => [o.kind, o.metadata.namespace])).toEqual([
      ["ConfigMap", "prod"],
      ["KeptnTask", "prod"],
      ["Job", "prod"],
    ]);
  });

  it("says where a definition is when -n names another namespace", async () => {
    const result = await runCliInProcess(["render", "python-env", "-f", TASKS, "-n", "prod"]);
    expect(result.stderrLines).toEqual([
      `keptn-task: Cannot find KeptnTaskDefinition "python-env" in namespace "prod" or "keptn-system" in "${TASKS}": it is in namespace "shop": use -n shop`,
    ]);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(66);
  });

  it("prints the resolution's warnings on stderr and still renders", async () => {
    const result = await runCliInProcess(["render", "missing-configmap", "-f", TASKS]);
    expect(result.code).toBe(0);
    expect(result.stderrLines).toEqual([
      expect.stringMatching(
        /^keptn-task: test\/cli\/fixtures\/tasks\.yaml:6: warning CONFIGMAP_NOT_FOUND ConfigMap "not-applied"/,
      ),
    ]);
    expect(documents(result.stdout).map((o) => o.kind)).toEqual(["KeptnTask", "Job"]);
  });

  it("renders a functionRef chain whose parent has code: Keptn runs the parent's code, with a warning", async () => {
    const result = await runCliInProcess([
      "render",
      "child",
      "-f",
      "test/cli/fixtures/keptn-runs-these.yaml",
    ]);
    expect(result.code).toBe(0);
    expect(result.stderrLines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /: warning FUNCTIONREF_CHAIN functionRef chain child -> parent -> grandparent: Keptn follows one level, so it runs the code of "parent"/,
        ),
      ]),
    );
    const configMap = documents(result.stdout).find((o) => o.kind === "ConfigMap");
    expect(configMap?.metadata.name).toBe("keptnfn-parent");
    expect(configMap?.data?.code).toBe('console.log("the parent runs")');
  });

  it("renders an httpRef with a malformed #sha256 pin, which Keptn's images ignore, with a warning", async () => {
    const result = await runCliInProcess([
      "render",
      "sri-pinned",
      "-f",
      "test/cli/fixtures/keptn-runs-these.yaml",
    ]);
    expect(result.code).toBe(0);
    expect(result.stderrLines).toEqual([
      expect.stringMatching(
        /: warning HTTPREF_PIN_INVALID "sri-pinned" has spec\.deno\.httpRef\.url/,
      ),
    ]);
    expect(result.stdout).toContain("value: https://scripts.example.com/a.ts#sha256=sha256-abc=");
  });

  it.each([
    {
      case: "a missing file",
      args: ["render", "hello", "-f", "examples/nowhere.yaml"],
      code: 65,
      line: 'keptn-task: Cannot read "examples/nowhere.yaml": no such file or directory',
    },
    {
      case: "invalid YAML",
      args: ["render", "hello", "-f", "test/fixtures/definitions/broken.yaml"],
      code: 65,
      line: /^keptn-task: test\/fixtures\/definitions\/broken\.yaml:6:1: Cannot parse YAML: /,
    },
    {
      case: "a mistyped definition name",
      args: ["render", "helo", "-f", "examples/hello"],
      code: 66,
      line: 'keptn-task: Cannot find KeptnTaskDefinition "helo" in "examples/hello": did you mean "hello"?',
    },
    {
      case: "a definition whose code cannot be resolved",
      args: ["render", "orphan", "-f", TASKS],
      code: 66,
      line: /^keptn-task: Cannot render "orphan": MISSING_PARENT "orphan" has functionRef "no-such-parent"/,
    },
    {
      case: "a name in two namespaces",
      args: ["render", "twice", "-f", TASKS],
      code: 64,
      line: 'keptn-task: Cannot choose KeptnTaskDefinition "twice": it is in namespaces "shop", "other": pick one with --namespace',
    },
    {
      case: "an invalid task type",
      args: ["render", "hello", "-f", "examples/hello", "--task-type", "during"],
      code: 64,
      line: /^keptn-task: Cannot use --task-type "during" with "keptn-task render": expected "pre", "post" or "promotion"$/,
    },
    {
      case: "no -f",
      args: ["render", "hello"],
      code: 64,
      line: /^keptn-task: Cannot run "keptn-task render" without manifests: give them with -f PATH/,
    },
    {
      case: "no name",
      args: ["render", "-f", "examples/hello"],
      code: 64,
      line: /^keptn-task: Cannot run "keptn-task render": expected one definition NAME, received 0/,
    },
  ])("fails with one line and nothing on stdout for $case", async ({ args, code, line }) => {
    const result = await runCliInProcess(args);
    expect(result.stderrLines).toHaveLength(1);
    if (typeof line === "string") expect(result.stderrLines[0]).toBe(line);
    else expect(result.stderrLines[0]).toMatch(line);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(code);
  });
});
