/**
 * What Kubernetes refuses in the Job Keptn builds from `spec.container`, although the
 * KeptnTaskDefinition itself is accepted (the CRD checks the Container's schema, not the rules
 * the API server applies to a pod): the task's Job is never created and the task never runs.
 */
import { jobNameProblems } from "./checks/job-names.js";
import { podContainerProblems } from "./checks/pod-container-rules.js";
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

const DECIMAL_SUFFIXES: Readonly<Record<number, string>> = {
  [-9]: "n",
  [-6]: "u",
  [-3]: "m",
  0: "",
  3: "k",
  6: "M",
  9: "G",
  12: "T",
  15: "P",
  18: "E",
};
const BINARY_SUFFIXES = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
const NANO = 10n ** 9n;

/** A quantity's value in nanos (rounded away from zero, as the API server does), and its format. */
function quantityNanos(
  text: string,
): { nanos: bigint; format: "binary" | "decimal" | "exponent" } | undefined {
  const match = QUANTITY.exec(text);
  if (match === null) return undefined;
  const [, number = "", suffix = ""] = match;
  const negative = number.startsWith("-");
  const [whole = "", fraction = ""] = number.replace(/^[+-]/, "").split(".");
  let numerator = BigInt(`${whole}${fraction}` || "0");
  let denominator = 10n ** BigInt(fraction.length);
  const format = /^[KMGTPE]i$/.test(suffix)
    ? "binary"
    : /^[eE]/.test(suffix)
      ? "exponent"
      : "decimal";
  if (format === "binary") numerator *= 1024n ** BigInt(BINARY_SUFFIXES.indexOf(suffix));
  else {
    const exponent =
      format === "exponent"
        ? Number(suffix.slice(1))
        : Number(Object.entries(DECIMAL_SUFFIXES).find(([, s]) => s === suffix)?.[0] ?? 0);
    if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
    else denominator *= 10n ** BigInt(-exponent);
  }
  const scaled = numerator * NANO;
  const nanos = scaled / denominator + (scaled % denominator === 0n ? 0n : 1n);
  return { nanos: negative ? -nanos : nanos, format };
}

/**
 * A Kubernetes quantity as the API server stores and prints it (`resource.Quantity`'s canonical
 * form): `0.5Gi` is `512Mi`, `1.5` is `1500m`, `2000M` is `2G`; a binary quantity that is not a
 * whole number of bytes, or under 1024, is written in decimal.
 *
 * @param quantity - The quantity as written (`"0.5Gi"`, or a YAML number).
 * @returns The canonical text, or the input as text when it is not a quantity.
 * @example
 * ```ts
 * canonicalQuantity("0.5Gi"); // "512Mi"
 * ```
 */
export function canonicalQuantity(quantity: string | number): string {
  const text = String(quantity);
  const parsed = quantityNanos(text);
  if (parsed === undefined) return text;
  const { nanos, format } = parsed;
  if (nanos === 0n) return "0";
  const sign = nanos < 0n ? "-" : "";
  const abs = nanos < 0n ? -nanos : nanos;
  if (format === "binary" && abs >= 1024n * NANO && abs % NANO === 0n) {
    let bytes = abs / NANO;
    let power = 0;
    while (bytes % 1024n === 0n && power < BINARY_SUFFIXES.length - 1) {
      bytes /= 1024n;
      power += 1;
    }
    return `${sign}${bytes}${BINARY_SUFFIXES[power]}`;
  }
  let mantissa = abs;
  let exponent = -9;
  while (mantissa % 1000n === 0n && exponent < 18) {
    mantissa /= 1000n;
    exponent += 3;
  }
  const suffix =
    format === "exponent" ? (exponent === 0 ? "" : `e${exponent}`) : DECIMAL_SUFFIXES[exponent];
  return `${sign}${mantissa}${suffix ?? ""}`;
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
  return [
    ...nameProblems(c),
    ...portProblems(c),
    ...envProblems(c),
    ...resourceProblems(c),
    ...podContainerProblems(c),
  ].map(({ field, problem }) => ({ field: `spec.container.${field}`, problem }));
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
  return [...jobFieldProblems(def), ...jobNameProblems(def), ...containerProblems(def)].map(
    ({ field, problem }) =>
      createDiagnostic(
        "JOB_INVALID",
        `"${def.name}" is accepted, but the API server refuses the Job Keptn builds from it because ${problem}, so the task never runs; fix ${field}`,
        def,
        { field },
      ),
  );
}
