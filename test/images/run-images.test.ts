import { chmodSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBake, localTags } from "../../scripts/images/bake.mjs";
import { type FileServer, startFileServer } from "../helpers/file-server.js";
import { podman, podmanOutput, runTaskImage } from "../helpers/podman.js";
import { KEPTN_CONTEXT, runnerLogLines, scratch } from "../helpers/runner.js";

// Both images, built by the globalSetup (test/helpers/build-images.ts), run as a Keptn Job's pod
// runs them: read-only root, a tmpfs at /tmp, user 65532, the code mounted read-only where the
// operator mounts the ConfigMap, and exactly the operator's variables. Each runtime gets the same
// task in its own language, so both images are held to the same expectations.

const DATA = JSON.stringify({ url: "http://podtato-head.shop.svc" });
const SECRET = 'hunter2-"quoted"\\back-7f3a9c';

/** The variables the operator sets for a task (DATA only when there are parameters). */
function operatorEnv(script: string, extra: Record<string, string> = {}): Record<string, string> {
  return { KEPTN_CONTEXT, CMD_ARGS: "", SCRIPT: script, ...extra };
}

interface TaskCode {
  /** Prints the task type, object type, workload and version from KEPTN_CONTEXT and DATA's url. */
  readonly context: string;
  /** Served from the loopback server; prints "hello from httpRef code <taskType>". */
  readonly http: string;
  /** Prints "checking", writes "check failed: 3 pods not ready" to stderr, exits 3. */
  readonly failing: string;
  /** Prints SECURE_DATA raw, inside JSON, and base64-encoded on stderr. */
  readonly secret: string;
  /** Installs a SIGTERM handler that prints and exits 143, prints "ready", then waits. */
  readonly signal: string;
  /** Imports the SDK and logs "checking <workload> <version>" with DATA's url. */
  readonly sdk: string;
  /** Tries writing /app and /tmp; prints the outcomes and the writer's uid and gid as JSON. */
  readonly identity: string;
  /** Prints PID 1's command line, its own parent's (the runner's) and that one's parent pid. */
  readonly processes: string;
}

const DENO: TaskCode = {
  context: `const ctx = JSON.parse(Deno.env.get("KEPTN_CONTEXT")!);
const data: { url: string } = JSON.parse(Deno.env.get("DATA")!);
console.log(\`\${ctx.taskType} \${ctx.objectType} \${ctx.workloadName} \${ctx.workloadVersion} url=\${data.url}\`);
`,
  http: `import { greeting } from "./greeting.ts";
console.log(\`\${greeting} \${JSON.parse(Deno.env.get("KEPTN_CONTEXT")!).taskType}\`);
`,
  failing: `console.log("checking");
console.error("check failed: 3 pods not ready");
Deno.exit(3);
`,
  secret: `const secret = Deno.env.get("SECURE_DATA")!;
console.log(\`raw: \${secret}\`);
console.log(\`json: \${JSON.stringify({ token: secret })}\`);
console.error(\`base64: \${btoa(secret)}\`);
`,
  signal: `Deno.addSignalListener("SIGTERM", () => {
  console.log("SIGTERM handler: cleaning up");
  Deno.exit(143);
});
console.log("ready");
setInterval(() => {}, 1000);
`,
  sdk: `import { task } from "@keptn-task/sdk";
const t = task();
t.log.info({ url: t.data.url }, \`checking \${t.context.workloadName} \${t.context.workloadVersion}\`);
`,
  identity: `const attempt = (path: string) => {
  try {
    Deno.writeTextFileSync(path, "x");
    return "written";
  } catch (error) {
    return (error as Error).message;
  }
};
const root = attempt("/app/written-by-task");
const tmp = attempt("/tmp/written-by-task");
const { uid, gid } = Deno.statSync("/tmp/written-by-task");
console.log(JSON.stringify({ root, tmp, uid, gid }));
`,
  processes: `const cmdline = (pid: number) =>
  Deno.readTextFileSync(\`/proc/\${pid}/cmdline\`).split("\\0").filter(Boolean);
const stat = Deno.readTextFileSync(\`/proc/\${Deno.ppid}/stat\`);
const runnerParent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
console.log(JSON.stringify({ pid1: cmdline(1), runner: cmdline(Deno.ppid), runnerParent }));
`,
};

