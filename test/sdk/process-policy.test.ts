// The process policy, rule by rule: the one table the runner, the command and task() follow.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  COMMAND_STOP_SIGNALS,
  clampTimerMs,
  DEFAULT_GRACE_MS,
  DRAIN_MS,
  exitCodeForSignalNumber,
  failExitCode,
  isPolicySignal,
  KILLED_EXIT_CODE,
  MAX_TIMER_MS,
  notStartedReason,
  POD_GRACE_MS,
  type PolicySignal,
  PROVISIONAL_REASON,
  parseGraceSeconds,
  readsAsSuccess,
  readsAsSuccessReason,
  STOP_SIGNALS,
  StopSequence,
  type StopSignal,
  signalExitCode,
  type TaskEnd,
  TERMINATION_MESSAGE_MAX_BYTES,
  type TerminationFile,
  TerminationLogWriter,
  taskEndReason,
  timerDelay,
  truncateUtf8,
  uncaughtReason,
} from "../../sdk/src/contract/process-policy.js";
import { EXIT_CODES } from "../../sdk/src/errors/errors.js";
import { SecretRegistry } from "../../sdk/src/masking/secret-registry.js";
import { ROOT } from "../helpers/deno.js";

describe("the process policy module", () => {
  it("is pure: it imports nothing, so the runner loads it before a task starts", () => {
    // The code, without its comments (which may name what the code must not touch).
    const source = readFileSync(`${ROOT}sdk/src/contract/process-policy.ts`, "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    expect(source).not.toMatch(/^\s*import\b|\bimport\(|\brequire\(/m);
    expect(source).not.toMatch(/\b(Deno|process|setTimeout|globalThis)\b\./);
  });

  it("stops a task at SIGTERM and SIGINT, and the command also at SIGHUP", () => {
    expect([...STOP_SIGNALS]).toEqual(["SIGTERM", "SIGINT"]);
    expect([...COMMAND_STOP_SIGNALS].sort()).toEqual(["SIGHUP", "SIGINT", "SIGTERM"]);
  });

  it("keeps the internal error out of the signal exit codes", () => {
    const signalCodes = [...COMMAND_STOP_SIGNALS, "SIGKILL" as const].map(signalExitCode);
    expect(signalCodes).not.toContain(EXIT_CODES.INTERNAL_ERROR);
    expect(Object.values(EXIT_CODES)).not.toContain(KILLED_EXIT_CODE);
  });
});

describe("exit codes for signals", () => {
  it.each<[PolicySignal, number]>([
    ["SIGHUP", 129],
    ["SIGINT", 130],
    ["SIGKILL", 137],
    ["SIGTERM", 143],
  ])("a process that died of %s ends with %i", (signal, code) => {
    expect(signalExitCode(signal)).toBe(code);
  });

  it.each([
    [1, 129],
    [10, 138],
    [15, 143],
  ])("signal number %i is exit code %i", (signalNumber, code) => {
    expect(exitCodeForSignalNumber(signalNumber)).toBe(code);
  });

  it("kills with 137, as SIGKILL does", () => {
    expect(KILLED_EXIT_CODE).toBe(137);
  });

  it.each([
    ["SIGTERM", true],
    ["SIGKILL", true],
    ["SIGHUP", true],
    ["SIGUSR1", false],
    ["SIGSEGV", false],
    ["toString", false],
    ["", false],
  ])("knows %j's number on every system: %s", (name, known) => {
    expect(isPolicySignal(name)).toBe(known);
  });
});

describe("exit codes a process may end with", () => {
  it.each([
    [0, false],
    [1, false],
    [143, false],
    [255, false],
    [256, true],
    [512, true],
    [-256, true],
    [257, false],
  ])("exit code %i reads as a success: %s", (code, success) => {
    expect(readsAsSuccess(code)).toBe(success);
  });

  it.each<[number | undefined, number]>([
    [undefined, 1],
    [1, 1],
    [3, 3],
    [255, 255],
    [0, 1],
    [256, 1],
    [-1, 1],
    [1.5, 1],
    [Number.NaN, 1],
  ])("fail() with exit code %s ends with %i", (given, code) => {
    expect(failExitCode(given)).toBe(code);
  });
});

describe("time", () => {
  it("gives a stopped task 10 s, a pod 30 s, and output 2 s to drain", () => {
    expect(DEFAULT_GRACE_MS).toBe(10_000);
    expect(POD_GRACE_MS).toBe(30_000);
    expect(DRAIN_MS).toBe(2000);
    expect(MAX_TIMER_MS).toBe(2 ** 31 - 1);
  });

  it.each([
    [0, 0],
    [1500, 1500],
    [MAX_TIMER_MS, MAX_TIMER_MS],
    [MAX_TIMER_MS + 1, MAX_TIMER_MS],
    [Number.POSITIVE_INFINITY, MAX_TIMER_MS],
  ])("a grace period of %d ms is timed as %d ms", (ms, timed) => {
    expect(clampTimerMs(ms)).toBe(timed);
  });

  it.each<[number, number | undefined]>([
    [-5, 0],
    [0, 0],
    [1000, 1000],
    [MAX_TIMER_MS, MAX_TIMER_MS],
    [MAX_TIMER_MS + 1, undefined],
    [Number.POSITIVE_INFINITY, undefined],
  ])("a deadline %d ms away is a timer of %s ms", (ms, delay) => {
    expect(timerDelay(ms)).toBe(delay);
  });

  it.each<[string | undefined, number]>([
    [undefined, 10_000],
    ["10", 10_000],
    ["0", 0],
    ["1.5", 1500],
    [" 2 ", 2000],
    ["99999999999", MAX_TIMER_MS],
  ])("KEPTN_TASK_GRACE_SECONDS=%j is a grace period of %i ms", (raw, graceMs) => {
    expect(parseGraceSeconds(raw)).toEqual({ graceMs });
  });

  it.each(["", "-1", "1e3", "10s", "abc", "1.", ".5", "0x10"])(
    "refuses KEPTN_TASK_GRACE_SECONDS=%j, saying what it expects",
    (raw) => {
      expect(parseGraceSeconds(raw)).toEqual({
        problem: `expected a number of seconds, received "${raw}"`,
      });
    },
  );
});

describe("the stop rule", () => {
  /** Feeds `signals` ([signal, ms]) to a fresh sequence; returns each step. */
  const run = (signals: readonly [StopSignal, number][]) => {
    const stops = new StopSequence();
    return { steps: signals.map(([signal, at]) => stops.receive(signal, at)), stops };
  };

  it.each<[StopSignal, number]>([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ])("stops at a first %s, with exit code %i", (signal, exitCode) => {
    const { steps, stops } = run([[signal, 1000]]);
    expect(steps).toEqual([{ action: "stop", signal, exitCode }]);
    expect(stops.first).toBe(signal);
    expect(stops.count).toBe(1);
  });

  it.each<[[StopSignal, number][], string]>([
    [
      [
        ["SIGTERM", 1000],
        ["SIGTERM", 1500],
      ],
      "Task killed at a second SIGTERM, 0.5 s after the first",
    ],
    [
      [
        ["SIGINT", 0],
        ["SIGTERM", 12_340],
      ],
      "Task killed at a second SIGTERM, 12.3 s after the first",
    ],
    [
      [
        ["SIGTERM", 10],
        ["SIGINT", 10],
      ],
      "Task killed at a second SIGINT, 0.0 s after the first",
    ],
  ])("kills at a second signal without waiting: %j", (signals, reason) => {
    const { steps, stops } = run(signals);
    const [first, second] = signals;
    expect(steps[1]).toEqual({
      action: "kill",
      signal: second?.[0],
      first: first?.[0],
      afterMs: (second?.[1] ?? 0) - (first?.[1] ?? 0),
      reason,
    });
    expect(stops.first).toBe(first?.[0]);
  });

  it("kills at every signal after the first, counting them", () => {
    const { steps, stops } = run([
      ["SIGTERM", 0],
      ["SIGINT", 100],
      ["SIGINT", 200],
    ]);
    expect(steps.map((step) => step.action)).toEqual(["stop", "kill", "kill"]);
    expect(stops.count).toBe(3);
    expect(stops.first).toBe("SIGTERM");
  });

  it("never reports a negative time between signals from a clock that went back", () => {
    const { steps } = run([
      ["SIGTERM", 500],
      ["SIGTERM", 100],
    ]);
    expect(steps[1]).toMatchObject({ action: "kill", afterMs: 0 });
  });

  it("starts with no signal", () => {
    const stops = new StopSequence();
    expect(stops.first).toBeUndefined();
    expect(stops.count).toBe(0);
  });
});

describe("what the termination message says", () => {
  it.each<[TaskEnd, string]>([
    [{ exitCode: 3 }, "Task exited with code 3"],
    [{ exitCode: 143, forwarded: "SIGTERM" }, "Task stopped by SIGTERM with exit code 143"],
    [{ exitCode: 0, forwarded: "SIGINT" }, "Task stopped by SIGINT with exit code 0"],
    [{ exitCode: 139, diedOf: "SIGSEGV" }, "Task died of SIGSEGV (exit code 139)"],
    [
      { exitCode: 137, forwarded: "SIGTERM", killed: true, graceMs: 1000 },
      "Task did not stop within 1 s of SIGTERM: killed",
    ],
    [
      { exitCode: 137, forwarded: "SIGINT", killed: true, graceMs: 2500 },
      "Task did not stop within 2.5 s of SIGINT: killed",
    ],
    [{ exitCode: 137, killed: true }, "Task did not stop within 10 s of the signal: killed"],
    [
      {
        exitCode: 137,
        forwarded: "SIGTERM",
        killed: true,
        graceMs: 1000,
        secondSignal: { signal: "SIGINT", afterMs: 250 },
      },
      "Task killed at a second SIGINT, 0.3 s after the first",
    ],
    [
      { exitCode: 143, forwarded: "SIGTERM", diedOf: "SIGTERM" },
      "Task stopped by SIGTERM with exit code 143",
    ],
  ])("a task that ended as %j: %s", (end, reason) => {
    expect(taskEndReason(end)).toBe(reason);
  });

  it.each<[string, string]>([
    [notStartedReason("SIGTERM"), "Received SIGTERM before the task started: not run"],
    [readsAsSuccessReason(256), "Task exited with code 256, which would read as 0: ending with 1"],
    [uncaughtReason("Error: boom"), "Task exited with code 1: uncaught Error: boom"],
    [
      PROVISIONAL_REASON,
      "Task ended abnormally: killed by a signal or the kernel, or its top-level await never resolved",
    ],
  ])("says %j", (said, expected) => {
    expect(said).toBe(expected);
  });

  it.each([
    ["short", 10, "short"],
    ["héllo", 2, "h"],
    ["héllo", 3, "hé"],
    ["😀😀", 5, "😀"],
    ["x".repeat(4097), 4096, "x".repeat(4096)],
  ])("cuts %j to %i bytes as %j, never inside a character", (text, bytes, cut) => {
    expect(truncateUtf8(text, bytes)).toBe(cut);
  });
});

/** A termination log in memory: `undefined` is a file that is not there. */
class MemoryFile implements TerminationFile {
  text: string | undefined;
  writes = 0;
  constructor(text: string | undefined) {
    this.text = text;
  }
  read(_maxBytes: number): string | undefined {
    return this.text;
  }
  replace(text: string): boolean {
    if (this.text === undefined) return false;
    this.writes++;
    this.text = text;
    return true;
  }
}

/** One step on a termination log: the writer's, or the task writing its own words. */
type Step = (writer: TerminationLogWriter, file: MemoryFile) => unknown;
const write =
  (reason: string, override = false): Step =>
  (writer) =>
    writer.write(reason, override);
const task =
  (words: string): Step =>
  (_writer, file) => {
    file.text = words;
  };
const provisional: Step = (writer) => writer.provisional("provisional reason");
const withdraw: Step = (writer) => writer.withdraw();
const maskTaskWords: Step = (writer) => writer.maskTaskWords();

/** What the file holds at first, the steps, what it holds in the end (`undefined`: no file). */
const WRITER_CASES: [string, string | undefined, Step[], string | undefined][] = [
  [
    "writes nothing where there is no file",
    undefined,
    [write("Task exited with code 3")],
    undefined,
  ],
  ["writes the runner's reason", "", [write("Task exited with code 3")], "Task exited with code 3"],
  ["masks the runner's reason", "", [write("bad s3cr3t-value")], "bad ***"],
  [
    "keeps the task's own words, masked",
    "",
    [task("Login with s3cr3t-value failed"), write("Task exited with code 1")],
    "Login with *** failed",
  ],
  [
    "writes over blank words of the task's",
    " \n",
    [write("Task exited with code 2")],
    "Task exited with code 2",
  ],
  [
    "writes over the task's words when told to",
    "",
    [task("my own reason"), write("Runner failed", true)],
    "Runner failed",
  ],
  [
    "writes over its own earlier reason",
    "",
    [write("first reason"), write("second reason")],
    "second reason",
  ],
  ["withdraws its provisional reason", "", [provisional, withdraw], ""],
  [
    "replaces its provisional reason with the final one",
    "",
    [provisional, write("Task exited with code 4")],
    "Task exited with code 4",
  ],
  [
    "keeps what the task wrote over the provisional reason",
    "",
    [provisional, task("the task's reason"), withdraw, write("Task exited with code 5")],
    "the task's reason",
  ],
  [
    "masks what the task wrote before it succeeded",
    "",
    [task("token s3cr3t-value used"), maskTaskWords],
    "token *** used",
  ],
  [
    "cuts a long reason to Kubernetes' 4096 bytes",
    "",
    [write(`${"é".repeat(2048)}more`)],
    "é".repeat(2048),
  ],
];

describe("how the termination log is written", () => {
  const secrets = new SecretRegistry();
  secrets.register("s3cr3t-value");

  it.each(WRITER_CASES)("%s", (_name, initial, steps, expected) => {
    const file = new MemoryFile(initial);
    const writer = new TerminationLogWriter(file, secrets);
    for (const step of steps) step(writer, file);
    expect(file.text).toBe(expected);
    if (expected !== undefined) {
      expect(new TextEncoder().encode(expected).length).toBeLessThanOrEqual(
        TERMINATION_MESSAGE_MAX_BYTES,
      );
    }
  });

  it("says whether it wrote", () => {
    expect(new TerminationLogWriter(new MemoryFile(undefined), secrets).write("x", true)).toBe(
      false,
    );
    expect(new TerminationLogWriter(new MemoryFile(""), secrets).write("x")).toBe(true);
  });

  it("leaves task words with nothing to mask untouched", () => {
    const file = new MemoryFile("all fine");
    new TerminationLogWriter(file, secrets).maskTaskWords();
    expect(file.writes).toBe(0);
    expect(file.text).toBe("all fine");
  });
});
