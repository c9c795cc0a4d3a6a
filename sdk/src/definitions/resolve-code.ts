import { redactUrl } from "../contract/secret-rule.js";
import type { Catalog } from "./catalog.js";
import { checkDefinition } from "./check-definition.js";
import { createDiagnostic, type Diagnostic, objectId } from "./diagnostics.js";
import { notInLookupNamespaces } from "./lookup-namespaces.js";
import type { TaskDefinition } from "./model.js";
import type { DefinitionRef } from "./resolved-task.js";

export interface CodeParams {
  configMap:
    | { name: string; namespace: string; createdByKeptn: boolean; definition: TaskDefinition }
    | undefined;
  url: string | undefined;
  urlDefinition: TaskDefinition | undefined;
  parameters: Readonly<Record<string, string>> | undefined;
  secure: string | undefined;
  cmd: string | undefined;
  runner: "deno" | "python";
  chain: TaskDefinition[];
}

export interface Context {
  readonly catalog: Catalog;
  readonly namespace: string;
  readonly keptnNamespace: string;
  readonly mode: "keptn" | "full";
  readonly diagnostics: Diagnostic[];
}

/**
 * The ConfigMap name the operator stores a definition's inline code in: `keptnfn-` and the
 * definition name cut to 245 characters.
 *
 * @param definitionName The definition's name.
 * @returns The ConfigMap name.
 * @example
 * ```ts
 * inlineConfigMapName("notify"); // "keptnfn-notify"
 * ```
 */
export function inlineConfigMapName(definitionName: string): string {
  return `keptnfn-${definitionName.slice(0, 245)}`;
}

/**
 * Fills `base` from `extra` as the operator does with Go's `mergo.Merge(&base, extra)` (mergo
 * v1.0.0, no options): a key of `extra` is taken when `base` lacks it or holds `""`, which mergo
 * treats as unset. So a non-empty value in `base` wins, and `""` in `base` never does.
 */
export function mergoFill(
  base: Readonly<Record<string, string>> | undefined,
  extra: Readonly<Record<string, string>> | undefined,
): Readonly<Record<string, string>> | undefined {
  if (base === undefined && extra === undefined) return undefined;
  const out: Record<string, string> = { ...base };
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (!Object.hasOwn(out, key) || out[key] === "") out[key] = value;
  }
  return Object.freeze(out);
}

export function ref(def: TaskDefinition): DefinitionRef {
  return Object.freeze({ name: def.name, namespace: def.namespace, version: def.version });
}

/** The path of a field inside the runtime spec a definition's code comes from. */
export function runtimeField(def: TaskDefinition, path: string): string {
  return `spec.${def.runtimeField ?? "deno"}.${path}`;
}

export function lookup(ctx: Context, name: string): TaskDefinition | undefined {
  return (
    ctx.catalog.findDefinition(name, ctx.namespace) ??
    ctx.catalog.findDefinition(name, ctx.keptnNamespace)
  );
}

function ownParams(ctx: Context, def: TaskDefinition): CodeParams {
  const spec = def.runtime ?? {};
  let configMap: CodeParams["configMap"];
  if (spec.inline !== undefined) {
    configMap = {
      name: inlineConfigMapName(def.name),
      namespace: def.namespace,
      createdByKeptn: true,
      definition: def,
    };
  } else if (spec.configMapRef !== undefined) {
    if (ctx.catalog.findConfigMap(spec.configMapRef, def.namespace) === undefined) {
      const otherwise =
        spec.httpRef !== undefined
          ? `runs "${redactUrl(spec.httpRef)}" instead`
          : spec.functionRef !== undefined
            ? "takes the code from the functionRef only"
            : "fails to create the Job";
      ctx.diagnostics.push(
        createDiagnostic(
          "CONFIGMAP_NOT_FOUND",
          `ConfigMap "${spec.configMapRef}" (configMapRef of "${def.name}") is not among the manifests: if it does not exist in namespace "${def.namespace}", Keptn ignores configMapRef and ${otherwise}; ${hashedHint(ctx, spec.configMapRef, def.namespace)}`,
          def,
          { field: runtimeField(def, "configMapRef.name") },
        ),
      );
    }
    configMap = {
      name: spec.configMapRef,
      namespace: def.namespace,
      createdByKeptn: false,
      definition: def,
    };
  }
  return {
    configMap,
    url: spec.httpRef,
    urlDefinition: spec.httpRef === undefined ? undefined : def,
    parameters: spec.parameters,
    secure: spec.secureParameters,
    cmd: spec.cmdParameters,
    runner: def.runner === "python" ? "python" : "deno",
    chain: [def],
  };
}