const PYTHON: TaskCode = {
  context: `import json, os
ctx = json.loads(os.environ["KEPTN_CONTEXT"])
data = json.loads(os.environ["DATA"])
print(f"{ctx['taskType']} {ctx['objectType']} {ctx['workloadName']} {ctx['workloadVersion']} url={data['url']}")
`,
  http: `import json, os
print("hello from httpRef code", json.loads(os.environ["KEPTN_CONTEXT"])["taskType"])
`,
  failing: `import sys
print("checking")
print("check failed: 3 pods not ready", file=sys.stderr)
sys.exit(3)
`,
  secret: `import base64, json, os, sys
secret = os.environ["SECURE_DATA"]
print(f"raw: {secret}")
print("json: " + json.dumps({"token": secret}, separators=(",", ":")))
print("base64: " + base64.b64encode(secret.encode()).decode(), file=sys.stderr)
`,
  signal: `import signal, sys, time

def on_sigterm(signum, frame):
    print("SIGTERM handler: cleaning up", flush=True)
    sys.exit(143)

signal.signal(signal.SIGTERM, on_sigterm)
print("ready\\n", end="", flush=True)
while True:
    time.sleep(0.1)
`,
  sdk: `import keptn_task
t = keptn_task.task()
t.log.info("checking %s %s", t.context.workload_name, t.context.workload_version, extra={"url": t.data["url"]})
`,
  identity: `import json, os

def attempt(path):
    try:
        with open(path, "w") as f:
            f.write("x")
        return "written"
    except OSError as error:
        return error.strerror

root = attempt("/app/written-by-task")
tmp = attempt("/tmp/written-by-task")
info = os.stat("/tmp/written-by-task")
print(json.dumps({"root": root, "tmp": tmp, "uid": info.st_uid, "gid": info.st_gid}))
`,
  processes: `import json, os

def cmdline(pid):
    with open(f"/proc/{pid}/cmdline") as f:
        return [part for part in f.read().split("\\0") if part]

with open(f"/proc/{os.getppid()}/stat") as f:
    stat = f.read()
runner_parent = int(stat[stat.rindex(")") + 2:].split(" ")[1])
print(json.dumps({"pid1": cmdline(1), "runner": cmdline(os.getppid()), "runnerParent": runner_parent}))
`,
};

const RUNTIMES = [
  {
    image: "deno-runtime",
    tag: localTags["deno-runtime"] ?? "",
    mountPath: "/var/data/function.ts",
    extension: "ts",
    code: DENO,
  },
  {
    image: "python-runtime",
    tag: localTags["python-runtime"] ?? "",
    mountPath: "/var/data/function.py",
    extension: "py",
    code: PYTHON,
  },
] as const;

const tmp = scratch("keptn-task-images-");
let server: FileServer;

beforeAll(async () => {
  server = await startFileServer({
    "/tasks/hello.ts": DENO.http,
    "/tasks/greeting.ts": 'export const greeting: string = "hello from httpRef code";\n',
    "/tasks/hello.py": PYTHON.http,
    "/config.yaml": { body: "replicas: 3\nimage: podtato-head:0.3.1\n", type: "application/yaml" },
  });
});
afterAll(async () => {
  await server.close();
  tmp.cleanup();
});

