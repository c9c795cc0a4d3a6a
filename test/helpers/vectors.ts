import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./deno.js";

// The shared test vectors of test/vectors/: one JSON file per contract, each a description and
// a list of cases that the TS SDK (test/sdk/vectors.test.ts) and keptn_task
// (test/python/test_vectors.py) must both reproduce exactly.

export const VECTORS_DIR = join(ROOT, "test/vectors");

/** A string, or a list of parts to join: strings and `{ repeat, times }`. */
export type VectorText = string | (string | { repeat: string; times: number })[];

/** An expected issue: its path, and its exact message or the start of it. */
export interface VectorIssue {
  path: string;
  message?: VectorText;
  messagePrefix?: string;
}

export interface ContextCase {
  name: string;
  raw: VectorText | null;
  context?: Record<string, unknown>;
  issues?: VectorIssue[];
}

export interface FieldDescription {
  type: "string" | "number" | "integer" | "boolean";
  optional?: boolean;
  default?: string | number | boolean;
}

export interface DataCase {
  name: string;
  raw: VectorText | null;
  schema: Record<string, FieldDescription> | null;
  value?: Record<string, unknown>;
  issues?: VectorIssue[];
}

export interface SecureDataCase {
  name: string;
  raw: VectorText | null;
  json: boolean;
  value?: unknown;
  issues?: VectorIssue[];
}

export interface DeadlineCase {
  name: string;
  raw: VectorText | null;
  value?: number | null;
  issues?: VectorIssue[];
}

export interface ExitCodeCase {
  code?: string;
  signal?: "SIGTERM" | "SIGINT" | "SIGKILL";
  exitCode: number;
  meaning: string;
}

export interface MaskingCase {
  name: string;
  secrets: VectorText[];
  text?: VectorText;
  masked?: VectorText;
  writes?: [string, string][];
  end?: string;
}

/** What a vector's handler does (see handlers.json). */
export interface HandlerAction {
  log?: string;
  then: "return" | "returnNothing" | "raise" | "fail" | "succeed";
  message?: string;
  exitCode?: number;
}

export interface HandlerCase {
  name: string;
  schema: Record<string, FieldDescription> | null;
  secureJson: boolean;
  input: {
    data: Record<string, string | number | boolean> | null;
    secureData: unknown;
    context: Record<string, string> | null;
  };
  handler: HandlerAction;
  exitCode: number;
  reason: string | null;
  logs: { level: string; msg: string; exitCode?: number }[];
}

/** The vector files and the type of their cases. */
export interface VectorFiles {
  "context.json": ContextCase;
  "data.json": DataCase;
  "secure-data.json": SecureDataCase;
  "deadline.json": DeadlineCase;
  "exit-codes.json": ExitCodeCase;
  "masking.json": MaskingCase;
  "handlers.json": HandlerCase;
}

export const VECTOR_FILES = [
  "context.json",
  "data.json",
  "secure-data.json",
  "deadline.json",
  "exit-codes.json",
  "masking.json",
  "handlers.json",
] as const satisfies readonly (keyof VectorFiles)[];

/** The JSON files in test/vectors, sorted. */
export function vectorFileNames(): string[] {
  return readdirSync(VECTORS_DIR)
    .filter((name) => name.endsWith(".json"))
    .sort();
}

/** A vector file's description and cases. */
export function readVectors<F extends keyof VectorFiles>(
  file: F,
): { description: string; cases: VectorFiles[F][] } {
  return JSON.parse(readFileSync(join(VECTORS_DIR, file), "utf8"));
}

/** The string a `VectorText` stands for. */
export function text(value: VectorText): string {
  if (typeof value === "string") return value;
  return value
    .map((part) => (typeof part === "string" ? part : part.repeat.repeat(part.times)))
    .join("");
}

/**
 * The message a vector gives for an issue: the case named `name` in `file`, at `path`. For tests
 * that check the same condition another way, so the message is written in one place only.
 */
export function issueMessage(
  file: "context.json" | "data.json" | "secure-data.json" | "deadline.json",
  name: string,
  path: string,
): string {
  const found = readVectors(file)
    .cases.find((c) => c.name === name)
    ?.issues?.find((issue) => issue.path === path);
  if (found?.message === undefined) {
    throw new Error(`${file} has no case "${name}" with an exact message at "${path}"`);
  }
  return text(found.message);
}

/** A pattern for the message of an issue that a vector gives by its start (`messagePrefix`). */
export function issuePattern(
  file: "context.json" | "data.json" | "secure-data.json" | "deadline.json",
  name: string,
  path: string,
): RegExp {
  const found = readVectors(file)
    .cases.find((c) => c.name === name)
    ?.issues?.find((issue) => issue.path === path);
  if (found?.messagePrefix === undefined) {
    throw new Error(`${file} has no case "${name}" with a message prefix at "${path}"`);
  }
  return new RegExp(`^${found.messagePrefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}.`);
}