/**
 * How to fix a missing code ConfigMap: a kustomize `configMapGenerator` that named it with a hash
 * suffix (which kustomize does not write into a KeptnTaskDefinition's configMapRef), or create it.
 */
function hashedHint(ctx: Context, name: string, namespace: string): string {
  const hashed = ctx.catalog.objects.find(
    (o) =>
      o.kind === "ConfigMap" &&
      o.namespace === namespace &&
      /^-[a-z0-9]{10}$/.test(o.name.slice(name.length)) &&
      o.name.startsWith(name),
  );
  if (hashed === undefined) return 'create the ConfigMap with the code under key "code"';
  return `kustomize's configMapGenerator names it "${hashed.name}" and does not rewrite configMapRef in a KeptnTaskDefinition: set generatorOptions.disableNameSuffixHash: true (or options.disableNameSuffixHash on the generator)`;
}

/** Follows functionRefs from `start` for a message, stopping at a repeat or a missing definition. */
function describeChain(ctx: Context, start: TaskDefinition): { names: string[]; cycle: boolean } {
  const names = [start.name];
  const seen = new Set([objectId(start)]);
  let current: TaskDefinition | undefined = start;
  while (current?.runtime?.functionRef !== undefined) {
    const next = lookup(ctx, current.runtime.functionRef);
    names.push(current.runtime.functionRef);
    if (next === undefined) return { names, cycle: false };
    if (seen.has(objectId(next))) return { names, cycle: true };
    seen.add(objectId(next));
    current = next;
  }
  return { names, cycle: false };
}

function noCode(own: CodeParams): CodeParams {
  return { ...own, configMap: undefined, url: undefined, urlDefinition: undefined };
}

/**
 * The parent a functionRef names, or `undefined` (with a diagnostic) when Keptn cannot take code
 * from it: it is missing, a cycle (full chains only), or not a deno or python definition.
 */
function usableParent(
  ctx: Context,
  def: TaskDefinition,
  parentName: string,
  visited: ReadonlySet<string>,
): TaskDefinition | undefined {
  const parent = lookup(ctx, parentName);
  if (parent === undefined) {
    ctx.diagnostics.push(
      createDiagnostic(
        "MISSING_PARENT",
        `"${def.name}" has functionRef "${parentName}", which is ${notInLookupNamespaces(ctx.namespace, ctx.keptnNamespace)}: Keptn cannot create the Job and retries forever, so the task never runs; create "${parentName}" or fix the name`,
        def,
        { field: runtimeField(def, "functionRef.name") },
      ),
    );
    return undefined;
  }
  if (ctx.mode === "full" && visited.has(objectId(parent))) {
    const { names } = describeChain(ctx, def);
    ctx.diagnostics.push(
      createDiagnostic(
        "CYCLE",
        `functionRef cycle ${names.join(" -> ")}: following it never reaches code (Keptn follows one level only, so it runs the code of "${parent.name}" if that has any); point one of them at a definition with code`,
        def,
        { field: runtimeField(def, "functionRef.name") },
      ),
    );
    return undefined;
  }
  if (parent.runner !== "deno" && parent.runner !== "python") {
    ctx.diagnostics.push(
      createDiagnostic(
        "PARENT_NOT_RUNTIME",
        `"${def.name}" has functionRef "${parentName}", which ${parent.runner === "container" ? "is a container task" : "has no runtime"}: Keptn only takes code from deno or python definitions and fails to create the Job; reference a deno or python definition`,
        def,
        { field: runtimeField(def, "functionRef.name") },
      ),
    );
    return undefined;
  }
  return parent;
}