describe.each(RUNTIMES)("the $image image", ({ image, tag, mountPath, extension, code }) => {
  /** Runs `source` mounted at the function path, with the operator's variables plus `extra`. */
  const runMounted = (name: string, source: string, extra: Record<string, string> = {}) =>
    runTaskImage({
      image: tag,
      code: { file: tmp.file(`${image}/${name}.${extension}`, source), mountPath },
      env: operatorEnv(mountPath, extra),
    });

  it("runs inline code mounted where the operator mounts its ConfigMap, with the Job's variables", async () => {
    const result = await runMounted("context", code.context, { DATA });
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(
      "pre Workload podtato-head-entry 0.3.1 url=http://podtato-head.shop.svc\n",
    );
    expect(result.code).toBe(0);
  });

  it("fetches httpRef code from a server on the host's loopback and runs it", async () => {
    const path = `/tasks/hello.${extension}`;
    const before = server.hits(path);
    const result = await runTaskImage({
      image: tag,
      network: "host",
      env: operatorEnv(`${server.origin}${path}`),
    });
    expect(result.stdout).toBe("hello from httpRef code pre\n");
    expect(result.code).toBe(0);
    expect(server.hits(path)).toBe(before + 1);
  });

  it("ends with the exit code of a failing task and logs why", async () => {
    const result = await runMounted("failing", code.failing);
    expect(result.stdout).toBe("checking\n");
    expect(result.stderr).toContain("check failed: 3 pods not ready\n");
    expect(result.code).toBe(3);
    expect(runnerLogLines(result.stderr)).toContainEqual(
      expect.objectContaining({ msg: "Task exited with code 3", exitCode: 3 }),
    );
  });

  it("exits 69 with an error line naming the URL when the httpRef code cannot be fetched", async () => {
    const url = `${server.origin}/tasks/missing.${extension}`;
    const result = await runTaskImage({ image: tag, network: "host", env: operatorEnv(url) });
    expect(result.code).toBe(69);
    expect(result.stdout).toBe("");
    const [line] = runnerLogLines(result.stderr);
    expect(line?.code).toBe("FETCH_FAILED");
    expect(line?.msg).toBe(`Cannot fetch task code from "${url}": HTTP 404 after 1 attempt`);
  });

  it("never lets SECURE_DATA into the container's logs, raw, JSON-escaped or base64", async () => {
    const result = await runMounted("secret", code.secret, { SECURE_DATA: SECRET });
    const logs = result.stdout + result.stderr;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('raw: ***\njson: {"token":"***"}\n');
    expect(result.stderr).toBe("base64: ***\n");
    for (const form of [
      SECRET,
      JSON.stringify(SECRET).slice(1, -1),
      Buffer.from(SECRET).toString("base64"),
      "hunter2",
    ]) {
      expect(logs).not.toContain(form);
    }
  });

  it("delivers podman stop's SIGTERM to the task's own handler", async () => {
    const name = `keptn-task-test-stop-${image}-${process.pid}`;
    let stopped: ReturnType<typeof podman> | undefined;
    const result = await runTaskImage({
      image: tag,
      name,
      code: { file: tmp.file(`${image}/signal.${extension}`, code.signal), mountPath },
      env: operatorEnv(mountPath),
      onStdout: (chunk) => {
        // As the Job's deadline does: the kubelet stops the container once the task runs.
        if (stopped === undefined && chunk.includes("ready")) {
          stopped = podman(["stop", "--time", "60", name]);
        }
      },
    });
    expect((await stopped)?.code).toBe(0);
    expect(result.stdout).toBe("ready\nSIGTERM handler: cleaning up\n");
    expect(result.code).toBe(143);
    // A plain Deno task runs in the runner's own process, which receives the signal itself; a
    // python task is the runner's child, which forwards it.
    expect(runnerLogLines(result.stderr).map((line) => line.msg)).toEqual([
      image === "deno-runtime"
        ? "Received SIGTERM: the task handles it"
        : "Received SIGTERM: forwarded to the task",
      "Task stopped by SIGTERM with exit code 143",
    ]);
  });

  it("lets task code import the SDK, which reads the Job's context and parameters", async () => {
    const result = await runMounted("sdk", code.sdk, { DATA });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      msg: "checking podtato-head-entry 0.3.1",
      url: "http://podtato-head.shop.svc",
      workload: "podtato-head-entry",
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    });
  });

  it("runs as the image's numeric user 65532 and writes nowhere but /tmp on a read-only root", async () => {
    expect(await podmanOutput(["image", "inspect", "--format", "{{.Config.User}}", tag])).toBe(
      "65532:65532",
    );
    // No --user: the image's own USER must be the numeric one runAsNonRoot can check.
    const result = await runTaskImage({
      image: tag,
      user: null,
      code: { file: tmp.file(`${image}/identity.${extension}`, code.identity), mountPath },
      env: operatorEnv(mountPath),
    });
    expect(result.code).toBe(0);
    const outcome = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(outcome.root).toMatch(/^Read-only file system/);
    expect(outcome).toMatchObject({ tmp: "written", uid: 65532, gid: 65532 });
  });

  it("runs tini as PID 1 with the runner as its child and the task below the runner", async () => {
    const entrypoint = JSON.parse(
      await podmanOutput(["image", "inspect", "--format", "{{json .Config.Entrypoint}}", tag]),
    ) as string[];
    const result = await runMounted(
      "processes",
      code.processes,
      // Deno asks for --allow-all to read /proc; python needs no permission (and a runner option
      // would send the run from the Python entry to the Deno runner, whose command it becomes).
      image === "deno-runtime" ? { KEPTN_TASK_DENO_PERMISSIONS: "--allow-all" } : {},
    );
    expect(result.code).toBe(0);
    expect(entrypoint[0]).toBe("/usr/bin/tini");
    // The python-runtime's runner is the Python entry (python3 -I -S python_entry.py ...).
    expect(JSON.parse(result.stdout)).toEqual({
      pid1: entrypoint,
      runner: entrypoint.slice(2),
      runnerParent: 1,
    });
  });
});

