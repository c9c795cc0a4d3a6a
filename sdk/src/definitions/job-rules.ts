/**
 * What Kubernetes refuses in the Job Keptn builds from `spec.container`, although the
 * KeptnTaskDefinition itself is accepted (the CRD checks the Container's schema, not the rules
 * the API server applies to a pod): the task's Job is never created and the task never runs.
 */
import { createDiagnostic, type Diagnostic } from "./diagnostics.js";
import type { TaskDefinition } from "./model.js";
import { dnsLabelProblem } from "./names.js";

const SUFFIXES: Readonly<Record<string, number>> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[mkMGTPE]|[eE][+-]?\d+)?$/;

/** A Kubernetes quantity's value (`"512Mi"`, `"500m"`, `2`), or `undefined` when malformed. */
export function quantityValue(quantity: string | number): number | undefined {
  if (typeof quantity === "number") return quantity;
  const match = QUANTITY.exec(quantity);
  if (match === null) return undefined;
  const [, number = "", suffix = ""] = match;
  const scale = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIXES[suffix];
  return scale === undefined ? undefined : Number(number) * scale;
}

const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

interface Problem {
  readonly field: string;
  readonly problem: string;
}

type Container = NonNullable<TaskDefinition["container"]> & Record<string, unknown>;

function nameProblems(container: Container): Problem[] {
  const out: Problem[] = [];
  const nameProblem = dnsLabelProblem(String(container.name ?? ""));
  if (nameProblem !== undefined) {
    out.push({ field: "name", problem: `its name "${container.name}" ${nameProblem}` });
  }
  if (typeof container.image !== "string" || container.image.trim() === "") {
    out.push({ field: "image", problem: "it has no image, which a Job's container needs" });
  }
  return out;
}

function portProblems(container: Container): Problem[] {
  const ports = Array.isArray(container.ports)
    ? (container.ports as Record<string, unknown>[])
    : [];
  return ports.flatMap((port, index) => {
    const out: Problem[] = [];
    const number = port.containerPort;
    if (typeof number === "number" && (number < 1 || number > 65535)) {
      out.push({
        field: `ports.${index}.containerPort`,
        problem: `port ${number} is outside 1-65535`,
      });
    }
    const { name } = port;
    if (
      typeof name === "string" &&
      (name.length > 15 || !PORT_NAME.test(name) || !/[a-z]/.test(name) || name.includes("--"))
    ) {
      out.push({
        field: `ports.${index}.name`,
        problem: `the port name "${name}" is not an IANA service name (at most 15 lower-case letters, digits and single "-", with a letter)`,
      });
    }
    return out;
  });
}

function envProblems(container: Container): Problem[] {
  const env = container.env ?? [];
  return env.flatMap((variable, index) =>
    variable.name !== "KEPTN_CONTEXT" &&
    variable.value !== undefined &&
    variable.value !== "" &&
    variable.valueFrom !== undefined
      ? [
          {
            field: `env.${index}`,
            problem: `env "${variable.name}" has both value and valueFrom, of which a variable may have one`,
          },
        ]
      : [],
  );
}

function resourceProblems(container: Container): Problem[] {
  const resources = (container.resources ?? {}) as {
    limits?: Record<string, string | number>;
    requests?: Record<string, string | number>;
  };
  const out: Problem[] = [];
  for (const kind of ["limits", "requests"] as const) {
    for (const [resource, quantity] of Object.entries(resources[kind] ?? {})) {
      const value = quantityValue(quantity);
      if (value !== undefined && value < 0) {
        out.push({
          field: `resources.${kind}.${resource}`,
          problem: `${kind}.${resource} is negative (${quantity})`,
        });
      }
    }
  }
  for (const [resource, request] of Object.entries(resources.requests ?? {})) {
    const limit = resources.limits?.[resource];
    if (limit === undefined) continue;
    const [asked, allowed] = [quantityValue(request), quantityValue(limit)];
    if (asked !== undefined && allowed !== undefined && asked > allowed) {
      out.push({
        field: `resources.requests.${resource}`,
        problem: `it requests more ${resource} (${request}) than its limit (${limit})`,
      });
    }
  }
  return out;
}

function containerProblems(def: TaskDefinition): Problem[] {
  const { container } = def;
  if (def.runner !== "container" || container === undefined) return [];
  const c = container as Container;
  return [...nameProblems(c), ...portProblems(c), ...envProblems(c), ...resourceProblems(c)].map(
    ({ field, problem }) => ({ field: `spec.container.${field}`, problem }),
  );
}

/** The Job's own fields: Kubernetes takes no negative backoffLimit or TTL; the CRD does. */
function jobFieldProblems(def: TaskDefinition): Problem[] {
  const fields = [
    ["retries", def.retries, "its backoffLimit"],
    ["ttlSecondsAfterFinished", def.ttlSecondsAfterFinished, "its ttlSecondsAfterFinished"],
  ] as const;
  return fields.flatMap(([field, value, what]) =>
    value !== undefined && value < 0
      ? [{ field: `spec.${field}`, problem: `${what} would be negative (${value})` }]
      : [],
  );
}

/**
 * `JOB_INVALID` for each rule the API server applies to the Job Keptn builds from a definition
 * that the CRD accepts: negative retries or TTL, and a container task's container name, image,
 * ports, env and resources.
 */
export function checkJobRules(def: TaskDefinition): Diagnostic[] {
  return [...jobFieldProblems(def), ...containerProblems(def)].map(({ field, problem }) =>
    createDiagnostic(
      "JOB_INVALID",
      `"${def.name}" is accepted, but the API server refuses the Job Keptn builds from it because ${problem}, so the task never runs; fix ${field}`,
      def,
      { field },
    ),
  );
}
