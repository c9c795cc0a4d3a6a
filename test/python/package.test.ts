import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/deno.js";
import { PYTHON } from "../helpers/keptn-task-cli.js";
import { type ProcessResult, runProcess } from "../helpers/run-process.js";

// The Python package `keptn-task` (sdk-python) built and installed by the machine's real pip,
// offline, as a user installs it: `pip install --no-build-isolation --no-index ./sdk-python`.
// Every build runs in a temporary copy, so nothing is written into the repository.
const SOURCE = join(ROOT, "sdk-python");
const VERSION: string = JSON.parse(
  readFileSync(join(ROOT, "runners/package.json"), "utf8"),
).version;
const DIST_INFO = `keptn_task-${VERSION}.dist-info`;
const SECRET = "hunter2-secret-value";

/** The repository's files under sdk-python, to show a run left nothing there. */
const sourceFiles = () =>
  readdirSync(SOURCE, { recursive: true, encoding: "utf8" })
    .map((path) => path.split("\\").join("/"))
    .sort();
const filesBefore = sourceFiles();

const dir = mkdtempSync(join(tmpdir(), "keptn-task-python-package-"));
const copy = join(dir, "source");
const target = join(dir, "target");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the real python3 in the temporary folder, with `env` only (as runProcess does). */
const runPython = (args: string[], env: Record<string, string> = {}): Promise<ProcessResult> =>
  runProcess(PYTHON, args, {
    cwd: dir,
    timeoutMs: 120_000,
    env: {
      PYTHONDONTWRITEBYTECODE: "1",
      // pip offline and quiet: no cache written to HOME, no version check, no root warning.
      PIP_NO_CACHE_DIR: "1",
      PIP_DISABLE_PIP_VERSION_CHECK: "1",
      PIP_ROOT_USER_ACTION: "ignore",
      ...env,
    },
  });

/** `python3 -m pip ARGS --no-build-isolation --no-index`: the offline build the README shows. */
const pip = (command: string, ...args: string[]) =>
  runPython(["-m", "pip", command, "--no-build-isolation", "--no-index", ...args]);

/** Files of the package as the repository has them: what a wheel must install. */
const packageFiles = () =>
  readdirSync(join(SOURCE, "keptn_task"), { recursive: true, encoding: "utf8" })
    .map((path) => `keptn_task/${path.split("\\").join("/")}`)
    .filter((path) => !path.includes("__pycache__"))
    .filter((path) => path.endsWith(".py") || path.endsWith("/py.typed"))
    .sort();

const KEPTN_CONTEXT = JSON.stringify({
  workloadName: "podtato-head-entry",
  appName: "podtato-head",
  appVersion: "",
  workloadVersion: "0.3.1",
  taskType: "post",
  objectType: "Workload",
  metadata: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
});

const TASK = `
from dataclasses import dataclass

import keptn_task
from keptn_task import task


@dataclass
class Params:
    url: str
    retries: int = 3


t = task(data_schema=Params)
t.log.info("Checking %s (%d retries) with token %s", t.data.url, t.data.retries, t.secure_data)
t.succeed(f"keptn_task {keptn_task.__version__} from {keptn_task.__file__}")
`;

let installed: ProcessResult;

beforeAll(async () => {
  cpSync(SOURCE, copy, { recursive: true, filter: (path) => !path.includes("__pycache__") });
  // A stale bytecode file, as a local run leaves one: it must not reach the wheel.
  mkdirSync(join(copy, "keptn_task/__pycache__"));
  writeFileSync(join(copy, "keptn_task/__pycache__/stale.cpython-39.pyc"), "stale");
  writeFileSync(join(dir, "task.py"), TASK);
  installed = await pip("install", "--target", target, copy);
});

