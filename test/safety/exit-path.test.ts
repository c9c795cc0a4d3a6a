/**
 * The one exit path (issue "Safety by construction", cases 1 and 2): every way a task ends, in
 * both of the runner's modes and both runtimes, ends through `taskExitCode` (TypeScript) or its
 * twin `task_exit_code` (Python launcher), and no failed task reads as a success.
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childExitCode, taskExitCode } from "../../sdk/src/contract/process-policy.js";
import { ROOT } from "../helpers/deno.js";
import { type FileServer, startFileServer } from "../helpers/file-server.js";
import { PYTHON } from "../helpers/keptn-task-cli.js";
import { runnerLogLines, runRunner, scratch } from "../helpers/runner.js";

const tmp = scratch("keptn-exit-path-");
afterAll(() => tmp.cleanup());

/** What the system makes of an exit code: its low 8 bits. */
const systemReads = (code: number) => ((code % 256) + 256) % 256;

describe("taskExitCode, the one exit path", () => {
  it("ends every code from -65535 to 65535 with 0 only for 0, and otherwise as the system reads it unless that is 0", () => {
    const wrong: number[] = [];
    for (let code = -65_535; code <= 65_535; code++) {
      const ends = taskExitCode(code);
      const expected = code === 0 ? 0 : systemReads(code) === 0 ? 1 : systemReads(code);
      if (ends !== expected || ends < 0 || ends > 255) wrong.push(code);
    }
    expect(wrong).toEqual([]);
  });

  it.each([2 ** 31, 2 ** 32, -(2 ** 32), 2 ** 53, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    "ends a code the system cannot hold (%s) with a failure",
    (code) => {
      expect(taskExitCode(code)).not.toBe(0);
    },
  );

  it("ends a child that died of a signal with 128 + its number, never with 0", () => {
    expect(childExitCode({ code: null, signalNumber: 15 })).toBe(143);
    expect(childExitCode({ code: 0, signalNumber: 9 })).toBe(137);
    expect(childExitCode({ code: 0, signalNumber: 0 })).toBe(128);
    expect(childExitCode({ code: null })).toBe(1);
    expect(childExitCode({ code: 3 })).toBe(3);
  });

  it("is the rule of the Python launcher too, for every code from -65535 to 65535", () => {
    const program = [
      "import sys",
      `sys.path.insert(0, ${JSON.stringify(`${ROOT}runners/src/runner`)})`,
      "from task_launch import task_exit_code",
      "print(','.join(str(task_exit_code(c)) for c in range(-65535, 65536)))",
      "print(task_exit_code(None), task_exit_code('bye'), task_exit_code(True), task_exit_code(2**64))",
    ].join("\n");
    const result = spawnSync(PYTHON, ["-c", program], { encoding: "utf8" });
    expect(result.stderr).toBe("");
    const [codes = "", extra = ""] = result.stdout.trim().split("\n");
    const expected: number[] = [];
    for (let code = -65_535; code <= 65_535; code++) expected.push(taskExitCode(code));
    expect(codes.split(",").map(Number)).toEqual(expected);
    expect(extra).toBe("0 1 1 1");
  });
});

describe("a Deno task's exit code that reads as 0 only modulo 256", () => {
  const cases: [string, string][] = [
    ["Deno.exit(256)", "Deno.exit(256);"],
    ["Deno.exit(-256)", "Deno.exit(-256);"],
    ["Deno.exit(2 ** 32)", "Deno.exit(2 ** 32);"],
    ["Deno.exitCode = 512", "Deno.exitCode = 512;"],
    [
      "process.exit(768) of node:process",
      'import process from "node:process";\nprocess.exit(768);',
    ],
    // Node's `exit` listeners run after every `unload` listener, the guard's included.
    [
      "process.exitCode = 256 in a Node exit listener",
      'import process from "node:process";\nprocess.on("exit", () => { process.exitCode = 256; });',
    ],
    [
      "Deno.exitCode = 256 in an exit listener of the process global",
      'globalThis.process.on("exit", () => { Deno.exitCode = 256; });',
    ],
    // The code scan cannot see the name: Deno says whether its Node process was loaded.
    [
      "process.exitCode = 256 in an exit listener of a process reached by a computed name",
      'const p = (globalThis as Record<string, any>)["pro" + "cess"];\np.on("exit", () => { p.exitCode = 256; });',
    ],
  ];
  // process: a child of the runner; auto: in the runner's own process; secret: a child with its
  // output masked; main: a child because it asks for import.meta.main.
  const modes: [string, Record<string, string>, string][] = [
    ["in the runner's own process", {}, ""],
    ["as a child (KEPTN_TASK_ISOLATION=process)", { KEPTN_TASK_ISOLATION: "process" }, ""],
    ["as a child with SECURE_DATA masked", { SECURE_DATA: "s3cr3t-value" }, ""],
    ["as a child that reads import.meta.main", {}, "if (!import.meta.main) Deno.exit(9);\n"],
  ];
  for (const [what, code] of cases) {
    it.each(modes)(`ends with 1 for ${what} %s`, async (_mode, env, prefix) => {
      const script = tmp.file(
        `exit-${Math.random().toString(36).slice(2)}.ts`,
        `${prefix}${code}\n`,
      );
      const result = await runRunner("deno", { SCRIPT: script, ...env });
      expect(result.code).toBe(1);
    });
  }

  // A module imported from a URL, which the runner does not read, uses Node's process.
  describe("from a module imported from a URL", () => {
    let server: FileServer;
    beforeAll(async () => {
      server = await startFileServer({
        "/lib.js":
          'globalThis.process.on("exit", () => { globalThis.process.exitCode = 256; });\nexport const loaded = true;\n',
      });
    });
    afterAll(async () => await server.close());
    it.each(modes)("ends with 1 %s", async (_mode, env, prefix) => {
      const script = tmp.file(
        `exit-remote-${Math.random().toString(36).slice(2)}.ts`,
        `${prefix}import { loaded } from "${server.origin}/lib.js";\nconsole.log(loaded);\n`,
      );
      const result = await runRunner("deno", { SCRIPT: script, ...env });
      expect(result.stdout).toBe("true\n");
      expect(result.code).toBe(1);
    });
  });

  it("says in the runner's own process which code would have read as 0", async () => {
    const script = tmp.file("exit-reason.ts", "Deno.exit(256);\n");
    const result = await runRunner("deno", { SCRIPT: script });
    expect(result.code).toBe(1);
    expect(runnerLogLines(result.stderr).map((line) => line.msg)).toContain(
      "Task exited with code 256, which would read as 0: ending with 1",
    );
  });

  it("keeps every other code as the task gave it, in both modes", async () => {
    const script = tmp.file("exit-3.ts", "Deno.exit(3);\n");
    expect((await runRunner("deno", { SCRIPT: script })).code).toBe(3);
    expect((await runRunner("deno", { SCRIPT: script }, { isolation: "process" })).code).toBe(3);
    const listener = tmp.file(
      "exit-listener-3.ts",
      'import process from "node:process";\nprocess.on("exit", () => { process.exitCode = 3; });\n',
    );
    expect((await runRunner("deno", { SCRIPT: listener })).code).toBe(3);
    const zero = tmp.file("exit-0.ts", "Deno.exit(0);\n");
    expect((await runRunner("deno", { SCRIPT: zero }, { isolation: "process" })).code).toBe(0);
  });
});

describe("a Python task's exit code", () => {
  it.each<[string, number, string]>([
    ["sys.exit(256)", 1, "import sys\nsys.exit(256)\n"],
    ["raise SystemExit(512)", 1, "raise SystemExit(512)\n"],
    ["sys.exit(-256)", 1, "import sys\nsys.exit(-256)\n"],
    ["os._exit(256)", 1, "import os\nos._exit(256)\n"],
    ["posix._exit(256)", 1, "import posix\nposix._exit(256)\n"],
    [
      "sys.exit of an int subclass whose __int__, __index__ and __ne__ say 0",
      3,
      "import sys\nclass Code(int):\n    def __int__(self): return 0\n    def __index__(self): return 0\n    def __ne__(self, other): return other != 0\nsys.exit(Code(3))\n",
    ],
    [
      "os._exit of such an int subclass",
      3,
      "import os\nclass Code(int):\n    def __int__(self): return 0\n    def __index__(self): return 0\nos._exit(Code(3))\n",
    ],
    ["sys.exit(3)", 3, "import sys\nsys.exit(3)\n"],
    ["sys.exit('a message')", 1, "import sys\nsys.exit('a message')\n"],
    ["sys.exit() with no code", 0, "import sys\nsys.exit()\n"],
    ["an uncaught exception", 1, "raise ValueError('bad threshold')\n"],
    [
      "an uncaught exception after setting PYTHONINSPECT",
      1,
      "import os\nos.environ['PYTHONINSPECT'] = '1'\nraise ValueError('x')\n",
    ],
  ])("ends %s with %i", async (_what, exitCode, code) => {
    const script = tmp.file(`exit-${Math.random().toString(36).slice(2)}.py`, code);
    const result = await runRunner("python", { SCRIPT: script });
    expect(result.code).toBe(exitCode);
  });

  it("runs the file as python3 FILE does: __main__, __file__, sys.argv and sys.path[0]", async () => {
    const script = tmp.file(
      "main/as-main.py",
      "import sys\nprint(__name__, __file__ == sys.argv[0], sys.argv[1:], sys.path[0].endswith('main'))\n",
    );
    const result = await runRunner("python", { SCRIPT: script, CMD_ARGS: "-u -- --env prod" });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("__main__ True ['--env', 'prod'] True\n");
  });

  it("reports an uncaught exception from the task's own frames, as python3 FILE does", async () => {
    const script = tmp.file(
      "uncaught.py",
      "def check():\n    raise ValueError('bad threshold')\ncheck()\n",
    );
    const result = await runRunner("python", { SCRIPT: script });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`File "${script}", line 3, in <module>`);
    expect(result.stderr).toContain("ValueError: bad threshold");
    expect(result.stderr).not.toContain("task_launch");
  });
});

describe("python options that would turn a failure into a success", () => {
  it.each(["-i", "-ui", "-Bi", "-u -i"])(
    "refuses CMD_ARGS %s with exit code 64",
    async (cmdArgs) => {
      const script = tmp.file("fails.py", "import sys\nsys.exit(3)\n");
      const result = await runRunner("python", { SCRIPT: script, CMD_ARGS: cmdArgs });
      expect(result.code).toBe(64);
      expect(result.stderr).toContain("would be reported as a success");
    },
  );

  it("refuses PYTHONINSPECT in the environment with exit code 64", async () => {
    const script = tmp.file("fails-inspect.py", "import sys\nsys.exit(3)\n");
    const result = await runRunner("python", { SCRIPT: script, PYTHONINSPECT: "1" });
    expect(result.code).toBe(64);
    expect(result.stderr).toContain("PYTHONINSPECT is set");
  });

  it("lets -W take a value with an i in it (-W ignore) and runs the task", async () => {
    const script = tmp.file("fails-w.py", "import sys\nsys.exit(3)\n");
    const result = await runRunner("python", { SCRIPT: script, CMD_ARGS: "-W ignore" });
    expect(result.code).toBe(3);
  });
});
