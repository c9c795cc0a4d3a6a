import { describe, expect, it } from "vitest";
import { parseDeadline } from "../../sdk/src/core/deadline.js";
import {
  ConfigError,
  type ConfigIssue,
  type ConfigSource,
  type ErrorCode,
  EXIT_CODES,
  KeptnTaskError,
  parseContext,
  parseData,
  parseSecureData,
  SecretMasker,
  SecretRegistry,
  type Task,
  task,
  z,
} from "../../sdk/src/index.js";
import { runHandler } from "../../sdk/src/testing.js";
import { ROOT } from "../helpers/deno.js";
import { runProcess } from "../helpers/run-process.js";
import {
  type FieldDescription,
  type HandlerCase,
  readVectors,
  text,
  VECTOR_FILES,
  type VectorIssue,
  type VectorText,
  vectorFileNames,
} from "../helpers/vectors.js";

// The shared test vectors (test/vectors/*.json) against the TS SDK: one test per case, named
// after it. test/python/vectors.test.ts runs the same files against keptn_task.

const raw = (value: VectorText | null) => (value === null ? undefined : text(value));
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** What `issues` must equal: exact messages, or a message starting with `messagePrefix`. */
function expectedIssues(source: ConfigSource, issues: VectorIssue[]) {
  return issues.map((issue) => ({
    source,
    path: issue.path,
    message:
      issue.messagePrefix === undefined
        ? text(issue.message ?? "")
        : expect.stringMatching(new RegExp(`^${escapeRegExp(issue.messagePrefix)}.`)),
  }));
}

/** The message of the ConfigError task() throws for these issues, as a pattern. */
function configErrorPattern(source: ConfigSource, issues: VectorIssue[]): RegExp {
  const parts = issues.map((issue) => {
    const where = issue.path === "" ? source : `${source}.${issue.path}`;
    return issue.messagePrefix === undefined
      ? escapeRegExp(`${where}: ${text(issue.message ?? "")}`)
      : `${escapeRegExp(`${where}: ${issue.messagePrefix}`)}[\\s\\S]+`;
  });
  return new RegExp(`^${escapeRegExp("Invalid task environment: ")}${parts.join("; ")}$`);
}

/** task() with only these variables set, its output discarded, no signal handlers. */
function runTask(
  env: Record<string, string | undefined>,
  options: Parameters<typeof task>[0] = {},
) {
  return task({
    env,
    secrets: new SecretRegistry(),
    handleSignals: false,
    logDestination: { write: () => {} },
    onConfigError: "throw",
    ...options,
  });
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError, none was thrown");
}

describe("the shared test vectors", () => {
  it("are the files this test checks, each with cases", () => {
    expect(vectorFileNames()).toEqual([...VECTOR_FILES].sort());
    for (const file of VECTOR_FILES) {
      const { description, cases } = readVectors(file);
      expect(description, file).not.toBe("");
      expect(cases.length, file).toBeGreaterThan(0);
    }
  });
});

describe("context.json: KEPTN_CONTEXT", () => {
  for (const c of readVectors("context.json").cases) {
    it(c.name, () => {
      const { context, issues } = parseContext(raw(c.raw));
      const env = { KEPTN_CONTEXT: raw(c.raw) };
      if (c.issues === undefined) {
        expect(issues).toEqual([]);
        expect({ ...context, trace: context.trace ?? null }).toEqual(c.context);
        const fromTask = runTask(env).context;
        expect({ ...fromTask, trace: fromTask.trace ?? null }).toEqual(c.context);
      } else {
        expect(issues).toEqual(expectedIssues("KEPTN_CONTEXT", c.issues));
        const error = configError(() => runTask(env));
        expect(error.message).toMatch(configErrorPattern("KEPTN_CONTEXT", c.issues));
        expect(error.exitCode).toBe(78);
      }
    });
  }
});

function zodField(field: FieldDescription): z.ZodType {
  let schema: z.ZodType =
    field.type === "string"
      ? z.string()
      : field.type === "boolean"
        ? z.boolean()
        : field.type === "integer"
          ? z.number().int()
          : z.number();
  if (field.optional === true) schema = schema.optional();
  if (field.default !== undefined) schema = schema.default(field.default as never);
  return schema;
}