describe("the keptn-task Python package", () => {
  it("installs offline with pip --no-build-isolation --no-index, typed, without the source's __pycache__", () => {
    expect(installed.code, installed.stderr).toBe(0);
    expect(readdirSync(target).sort()).toEqual(["keptn_task", DIST_INFO]);
    expect(existsSync(join(target, "keptn_task/py.typed"))).toBe(true);
    expect(existsSync(join(target, "keptn_task/__pycache__/stale.cpython-39.pyc"))).toBe(false);
    const metadata = readFileSync(join(target, DIST_INFO, "METADATA"), "utf8");
    expect(metadata.split("\n").slice(0, 3)).toEqual([
      "Metadata-Version: 2.1",
      "Name: keptn-task",
      `Version: ${VERSION}`,
    ]);
    expect(metadata).toContain("\nRequires-Python: >=3.9\n");
    expect(metadata).toContain("\nLicense: Apache-2.0\n");
    expect(metadata).toContain("\nClassifier: Typing :: Typed\n");
    expect(metadata).toContain(
      "\nDescription-Content-Type: text/markdown\n\n# `keptn_task` (Python)",
    );
    expect(metadata).not.toContain("Requires-Dist");
  });

  it("runs a task from the installed package: typed DATA, SECURE_DATA masked, succeed() exits 0", async () => {
    const result = await runPython(["task.py"], {
      PYTHONPATH: target,
      KEPTN_CONTEXT,
      DATA: '{"url":"http://podtato-head:9000","retries":"5"}',
      SECURE_DATA: SECRET,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toMatchObject([
      {
        level: "info",
        workload: "podtato-head-entry",
        version: "0.3.1",
        msg: "Checking http://podtato-head:9000 (5 retries) with token ***",
      },
      { level: "info", msg: `keptn_task ${VERSION} from ${target}/keptn_task/__init__.py` },
    ]);
    expect(result.stdout).not.toContain(SECRET);
  });

  it("ends a task given invalid DATA with exit code 78 and one log line naming the field", async () => {
    const result = await runPython(["task.py"], {
      PYTHONPATH: target,
      KEPTN_CONTEXT,
      DATA: '{"url":"http://podtato-head:9000","retries":"many"}',
      SECURE_DATA: SECRET,
    });
    expect(result.code).toBe(78);
    expect(result.stderr).toBe("");
    // One JSON line, no traceback: the issue list with the value received.
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({
      level: "error",
      code: "CONFIG_INVALID",
      exitCode: 78,
      msg: 'Invalid task environment: DATA.retries: Invalid input: expected number, received "many"',
    });
    expect(result.stdout).not.toContain(SECRET);
  });

  it("builds a py3-none-any wheel whose RECORD has each file's sha256 and size", async () => {
    const wheels = join(dir, "wheels");
    const built = await pip("wheel", "--no-deps", "--wheel-dir", wheels, copy);
    expect(built.code, built.stderr).toBe(0);
    const wheel = `keptn_task-${VERSION}-py3-none-any.whl`;
    expect(readdirSync(wheels)).toEqual([wheel]);

    const checked = await runPython(["-c", CHECK_RECORD, join(wheels, wheel)]);
    expect(checked.stderr).toBe("");
    const { files, listed, problems, wheelFile } = JSON.parse(checked.stdout);
    expect(problems).toEqual([]);
    expect(files).toEqual(
      [
        ...packageFiles(),
        ...["METADATA", "RECORD", "WHEEL"].map((f) => `${DIST_INFO}/${f}`),
      ].sort(),
    );
    expect(listed).toEqual(files);
    expect(wheelFile).toContain("Root-Is-Purelib: true\nTag: py3-none-any\n");
  });

  it("annotates every parameter and the return of every public callable in keptn_task.__all__", async () => {
    const result = await runPython(["-c", CHECK_ANNOTATIONS], { PYTHONPATH: target });
    expect(result.stderr).toBe("");
    const { checked, missing } = JSON.parse(result.stdout);
    expect(checked).toEqual(expect.arrayContaining(["task", "Task.fail", "SecretRegistry.mask"]));
    expect(missing).toEqual([]);
  });

  it("installs editable (PEP 660): a .pth file puts the source folder on sys.path", async () => {
    const editable = join(dir, "editable");
    const result = await pip("install", "--target", editable, "--editable", copy);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(editable).sort()).toEqual([DIST_INFO, "keptn_task.pth"]);
    const imported = await runPython([
      "-c",
      `import site; site.addsitedir(${JSON.stringify(editable)}); import keptn_task; print(keptn_task.__file__)`,
    ]);
    expect(imported.stdout.trim()).toBe(join(copy, "keptn_task/__init__.py"));
  });

  it("builds an sdist that pip installs offline in turn", async () => {
    const sdists = join(dir, "sdists");
    mkdirSync(sdists);
    const built = await runPython(
      ["-c", "import sys, backend; print(backend.build_sdist(sys.argv[1]))", sdists],
      { PYTHONPATH: join(copy, "_build") },
    );
    expect(built.stderr).toBe("");
    expect(built.stdout.trim()).toBe(`keptn_task-${VERSION}.tar.gz`);
    const fromSdist = join(dir, "from-sdist");
    const result = await pip("install", "--target", fromSdist, join(sdists, built.stdout.trim()));
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(fromSdist, "keptn_task/py.typed"))).toBe(true);
    expect(existsSync(join(fromSdist, DIST_INFO, "METADATA"))).toBe(true);
  });

  // The reference is tomllib, so this runs on Python 3.11+ (the CI machine has 3.11).
  it("reads pyproject.toml without tomllib (Python 3.9, 3.10) exactly as tomllib does", async () => {
    const result = await runPython(
      [
        "-c",
        "import backend, json, sys, tomllib\n" +
          "text = open(sys.argv[1], encoding='utf-8').read()\n" +
          "print(json.dumps([backend.parse_toml(text), tomllib.loads(text)]))",
        join(copy, "pyproject.toml"),
      ],
      { PYTHONPATH: join(copy, "_build") },
    );
    expect(result.stderr).toBe("");
    const [parsed, expected] = JSON.parse(result.stdout);
    expect(parsed.project.version).toBe(VERSION);
    expect(parsed).toEqual(expected);
  });

  it("leaves nothing behind in the repository", () => {
    expect(sourceFiles()).toEqual(filesBefore);
  });
});