describe("the deno-runtime image's runner", () => {
  const tag = localTags["deno-runtime"] ?? "";
  const mountPath = "/var/data/function.ts";

  it("runs a plain task as its own process, tini's child, with only the task's permissions", async () => {
    const result = await runTaskImage({
      image: tag,
      code: {
        file: tmp.file(
          "deno-runtime/direct.ts",
          `const q = (name: string) => Deno.permissions.querySync({ name } as Deno.PermissionDescriptor).state;
           console.log(JSON.stringify({ ppid: Deno.ppid, run: q("run"), net: q("net"), args: Deno.args }));`,
        ),
        mountPath,
      },
      env: operatorEnv(mountPath, { CMD_ARGS: 'one "two words"' }),
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      ppid: 1,
      run: "prompt",
      net: "granted",
      args: ["one", "two words"],
    });
  });

  it("writes the termination message to /dev/termination-log, as the kubelet reads it", async () => {
    const log = tmp.file("deno-runtime/termination-log", "");
    chmodSync(log, 0o666); // the container's user 65532 writes it, as a pod's does
    const result = await runTaskImage({
      image: tag,
      code: { file: tmp.file("deno-runtime/exit4.ts", "Deno.exit(4);"), mountPath },
      env: operatorEnv(mountPath),
      volumes: [`${log}:/dev/termination-log:rw,Z`],
    });
    expect(result.code).toBe(4);
    expect(readFileSync(log, "utf8")).toBe("Task exited with code 4");
  });
});

