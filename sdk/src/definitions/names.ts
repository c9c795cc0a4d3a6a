/**
 * Kubernetes' rules for names, and the names Keptn derives from a definition's or a task's: what
 * the API server refuses, so that `validate` refuses it first.
 */
import { TASK_TYPES } from "../contract/keptn-context.js";
import { createDiagnostic, type Diagnostic } from "./diagnostics.js";
import type { KeptnTask, TaskDefinition } from "./model.js";

/** A DNS-1123 subdomain: the name of most objects (at most 253 characters). */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A DNS-1123 label: a namespace's name (at most 63 characters). */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The most a label value (a Job's name, in its pod's `job-name` label) may hold. */
export const MAX_LABEL_VALUE = 63;

/**
 * Why `name` is not a DNS-1123 subdomain, or `undefined` when it is one.
 *
 * @example
 * ```ts
 * dnsSubdomainProblem("Hello_World"); // 'must be a DNS-1123 subdomain: ...'
 * ```
 */
export function dnsSubdomainProblem(name: string): string | undefined {
  if (name.length > 253) return `must be at most 253 characters, not ${name.length}`;
  if (DNS_SUBDOMAIN.test(name)) return undefined;
  return 'must be a DNS-1123 subdomain, as the API server requires: lower-case letters, digits, "-" and ".", starting and ending with a letter or a digit';
}

/** Why `name` is not a DNS-1123 label, or `undefined` when it is one. */
export function dnsLabelProblem(name: string): string | undefined {
  if (name.length > 63) return `must be at most 63 characters, not ${name.length}`;
  if (DNS_LABEL.test(name)) return undefined;
  return 'must be a DNS-1123 label, as the API server requires: lower-case letters, digits and "-", starting and ending with a letter or a digit';
}

/** The task types Keptn names a definition's KeptnTasks after, with their phase's name. */
const CHECK_TYPES = TASK_TYPES.map(
  (type) => [type, type === "promotion" ? type : `${type}-deployment`] as const,
);

/** `-NNNNN`: the random suffix Keptn appends to a KeptnTask's and a Job's name. */
const SUFFIX = "-NNNNN";

/**
 * `JOB_NAME_TOO_LONG` for a definition whose KeptnTasks' Jobs would be named beyond 63 characters
 * (`<checkType>-<definition>-NNNNN-NNNNN`): Kubernetes copies a Job's name into its pod's
 * `job-name` label and refuses the Job, so the task never runs. Without `used`, an error when
 * every kind of task fails, a warning when only some do (a post-deployment or promotion task);
 * with `used` (the kinds workloads and app contexts name it for), an error for those only.
 */
export function checkJobNames(def: TaskDefinition, used?: ReadonlySet<string>): Diagnostic[] {
  const jobName = (checkType: string) => `${checkType}-${def.name}${SUFFIX}${SUFFIX}`;
  const failing = CHECK_TYPES.filter(
    ([type]) => (used === undefined || used.has(type)) && jobName(type).length > MAX_LABEL_VALUE,
  );
  const [first] = failing;
  if (first === undefined) return [];
  const [type, phase] = first;
  const longest = MAX_LABEL_VALUE - jobName(type).length + def.name.length;
  const which = failing.map(([, p]) => p).join(", ");
  const every = failing.length === CHECK_TYPES.length;
  return [
    createDiagnostic(
      "JOB_NAME_TOO_LONG",
      `"${def.name}" is ${def.name.length} characters long, so the Job of its ${phase} task would be named "${jobName(type)}" (${jobName(type).length} characters): Kubernetes puts a Job's name in its pod's job-name label, which holds at most ${MAX_LABEL_VALUE}, and refuses the Job, so ${every ? "no task of it ever runs" : `its ${which} tasks never run`}; shorten the name to at most ${longest} characters`,
      def,
      { level: every || used !== undefined ? "error" : "warning", field: "metadata.name" },
    ),
  ];
}

/**
 * `JOB_NAME_TOO_LONG` for a KeptnTask whose Job (`<task>-NNNNN`) would be named beyond 63
 * characters.
 */
export function checkTaskJobName(task: KeptnTask): Diagnostic[] {
  const jobName = `${task.name}${SUFFIX}`;
  if (jobName.length <= MAX_LABEL_VALUE) return [];
  return [
    createDiagnostic(
      "JOB_NAME_TOO_LONG",
      `KeptnTask "${task.namespace}/${task.name}" would get a Job named "${jobName}" (${jobName.length} characters): Kubernetes puts a Job's name in its pod's job-name label, which holds at most ${MAX_LABEL_VALUE}, and refuses the Job, so the task never runs; shorten the name to at most ${MAX_LABEL_VALUE - SUFFIX.length} characters`,
      task,
      { field: "metadata.name" },
    ),
  ];
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/**
 * Why `key` is not a label or annotation key (`[prefix/]name`: a DNS-1123 subdomain, then a name
 * of at most 63 letters, digits, "-", "_" and "."), or `undefined` when it is one.
 */
export function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const [prefix, name] =
    slash === -1 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix === "" || dnsSubdomainProblem(prefix) !== undefined)) {
    return `has the prefix "${prefix}", which must be a DNS-1123 subdomain (example.com/name)`;
  }
  if (name.length > 63) return `has a name part of ${name.length} characters, over 63`;
  if (!QUALIFIED_NAME.test(name)) {
    return 'must be a name of letters, digits, "-", "_" and ".", starting and ending with a letter or a digit, after an optional "prefix/"';
  }
  return undefined;
}

/** Why `value` is not a label value (at most 63 characters, as a qualified name), or `undefined`. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return `must be at most 63 characters, not ${value.length}`;
  if (value === "" || QUALIFIED_NAME.test(value)) return undefined;
  return 'must be empty or letters, digits, "-", "_" and ".", starting and ending with a letter or a digit';
}