describe("data.json: DATA", () => {
  for (const c of readVectors("data.json").cases) {
    it(c.name, () => {
      const schema =
        c.schema === null
          ? undefined
          : z.object(
              Object.fromEntries(
                Object.entries(c.schema).map(([key, field]) => [key, zodField(field)]),
              ),
            );
      const { value, issues } = parseData(raw(c.raw), schema);
      const env = { DATA: raw(c.raw) };
      const options = schema === undefined ? {} : { data: schema };
      if (c.issues === undefined) {
        expect(issues).toEqual([]);
        expect(value).toEqual(c.value);
        expect(runTask(env, options).data).toEqual(c.value);
      } else {
        expect(issues).toEqual(expectedIssues("DATA", c.issues));
        expect(value).toBeUndefined();
        const error = configError(() => runTask(env, options));
        expect(error.message).toMatch(configErrorPattern("DATA", c.issues));
      }
    });
  }
});

describe("secure-data.json: SECURE_DATA", () => {
  for (const c of readVectors("secure-data.json").cases) {
    it(c.name, () => {
      const secrets = new SecretRegistry();
      const value = raw(c.raw);
      const result = parseSecureData(value, c.json ? z.json() : undefined, secrets);
      if (c.issues === undefined) {
        expect(result.issues).toEqual([]);
        expect(result.value ?? null).toEqual(c.value);
      } else {
        expect(result.issues).toEqual(expectedIssues("SECURE_DATA", c.issues));
        expect(result.value).toBeUndefined();
        for (const issue of result.issues) {
          if (value !== undefined && value.trim() !== "")
            expect(issue.message).not.toContain(value);
        }
      }
      // Registered before anything else happens to it, valid or not.
      if (value !== undefined && value.trim() !== "") expect(secrets.mask(value)).toBe("***");
    });
  }
});

describe("deadline.json: KEPTN_TASK_DEADLINE", () => {
  for (const c of readVectors("deadline.json").cases) {
    it(c.name, () => {
      const { value, issues } = parseDeadline(raw(c.raw));
      const env = { KEPTN_TASK_DEADLINE: raw(c.raw) };
      if (c.issues === undefined) {
        expect(issues).toEqual([]);
        expect(value ?? null).toBe(c.value);
        const before = Date.now();
        const t = runTask(env);
        const remaining = t.remainingMs();
        const after = Date.now();
        const deadline = c.value ?? Number.POSITIVE_INFINITY;
        expect(remaining).toBeGreaterThanOrEqual(Math.max(0, deadline - after));
        expect(remaining).toBeLessThanOrEqual(Math.max(0, deadline - before));
        if (deadline <= before) expect(t.signal.aborted).toBe(true);
      } else {
        expect(issues as ConfigIssue[]).toEqual(expectedIssues("KEPTN_TASK_DEADLINE", c.issues));
        const error = configError(() => runTask(env));
        expect(error.message).toMatch(configErrorPattern("KEPTN_TASK_DEADLINE", c.issues));
      }
    });
  }
});

/** The exit code a shell reports for a process that `signal` ended. */
async function shellExitCode(signal: string): Promise<number | null> {
  const result = await runProcess("sh", ["-c", `sh -c 'kill -${signal.slice(3)} $$'; exit $?`]);
  return result.code;
}

describe("exit-codes.json: exit codes", () => {
  const cases = readVectors("exit-codes.json").cases;

  it("lists every code of EXIT_CODES", () => {
    const codes = cases.flatMap((c) => (c.code === undefined ? [] : [c.code]));
    expect(codes.sort()).toEqual(Object.keys(EXIT_CODES).sort());
  });

  for (const c of cases) {
    if (c.code !== undefined) {
      const code = c.code as ErrorCode;
      it(`${code} is ${c.exitCode}: ${c.meaning}`, () => {
        expect(EXIT_CODES[code]).toBe(c.exitCode);
        expect(new KeptnTaskError("failed", code).exitCode).toBe(c.exitCode);
      });
    } else {
      const signal = c.signal as string;
      it(`${signal} gives ${c.exitCode}: ${c.meaning}`, async () => {
        expect(await shellExitCode(signal)).toBe(c.exitCode);
        if (signal === "SIGKILL") return;
        // A task that ends by itself after the signal, with task()'s default signal handling.
        const result = await runProcess(
          process.execPath,
          [`${ROOT}test/fixtures/sdk/signal.mjs`, "cooperate"],
          {
            onStdout: (chunk, child) => {
              if (chunk.includes("ready")) child.kill(signal as NodeJS.Signals);
            },
          },
        );
        expect(result.stdout).toContain(`aborted: Received ${signal}`);
        expect(result.code).toBe(c.exitCode);
      });
    }
  }
});

