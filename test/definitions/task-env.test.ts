import { describe, expect, it } from "vitest";
import { resolveTask, taskEnv } from "../../sdk/src/definitions/index.js";
import { ConfigError } from "../../sdk/src/errors/errors.js";
import { fixtureCatalog } from "../helpers/definition-fixtures.js";

describe("taskEnv", () => {
  it("gives the runner's env as a plain record, the secret value from secretValues", async () => {
    const resolved = resolveTask(await fixtureCatalog("merge"), {
      definition: "child",
      namespace: "shop",
    });
    const env = taskEnv(resolved, { secretValues: { "parent-secret": '{"token":"given"}' } });
    expect(env).toEqual({
      DATA: '{"a":"parent","b":"child","c":"child"}',
      KEPTN_CONTEXT:
        '{"workloadName":"","appName":"","appVersion":"","workloadVersion":"","taskType":"pre","objectType":"App"}',
      CMD_ARGS: "-u",
      SECURE_DATA: '{"token":"given"}',
      SCRIPT: "/var/data/function.py",
    });
    expect(Object.keys(env)).toEqual([
      "DATA",
      "KEPTN_CONTEXT",
      "CMD_ARGS",
      "SECURE_DATA",
      "SCRIPT",
    ]);
  });

  it("reads the secret from a Secret in the catalog, base64 data decoded", async () => {
    const catalog = await fixtureCatalog("merge");
    const resolved = resolveTask(catalog, { definition: "child-own-secret", namespace: "shop" });
    expect(taskEnv(resolved, { catalog }).SECURE_DATA).toBe('{"token":"child-value"}');
  });

  it("points SCRIPT at a local file instead of the mount path", async () => {
    const resolved = resolveTask(await fixtureCatalog("versions"), {
      definition: "v1",
      namespace: "shop",
    });
    expect(taskEnv(resolved, { scriptPath: "/tmp/run/function.ts" }).SCRIPT).toBe(
      "/tmp/run/function.ts",
    );
  });

  it("keeps an httpRef URL in SCRIPT even when a script path is given", async () => {
    const resolved = resolveTask(await fixtureCatalog("code-sources"), {
      definition: "http-only",
      namespace: "shop",
    });
    expect(taskEnv(resolved, { scriptPath: "/tmp/x.ts" }).SCRIPT).toBe(
      "https://scripts.example.com/task.ts",
    );
  });

  it("fails with a ConfigError naming the Secret, never a value, when the secret is unknown", async () => {
    const resolved = resolveTask(await fixtureCatalog("merge"), {
      definition: "child",
      namespace: "shop",
    });
    expect(() => taskEnv(resolved)).toThrow(ConfigError);
    expect(() => taskEnv(resolved)).toThrow(
      'Invalid task environment: SECURE_DATA: Secret "parent-secret" key "SECURE_DATA" has no value: pass it in secretValues["parent-secret"] or add the Secret to the catalog',
    );
  });

  it("fills a container task's env, KEPTN_CONTEXT included", async () => {
    const resolved = resolveTask(await fixtureCatalog("versions"), {
      definition: "container",
      namespace: "shop",
    });
    expect(taskEnv(resolved)).toEqual({
      MODE: "strict",
      KEPTN_CONTEXT:
        '{"workloadName":"","appName":"","appVersion":"","workloadVersion":"","taskType":"pre","objectType":"App"}',
    });
  });
});
