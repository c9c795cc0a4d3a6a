import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { localTags } from "../../scripts/images/bake.mjs";
import { runnerDenoFlags } from "../../sdk/src/contract/index.js";
import { ROOT } from "../helpers/deno.js";
import { runCliInProcess } from "../helpers/keptn-task-cli.js";
import { runScratch, SECRET, TASKS } from "./run-helpers.js";

const { dir, manifest } = runScratch();

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("keptn-task run", () => {
  describe("with --dry-run", () => {
    it("prints the local runner command and the task's variables, and starts nothing", async () => {
      const result = await runCliInProcess([
        "run",
        "print-env",
        "-f",
        TASKS,
        "--dry-run",
        "-o",
        "json",
      ]);
      expect(result.code).toBe(0);
      const plan = JSON.parse(result.stdout) as {
        command: string;
        args: string[];
        env: Record<string, string>;
        files: { path: string; mountPath: string; bytes: number }[];
      };
      expect(plan.command).toMatch(/deno$/);
      // As the images start the runner (so a plain task runs in the runner's process).
      expect(plan.args).toEqual([
        "run",
        ...runnerDenoFlags(`${ROOT}runners/dist/import-map.json`),
        `${ROOT}runners/dist/bootstrap.js`,
        "deno",
      ]);
      expect(Object.keys(plan.env)).toEqual(["DATA", "KEPTN_CONTEXT", "CMD_ARGS", "SCRIPT"]);
      expect(plan.files).toEqual([
        {
          path: "$TMPDIR/keptn-task-run-XXXXXX/code/function.ts",
          mountPath: "/var/data/function.ts",
          bytes: expect.any(Number),
        },
      ]);
      expect(result.leftovers).toEqual([]);
    });

    it("builds the podman command as the image tests run the runner images", async () => {
      const result = await runCliInProcess([
        "run",
        "print-secret",
        "-f",
        TASKS,
        "--runtime",
        "podman",
        "--secret",
        SECRET,
        "--dry-run",
      ]);
      expect(result.code).toBe(0);
      const lines = result.stdout.trim().split("\n");
      // Our image is never pulled; the container has a name to remove it by; the code is
      // relabelled for SELinux.
      expect(lines[lines.length - 1]).toBe(
        "podman run --rm --name keptn-task-XXXXXX --pull=never --read-only --tmpfs /tmp --user 65532 --network host " +
          "-v '$TMPDIR/keptn-task-run-XXXXXX/code/function.ts:/var/data/function.ts:ro,Z' " +
          // The kubelet gives every container a termination log; the summary reads this one.
          "-v '$TMPDIR/keptn-task-run-XXXXXX/termination-log:/dev/termination-log:Z' " +
          `-e KEPTN_CONTEXT -e CMD_ARGS -e SECURE_DATA -e SCRIPT ${localTags["deno-runtime"]}`,
      );
      // Inside the container the code is at its mount path; the secret is never printed.
      expect(lines).toContain("SCRIPT=/var/data/function.ts");
      expect(lines).toContain("SECURE_DATA='***'");
      expect(result.stdout + result.stderr).not.toContain("s3cr3t-t0ken-value");
    });

    it("masks an httpRef URL's credentials and token query values in everything it prints", async () => {
      const path = manifest(
        "secret-url.yaml",
        `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: secret-url, namespace: shop }
spec:
  deno:
    httpRef: { url: "http://alice:Tok3nP%40ss@127.0.0.1:1/x.ts?access_token=AcC3ss-t0k3n&ref=main" }
`,
      );
      const outputs: string[] = [];
      for (const extra of [["--dry-run"], ["--dry-run", "-o", "json"], [], ["-o", "json"]]) {
        const result = await runCliInProcess(["run", "secret-url", "-f", path, ...extra]);
        outputs.push(result.stdout + result.stderr);
      }
      for (const output of outputs) {
        expect(output).not.toMatch(/Tok3nP|AcC3ss-t0k3n/);
      }
      expect(outputs[0]).toContain(
        "SCRIPT='http://***@127.0.0.1:1/x.ts?access_token=***&ref=main'",
      );
    });

    it("masks the OpenTelemetry exporter's credentials given with --env, from the shell or as a value", async () => {
      const path = manifest(
        "otel-env.yaml",
        `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: otel-env, namespace: shop }
spec:
  deno:
    inline: { code: "console.log(1)" }
`,
      );
      const env = { OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer hdr-t0ken-9f3a" };
      const given = [
        "--env",
        "OTEL_EXPORTER_OTLP_HEADERS",
        "--env",
        "OTEL_EXPORTER_OTLP_ENDPOINT=http://u:Pw-s3cret-77@127.0.0.1:4318",
      ];
      for (const extra of [["--dry-run"], ["--dry-run", "-o", "json"]]) {
        const result = await runCliInProcess(["run", "otel-env", "-f", path, ...given, ...extra], {
          env,
        });
        expect(result.stdout).toContain("OTEL_EXPORTER_OTLP_HEADERS");
        expect(result.stdout + result.stderr).not.toMatch(/hdr-t0ken-9f3a|Pw-s3cret-77/);
      }
    });

    it("runs the python image, or the one given with --image, with docker too", async () => {
      const result = await runCliInProcess([
        "run",
        "python-env",
        "-f",
        TASKS,
        "--runtime",
        "docker",
        "--image",
        "ghcr.io/keptn-task/python-runtime:v1",
        "--dry-run",
        "-o",
        "json",
      ]);
      const plan = JSON.parse(result.stdout) as { command: string; args: string[] };
      expect(plan.command).toBe("docker");
      expect(plan.args).toContain(
        "$TMPDIR/keptn-task-run-XXXXXX/code/function.py:/var/data/function.py:ro,Z",
      );
      expect(plan.args[plan.args.length - 1]).toBe("ghcr.io/keptn-task/python-runtime:v1");
      // An image given with --image may be pulled.
      expect(plan.args).not.toContain("--pull=never");
    });

    it("runs a container task's own image with its command, args and env", async () => {
      const result = await runCliInProcess([
        "run",
        "container-task",
        "-f",
        TASKS,
        "--runtime",
        "podman",
        "--dry-run",
        "-o",
        "json",
      ]);
      const plan = JSON.parse(result.stdout) as { args: string[]; env: Record<string, string> };
      expect(plan.args).toEqual([
        "run",
        "--rm",
        "--name",
        "keptn-task-XXXXXX",
        "--network",
        "host",
        "-v",
        "$TMPDIR/keptn-task-run-XXXXXX/termination-log:/dev/termination-log:Z",
        "-e",
        "TEAM",
        "-e",
        "KEPTN_CONTEXT",
        "--entrypoint",
        "/bin/task",
        "example.com/acme/task:1.0.0",
        "--fast",
      ]);
      expect(Object.keys(plan.env)).toEqual(["TEAM", "KEPTN_CONTEXT"]);
    });

    it.each([
      {
        case: "a command of several words",
        spec: 'command: ["/bin/sh", "-c", "echo $0 $1"]\n    args: ["a", "b c"]',
        tail: [
          "--entrypoint",
          "/bin/sh",
          "example.com/acme/shell:1",
          "-c",
          "echo $0 $1",
          "a",
          "b c",
        ],
      },
      {
        case: "an empty command",
        spec: 'command: []\n    args: ["--fast"]',
        tail: ["example.com/acme/shell:1", "--fast"],
      },
    ])(
      "passes $case to docker as one --entrypoint word, the rest after the image",
      async ({ spec, tail }) => {
        const path = manifest(
          "entrypoint.yaml",
          `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: shell }
spec:
  container:
    name: job
    image: example.com/acme/shell:1
    ${spec}
`,
        );
        const result = await runCliInProcess([
          "run",
          "shell",
          "-f",
          path,
          "--runtime",
          "docker",
          "--dry-run",
          "-o",
          "json",
        ]);
        const plan = JSON.parse(result.stdout) as { args: string[] };
        expect(plan.args.slice(plan.args.indexOf("KEPTN_CONTEXT") + 1)).toEqual(tail);
        expect(result.code).toBe(0);
      },
    );
  });
});