/** Where a text case is split when it is streamed: everywhere, or every 1,000 characters. */
function splits(length: number): number[][] {
  if (length > 1000) {
    const points = [];
    for (let at = 1000; at < length; at += 1000) points.push(at);
    return [points];
  }
  const all = Array.from({ length: length - 1 }, (_, i) => i + 1);
  return [all, ...Array.from({ length: length + 1 }, (_, i) => [i])];
}

describe("masking.json: secret masking", () => {
  for (const c of readVectors("masking.json").cases) {
    it(c.name, () => {
      const secrets = new SecretRegistry();
      for (const secret of c.secrets) secrets.register(text(secret));
      if (c.writes !== undefined) {
        const masker = new SecretMasker(secrets);
        for (const [input, output] of c.writes) {
          expect(masker.write(input), JSON.stringify(input)).toBe(output);
          expect(masker.held).toBeLessThanOrEqual(Math.max(0, secrets.longest - 1));
        }
        expect(masker.end()).toBe(c.end);
        return;
      }
      const input = text(c.text ?? "");
      const masked = text(c.masked ?? "");
      expect(secrets.mask(input)).toBe(masked);
      for (const points of splits(input.length)) {
        const masker = new SecretMasker(secrets);
        let output = "";
        let last = 0;
        for (const point of [...points, input.length]) {
          output += masker.write(input.slice(last, point));
          last = point;
        }
        expect(output + masker.end(), `split at ${points.join(",")}`).toBe(masked);
      }
    });
  }
});

/** A handlers.json template filled in from the task: {data.KEY}, {secret}, {secret.KEY}... */
function fill(template: string, t: Task<Record<string, unknown>, unknown>): string {
  return template.replace(/\{([\w.]+)\}/g, (_, path: string) => {
    const [root, key] = path.split(".");
    const secret = t.secureData as Record<string, unknown> | string | undefined;
    const value =
      root === "data"
        ? t.data[key ?? ""]
        : root === "context"
          ? t.context[key as keyof typeof t.context]
          : key === undefined
            ? secret
            : (secret as Record<string, unknown>)[key];
    return String(value);
  });
}

/** The handler a case describes. */
function vectorHandler(action: HandlerCase["handler"]) {
  return (t: Task<Record<string, unknown>, unknown>) => {
    if (action.log !== undefined) t.log.info(fill(action.log, t));
    const message = fill(action.message ?? "", t);
    if (action.then === "return") return message;
    if (action.then === "raise") throw new Error(message);
    if (action.then === "fail") t.fail(message, { exitCode: action.exitCode ?? 1 });
    if (action.then === "succeed") t.succeed(message);
    return undefined;
  };
}

describe("handlers.json: a handler run by the test harness", () => {
  for (const c of readVectors("handlers.json").cases) {
    it(c.name, async () => {
      const options = {
        ...(c.schema === null
          ? {}
          : {
              data: z.object(
                Object.fromEntries(Object.entries(c.schema).map(([k, f]) => [k, zodField(f)])),
              ),
            }),
        ...(c.secureJson ? { secureData: z.json() } : {}),
      };
      const { data, secureData, context } = c.input;
      const result = await runHandler(options, vectorHandler(c.handler) as never, {
        ...(data === null ? {} : { data }),
        ...(secureData === null ? {} : { secureData }),
        ...(context === null ? {} : { context }),
      });
      expect(result.exitCode).toBe(c.exitCode);
      expect(result.reason ?? null).toBe(c.reason);
      expect(
        result.logs.map((line) => ({
          level: line.level,
          msg: line.msg,
          ...(c.logs.some((want) => want.exitCode !== undefined) && line.exitCode !== undefined
            ? { exitCode: line.exitCode }
            : {}),
        })),
      ).toEqual(c.logs);
    });
  }
});
