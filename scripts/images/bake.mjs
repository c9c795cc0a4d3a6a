// Reads docker-bake.hcl, the one description of the images, so that the podman build on machines
// without buildx runs exactly what `docker buildx bake` runs in users' CI.
//
// Only the subset of bake this repository uses is evaluated: `variable` blocks with string
// defaults (overridable from the environment, as bake does), `${VAR}` interpolation, targets
// with `inherits`, and groups.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "@cdktf/hcl2json";

/** The repository root. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Build args whose public default is replaced by a locally made image when building with podman.
 * Nothing else differs from the bake file.
 */
export const localBaseArgs = Object.freeze(["DEBIAN_IMAGE", "DENO_BIN_IMAGE"]);

/**
 * Parses and evaluates a bake file.
 *
 * @param {{ file?: string, env?: Record<string, string | undefined> }} [options]
 * @returns {Promise<import("./bake.d.mts").Bake>}
 */
export async function loadBake({ file = resolve(repoRoot, "docker-bake.hcl"), env = {} } = {}) {
  const json = await parse(file, readFileSync(file, "utf8"));

  const variables = {};
  const rawVariables = Object.entries(json.variable ?? {});
  const pending = new Map(rawVariables.map(([name, [block]]) => [name, block?.default ?? ""]));
  const interpolate = (value, where) =>
    String(value).replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name) => {
      if (!(name in variables)) {
        if (!pending.has(name)) throw new Error(`Cannot evaluate ${where}: no variable "${name}"`);
        variables[name] = env[name] ?? interpolate(pending.get(name), `variable "${name}"`);
      }
      return variables[name];
    });
  for (const [name, value] of pending) {
    variables[name] ??= env[name] ?? interpolate(value, `variable "${name}"`);
  }

  const blocks = Object.fromEntries(
    Object.entries(json.target ?? {}).map(([name, [block]]) => [name, block ?? {}]),
  );
  const resolveTarget = (name, seen = []) => {
    if (seen.includes(name)) throw new Error(`Cannot resolve target "${name}": inherits loop`);
    const block = blocks[name];
    if (!block) throw new Error(`Cannot resolve target "${name}": no such target`);
    let merged = { args: {}, labels: {}, platforms: [], tags: [] };
    for (const parent of block.inherits ?? []) {
      const base = resolveTarget(parent, [...seen, name]);
      merged = {
        ...merged,
        ...base,
        args: { ...merged.args, ...base.args },
        labels: { ...merged.labels, ...base.labels },
      };
    }
    const where = `target "${name}"`;
    const map = (object) =>
      Object.fromEntries(Object.entries(object ?? {}).map(([k, v]) => [k, interpolate(v, where)]));
    const own = { ...block };
    delete own.inherits;
    for (const key of ["context", "dockerfile", "target"]) {
      if (key in own) own[key] = interpolate(own[key], where);
    }
    if (own.tags) own.tags = own.tags.map((tag) => interpolate(tag, where));
    return {
      ...merged,
      ...own,
      args: { ...merged.args, ...map(block.args) },
      labels: { ...merged.labels, ...map(block.labels) },
    };
  };

  const targets = {};
  for (const name of Object.keys(blocks)) {
    if (!name.startsWith("_")) targets[name] = { name, ...resolveTarget(name) };
  }
  const groups = Object.fromEntries(
    Object.entries(json.group ?? {}).map(([name, [block]]) => [name, block?.targets ?? []]),
  );
  return { variables, targets, groups };
}

/**
 * The `podman build` arguments for one bake target: same Dockerfile, context, stage, build args
 * and labels, with the args named in `localBaseArgs` replaced by `bases`.
 *
 * `timestamp` (seconds since the epoch) is what makes a build reproducible: podman writes it as
 * the image's creation time and as the time of every file in its layers. `noCache` builds every
 * stage anew.
 *
 * @param {import("./bake.d.mts").BakeTarget} target
 * @param {Record<string, string>} bases
 * @param {{ timestamp?: number, noCache?: boolean }} [options]
 * @returns {string[]}
 */
export function podmanBuildArgs(target, bases, { timestamp, noCache = false } = {}) {
  const tag = target.tags[0];
  if (!tag) throw new Error(`Cannot build target "${target.name}": it has no tags`);
  const args = { ...target.args };
  for (const name of localBaseArgs) {
    if (name in args) {
      if (!bases[name]) throw new Error(`Cannot build target "${target.name}": no local ${name}`);
      args[name] = bases[name];
    }
  }
  return [
    "build",
    "--file",
    resolve(repoRoot, target.context ?? ".", target.dockerfile ?? "Dockerfile"),
    ...(target.target ? ["--target", target.target] : []),
    ...Object.entries(args).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]),
    ...Object.entries(target.labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
    "--tag",
    tag,
    ...(timestamp === undefined ? [] : ["--timestamp", String(timestamp)]),
    ...(noCache ? ["--no-cache"] : []),
    resolve(repoRoot, target.context ?? "."),
  ];
}

/**
 * The image names, by bake target: each target's first tag in docker-bake.hcl, from its REGISTRY
 * and TAG variables (overridable from the environment, as bake does). `npm run images` tags the
 * podman build with them, the release archives carry them, and the tests run them: the bake file
 * is the one place the names are written.
 *
 * @param {Record<string, string | undefined>} [env]
 * @returns {Promise<Readonly<Record<string, string>>>}
 */
export async function imageTags(env = process.env) {
  const bake = await loadBake({ env });
  return Object.freeze(
    Object.fromEntries(
      Object.values(bake.targets).map((target) => {
        const tag = target.tags[0];
        if (!tag) throw new Error(`Cannot name target "${target.name}": it has no tags`);
        return [target.name, tag];
      }),
    ),
  );
}

/** The image names from docker-bake.hcl and this process's environment, by bake target. */
export const localTags = await imageTags();