describe("the python-runtime image's libraries", () => {
  const tag = localTags["python-runtime"] ?? "";
  const run = (name: string, source: string, extra: Record<string, string> = {}) =>
    runTaskImage({
      image: tag,
      network: "host",
      code: { file: tmp.file(`libraries/${name}.py`, source), mountPath: "/var/data/function.py" },
      env: operatorEnv("/var/data/function.py", extra),
    });

  it("fetches YAML with requests and parses it with PyYAML's libyaml loader", async () => {
    const result = await run(
      "requests-yaml",
      `import json, os
import requests, yaml
url = json.loads(os.environ["DATA"])["url"]
response = requests.get(url, timeout=10)
config = yaml.load(response.text, Loader=yaml.CSafeLoader)
print(json.dumps({"status": response.status_code, "config": config, "dumped": yaml.safe_dump(config)}))
`,
      { DATA: JSON.stringify({ url: `${server.origin}/config.yaml` }) },
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      status: 200,
      config: { replicas: 3, image: "podtato-head:0.3.1" },
      dumped: "image: podtato-head:0.3.1\nreplicas: 3\n",
    });
    expect(server.hits("/config.yaml")).toBe(1);
  });

  it("trusts the system CA bundle in Python's own ssl and knows time zones, as Keptn's image does", async () => {
    const result = await run(
      "ssl-zoneinfo",
      `import json, ssl, zoneinfo, datetime
stats = ssl.create_default_context().cert_store_stats()
berlin = datetime.datetime(2026, 7, 1, 12, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
print(json.dumps({"cas": stats["x509_ca"] > 100, "offset": berlin.utcoffset().total_seconds()}))
`,
    );
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({ cas: true, offset: 7200 });
  });

  it("runs Python 3.13, the bake file's PYTHON_VERSION: a task with 3.12+ syntax using git, requests and yaml", async () => {
    const { variables } = await loadBake();
    const hits = server.hits("/config.yaml");
    // PEP 695 type aliases and generic functions (3.12), PEP 701 f-strings that reuse their
    // quotes (3.12): a SyntaxError on Python 3.11 before anything runs.
    const result = await run(
      "python312-syntax",
      `import json, os, sys
import git, requests, yaml

type Pair = tuple[str, int]

def first[T](items: list[T]) -> T:
    return items[0]

url = json.loads(os.environ["DATA"])["url"]
config = yaml.load(requests.get(url, timeout=10).text, Loader=yaml.CSafeLoader)
pair: Pair = (config["image"], config["replicas"])
repo = git.Repo.init("/tmp/repo")
print(json.dumps({
    "version": ".".join(str(part) for part in sys.version_info[:3]),
    "alias": str(Pair.__value__),
    "first": first([f"{f"{pair[0]}"}"]),
    "pair": f"{pair[0]}={pair[1]}",
    "git": git.Git().version_info[:2],
    "bare": repo.bare,
}))
`,
      { DATA: JSON.stringify({ url: `${server.origin}/config.yaml` }) },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      version: variables.PYTHON_VERSION,
      alias: "tuple[str, int]",
      first: "podtato-head:0.3.1",
      pair: "podtato-head:0.3.1=3",
      git: [2, 47],
      bare: false,
    });
    expect(server.hits("/config.yaml")).toBe(hits + 1);
  });

  it("commits to a new git repository and clones it with GitPython", async () => {
    const result = await run(
      "gitpython",
      `import json, os
import git
for who in ("AUTHOR", "COMMITTER"):
    os.environ[f"GIT_{who}_NAME"] = "Keptn Task"
    os.environ[f"GIT_{who}_EMAIL"] = "task@keptn.example"
source = git.Repo.init("/tmp/source")
with open("/tmp/source/manifest.yaml", "w") as f:
    f.write("replicas: 3\\n")
source.index.add(["manifest.yaml"])
commit = source.index.commit("Deploy podtato-head 0.3.1")
clone = git.Repo.clone_from("/tmp/source", "/tmp/clone")
with open("/tmp/clone/manifest.yaml") as f:
    content = f.read()
head = clone.head.commit
print(json.dumps({"same": head.hexsha == commit.hexsha, "message": head.message, "author": head.author.name, "content": content}))
`,
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      same: true,
      message: "Deploy podtato-head 0.3.1",
      author: "Keptn Task",
      content: "replicas: 3\n",
    });
  });
});