/** Full chains (not Keptn's way): follows the parent's own functionRef to the end. */
function inheritFullChain(
  ctx: Context,
  def: TaskDefinition,
  parent: TaskDefinition,
  visited: ReadonlySet<string>,
): CodeParams {
  if (parent.runtime?.functionRef !== undefined && visited.size === 1) {
    const { names, cycle } = describeChain(ctx, def);
    if (!cycle) {
      ctx.diagnostics.push(
        createDiagnostic(
          "FUNCTIONREF_CHAIN",
          `functionRef chain ${names.join(" -> ")} resolved to the end because full chains were asked for: this differs from Keptn, which follows one level and would not run this code; point "${def.name}" at "${names[names.length - 1]}" directly`,
          def,
          { level: "warning", field: runtimeField(def, "functionRef.name") },
        ),
      );
    }
  }
  return resolveCode(ctx, parent, new Set([...visited, objectId(parent)]));
}

/** Keptn's way: the parent's own code and parameters, its functionRef not followed. */
function inheritOneLevel(ctx: Context, def: TaskDefinition, parent: TaskDefinition): CodeParams {
  const inherited = ownParams(ctx, parent);
  if (parent.runtime?.functionRef === undefined) return inherited;
  const { names, cycle } = describeChain(ctx, def);
  const empty = inherited.configMap === undefined && inherited.url === undefined;
  const outcome = empty
    ? `SCRIPT would be empty and ${parent.runner === "python" ? "a python task would succeed without running" : "the deno runner would fail on every retry"}`
    : `it runs the code of "${parent.name}", not of the end of the chain`;
  ctx.diagnostics.push(
    createDiagnostic(
      // A cycle whose parent has code runs that code, as any chain does: only an empty one is a CYCLE.
      cycle && empty ? "CYCLE" : "FUNCTIONREF_CHAIN",
      `functionRef ${cycle ? "cycle" : "chain"} ${names.join(" -> ")}: Keptn follows one level, so ${outcome}; point "${def.name}" at the definition with the code`,
      def,
      {
        field: runtimeField(def, "functionRef.name"),
        // With code of its own, the parent is what Keptn runs: a surprise, not a failure.
        level: empty ? "error" : "warning",
      },
    ),
  );
  return inherited;
}

/** The code, parameters, secret and arguments of a definition, through its functionRef. */
export function resolveCode(
  ctx: Context,
  def: TaskDefinition,
  visited: ReadonlySet<string>,
): CodeParams {
  const own = ownParams(ctx, def);
  const parentName = def.runtime?.functionRef;
  if (parentName === undefined) return own;
  const parent = usableParent(ctx, def, parentName, visited);
  if (parent === undefined) return noCode(own);
  ctx.diagnostics.push(...checkDefinition(parent));
  if (parent.runner !== own.runner) {
    ctx.diagnostics.push(
      createDiagnostic(
        "PARENT_RUNTIME_DIFFERS",
        `"${def.name}" is a ${own.runner} definition but its functionRef "${parent.name}" is ${parent.runner}: Keptn runs the parent's code on the ${parent.runner} image; use the same runtime in both`,
        def,
        { field: runtimeField(def, "functionRef.name") },
      ),
    );
  }
  const inherited =
    ctx.mode === "full"
      ? inheritFullChain(ctx, def, parent, visited)
      : inheritOneLevel(ctx, def, parent);
  // mergo.Merge(child, parent): the child's non-empty values win. secureParameters and
  // cmdParameters are normalised so "" is undefined, which is mergo's rule for strings too.
  // Code, image and mount path come from the parent.
  return {
    configMap: inherited.configMap,
    url: inherited.url,
    urlDefinition: inherited.urlDefinition,
    parameters: mergoFill(own.parameters, inherited.parameters),
    secure: own.secure ?? inherited.secure,
    cmd: own.cmd ?? inherited.cmd,
    runner: inherited.runner,
    chain: [def, ...inherited.chain],
  };
}