/** Checks a wheel's RECORD against its files; prints what it found as JSON. */
const CHECK_RECORD = `
import base64, csv, hashlib, io, json, sys, zipfile

with zipfile.ZipFile(sys.argv[1]) as wheel:
    files = sorted(wheel.namelist())
    record = next(name for name in files if name.endswith(".dist-info/RECORD"))
    rows = list(csv.reader(io.StringIO(wheel.read(record).decode("utf-8"))))
    problems = []
    for path, digest, size in rows:
        if path == record:
            if (digest, size) != ("", ""):
                problems.append(f"{path}: RECORD lists a hash for itself")
        elif path not in files:
            problems.append(f"{path}: listed, but not in the wheel")
        else:
            data = wheel.read(path)
            actual = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            if (digest, size) != (f"sha256={actual}", str(len(data))):
                problems.append(f"{path}: RECORD has {digest},{size}, the file sha256={actual},{len(data)}")
    wheel_file = wheel.read(record.replace("RECORD", "WHEEL")).decode("utf-8")
    listed = sorted(row[0] for row in rows)
print(json.dumps({"files": files, "listed": listed, "problems": problems, "wheelFile": wheel_file}))
`;

/**
 * Lists the functions and methods of keptn_task.__all__ (those written in the package, not the
 * ones dataclass and NamedTuple generate) and which of them lack a parameter or return annotation.
 * typing.get_type_hints also evaluates each annotation, so one the running Python cannot (say
 * `int | None` on 3.9) fails here.
 */
const CHECK_ANNOTATIONS = `
import inspect, json, os, typing
import keptn_task

package = os.path.dirname(keptn_task.__file__)
checked, missing = [], []

def check(name, function):
    if not function.__code__.co_filename.startswith(package):
        return
    checked.append(name)
    hints = typing.get_type_hints(function)
    parameters = [p for p in inspect.signature(function).parameters if p not in ("self", "cls")]
    lacking = [p for p in [*parameters, "return"] if p not in hints]
    if lacking:
        missing.append(f"{name}: {', '.join(lacking)}")

for name in keptn_task.__all__:
    value = getattr(keptn_task, name)
    if inspect.isfunction(value):
        check(name, value)
    elif inspect.isclass(value):
        for attribute, member in vars(value).items():
            member = getattr(member, "__func__", member)  # staticmethod, classmethod
            public = not attribute.startswith("_") or attribute.endswith("__")
            if inspect.isfunction(member) and public:
                check(f"{name}.{attribute}", member)
print(json.dumps({"checked": checked, "missing": missing}))
`;
