/**
 * The standard OpenTelemetry variables that turn span export on, read once, with no OpenTelemetry
 * package loaded: this is all the runner and the SDK look at on their default path. Bad input is
 * a one-line warning naming the variable, never a failure of the task.
 */

/** What the variables ask for: nothing, or OTLP over HTTP to one URL. */
export type OtelConfig = OtelOff | OtelOn;

/** Export is off (no endpoint, or `OTEL_TRACES_EXPORTER=none`, or `OTEL_SDK_DISABLED=true`). */
export interface OtelOff {
  readonly enabled: false;
  readonly warnings: readonly string[];
}

/** Export is on: where to, how, and what the resource says. */
export interface OtelOn {
  readonly enabled: true;
  /** The full URL spans are posted to (`…/v1/traces` added to a base endpoint). */
  readonly url: string;
  readonly protocol: "http/protobuf" | "http/json";
  /** Request headers (`OTEL_EXPORTER_OTLP_HEADERS`): credentials, masked in every output. */
  readonly headers: Readonly<Record<string, string>>;
  /** Resource attributes: `OTEL_RESOURCE_ATTRIBUTES`, with `service.name` always set. */
  readonly resource: Readonly<Record<string, string>>;
  /** How long one export may take: short, so a dead collector never holds the task up. */
  readonly timeoutMs: number;
  readonly warnings: readonly string[];
}

/** The longest an export may take: the spec's default (10 s) would delay every exit that long. */
export const MAX_EXPORT_MS = 1000;

/** The variables read here (a Deno task's `--allow-env` names them, `keptn-task run` passes them). */
export const OTEL_ENV_VARS: readonly string[] = [
  "OTEL_SDK_DISABLED",
  "OTEL_TRACES_EXPORTER",
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
  "OTEL_EXPORTER_OTLP_PROTOCOL",
  "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
  "OTEL_EXPORTER_OTLP_HEADERS",
  "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
  "OTEL_EXPORTER_OTLP_TIMEOUT",
  "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
  "OTEL_SERVICE_NAME",
  "OTEL_RESOURCE_ATTRIBUTES",
];

/** The OpenTelemetry environment carrier of the trace context (the runner's span, for a task). */
export const TRACE_ENV_VARS: readonly string[] = ["TRACEPARENT", "TRACESTATE"];

type Env = Readonly<Record<string, string | undefined>>;

const get = (env: Env, name: string): string => (env[name] ?? "").trim();

/**
 * Whether the variables ask for span export at all: the cheap check of the default path.
 *
 * @param env - The environment to read.
 */
export function otelWanted(env: Env): boolean {
  const endpoint =
    get(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") || get(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
  if (endpoint === "") return false;
  if (get(env, "OTEL_SDK_DISABLED").toLowerCase() === "true") return false;
  return !get(env, "OTEL_TRACES_EXPORTER")
    .split(",")
    .some((name) => name.trim() === "none");
}

/**
 * Reads the standard OpenTelemetry variables.
 *
 * @param env - The environment to read.
 * @param defaultService - `service.name` when `OTEL_SERVICE_NAME` does not set one.
 * @example
 * ```ts
 * readOtelConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }, "keptn-task").enabled;
 * // true
 * ```
 */
export function readOtelConfig(env: Env, defaultService: string): OtelConfig {
  const warnings: string[] = [];
  if (!otelWanted(env)) return { enabled: false, warnings };
  const url = readUrl(env, warnings);
  if (url === undefined) return { enabled: false, warnings };
  const exporter = get(env, "OTEL_TRACES_EXPORTER");
  if (exporter !== "" && exporter !== "otlp")
    warnings.push(warning("OTEL_TRACES_EXPORTER", `expected "otlp" or "none"`, exporter));
  return {
    enabled: true,
    url,
    protocol: readProtocol(env, warnings),
    headers: readHeaders(env, warnings),
    resource: readResource(env, defaultService, warnings),
    timeoutMs: readTimeout(env, warnings),
    warnings,
  };
}

/** The URL spans go to: the traces endpoint as given, or `/v1/traces` on the base endpoint. */
function readUrl(env: Env, warnings: string[]): string | undefined {
  const own = get(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  const name = own === "" ? "OTEL_EXPORTER_OTLP_ENDPOINT" : "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
  const value = own === "" ? get(env, name) : own;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    url = new URL("invalid:");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    // The value is not quoted: a URL may carry credentials.
    warnings.push(`${name} is not an http(s) URL: spans are not exported`);
    return undefined;
  }
  if (own !== "") return url.href;
  return `${url.href.replace(/\/+$/, "")}/v1/traces`;
}

function readProtocol(env: Env, warnings: string[]): OtelOn["protocol"] {
  const own = get(env, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL");
  const name = own === "" ? "OTEL_EXPORTER_OTLP_PROTOCOL" : "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL";
  const value = own === "" ? get(env, name) : own;
  if (value === "" || value === "http/protobuf") return "http/protobuf";
  if (value === "http/json") return "http/json";
  warnings.push(
    warning(name, `expected "http/protobuf" or "http/json": using http/protobuf`, value),
  );
  return "http/protobuf";
}

/** `key=value,…` with URL-encoded values (the W3C baggage format the spec names). */
function readHeaders(env: Env, warnings: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"]) {
    const pairs = readPairs(get(env, name));
    // Never quoted: header values are credentials.
    if (pairs.bad > 0) warnings.push(`${name} has ${pairs.bad} entries that are not key=value`);
    Object.assign(headers, pairs.map);
  }
  return headers;
}

function readResource(
  env: Env,
  defaultService: string,
  warnings: string[],
): Record<string, string> {
  const pairs = readPairs(get(env, "OTEL_RESOURCE_ATTRIBUTES"));
  if (pairs.bad > 0)
    warnings.push(`OTEL_RESOURCE_ATTRIBUTES has ${pairs.bad} entries that are not key=value`);
  const service = get(env, "OTEL_SERVICE_NAME");
  return {
    "service.name": defaultService,
    ...pairs.map,
    ...(service === "" ? {} : { "service.name": service }),
  };
}

function readTimeout(env: Env, warnings: string[]): number {
  for (const name of ["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"]) {
    const value = get(env, name);
    if (value === "") continue;
    const ms = Number(value);
    if (Number.isFinite(ms) && ms > 0) return Math.min(ms, MAX_EXPORT_MS);
    warnings.push(warning(name, "expected a positive number of milliseconds", value));
  }
  return MAX_EXPORT_MS;
}

function readPairs(text: string): { map: Record<string, string>; bad: number } {
  const map: Record<string, string> = {};
  let bad = 0;
  for (const entry of text.split(",")) {
    if (entry.trim() === "") continue;
    const equals = entry.indexOf("=");
    const key = equals <= 0 ? "" : entry.slice(0, equals).trim();
    if (key === "") {
      bad++;
      continue;
    }
    const raw = entry.slice(equals + 1).trim();
    try {
      map[key] = decodeURIComponent(raw);
    } catch {
      map[key] = raw;
    }
  }
  return { map, bad };
}

function warning(name: string, expected: string, value: string): string {
  return `${name} ${expected}, received "${value}"`;
}
