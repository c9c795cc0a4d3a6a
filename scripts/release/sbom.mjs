// CycloneDX SBOMs of what a release publishes, written with @cyclonedx/cyclonedx-library from
// what the build already pins, never from a scan:
//   - an image: every Debian package of images/<image>/debian-packages.txt with its version, the
//     Deno of runners/package.json, the runner bundle at /app with the npm packages esbuild put
//     into it (runners/build/bundled-packages.json, versions from package-lock.json), and
//     keptn_task (sdk-python/pyproject.toml);
//   - an npm package: the package and every package it depends on as package-lock.json resolves
//     them (optional ones, such as the Deno binaries of other platforms, with scope "optional").
// Deterministic: the timestamp is SOURCE_DATE_EPOCH, the serial number a UUID (v5) of what the
// SBOM describes, lists sorted.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Contrib, Enums, Models, Serialize, Spec } from "@cyclonedx/cyclonedx-library";
import { PackageURL } from "packageurl-js";
import { repoRoot } from "../images/bake.mjs";

const read = (path) => readFileSync(resolve(repoRoot, path), "utf8");
const readJson = (path) => JSON.parse(read(path));

/** The Debian release the images are built from (docker-bake.hcl's DEBIAN_IMAGE: trixie). */
export const DEBIAN_DISTRO = "debian-13";

/**
 * Reads a debian-packages.txt: `name=version` lines, `#` comments.
 *
 * @param {string} path relative to the repository root
 * @returns {{ name: string, version: string }[]}
 */
export function readDebianPins(path) {
  return read(path)
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter(Boolean)
    .map((line) => {
      const at = line.indexOf("=");
      if (at < 1) throw new Error(`Cannot read the Debian pin "${line}" in ${path}: no version`);
      return { name: line.slice(0, at), version: line.slice(at + 1) };
    });
}

/** The project's version, and the pinned Deno and keptn_task versions. */
export function projectVersions() {
  const runners = readJson("runners/package.json");
  const python = /^version = "([^"]+)"$/m.exec(read("sdk-python/pyproject.toml"))?.[1];
  if (!python) throw new Error("Cannot find the version in sdk-python/pyproject.toml");
  return { version: runners.version, deno: runners.dependencies.deno, python };
}

// The lock's license fields are SPDX ids or simple expressions of them: "(MIT OR CC0-1.0)".
const SPDX_EXPRESSION = /^\(?[A-Za-z0-9.+-]+(?:\s+(?:OR|AND|WITH)\s+[A-Za-z0-9.+-]+)+\)?$/;
const licenseFactory = new Contrib.License.Factories.LicenseFactory((expression) => {
  if (!SPDX_EXPRESSION.test(expression)) throw new RangeError("not an SPDX expression");
});

/** A UUID, version 5 (RFC 9562), of `name` in the URL namespace: the same name, the same UUID. */
function uuid5(name) {
  const namespace = Buffer.from("6ba7b8119dad11d180b400c04fd430c8", "hex");
  const bytes = createHash("sha1").update(namespace).update(name).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function npmPurl(name, version) {
  const [namespace, short] = name.startsWith("@") ? name.split("/") : [undefined, name];
  return new PackageURL("npm", namespace, short, version, undefined, undefined).toString();
}

/** The lock entry of `key` (`node_modules/zod`), with the package's name. */
function lockEntry(lock, key) {
  const entry = lock.packages[key];
  if (!entry) throw new Error(`Cannot find "${key}" in package-lock.json: run npm ci`);
  const name = entry.name ?? key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length);
  return { ...entry, name };
}

/** A component for an npm package of the lock. */
function npmComponent(lock, key, scope) {
  const entry = lockEntry(lock, key);
  const purl = npmPurl(entry.name, entry.version);
  const component = new Models.Component(Enums.ComponentType.Library, entry.name, {
    bomRef: purl,
    version: entry.version,
    purl,
    ...(scope ? { scope } : {}),
  });
  if (typeof entry.license === "string") {
    component.licenses.add(licenseFactory.makeFromString(entry.license));
  }
  const integrity = /^sha512-(.+)$/.exec(entry.integrity ?? "")?.[1];
  if (integrity) {
    component.hashes.set(
      Enums.HashAlgorithm["SHA-512"],
      Buffer.from(integrity, "base64").toString("hex"),
    );
  }
  return component;
}

/**
 * Where npm finds `name` for the package installed at `from` (a lock key): the nearest
 * `node_modules/name` up the tree, as Node resolves it.
 */
function resolveLockKey(lock, from, name) {
  let base = from;
  for (;;) {
    const key = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    const entry = lock.packages[key];
    if (entry) return entry.link ? entry.resolved : key;
    if (!base) return undefined;
    const cut = base.lastIndexOf("/node_modules/");
    base = cut < 0 ? "" : base.slice(0, cut);
  }
}

function newBom(name, timestamp) {
  const bom = new Models.Bom({ version: 1, serialNumber: `urn:uuid:${uuid5(name)}` });
  bom.metadata.timestamp = new Date(timestamp * 1000);
  const library = readJson("node_modules/@cyclonedx/cyclonedx-library/package.json");
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Library, library.name, {
      version: library.version,
      purl: npmPurl(library.name, library.version),
    }),
  );
  return bom;
}

function serialize(bom) {
  const serializer = new Serialize.JsonSerializer(
    new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6),
  );
  return `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`;
}

/**
 * The SBOM of an npm package of this repository (`sdk` or `runners`), its dependencies as
 * package-lock.json resolves them.
 *
 * @param {{ workspace: string, timestamp: number }} options
 * @returns {string} CycloneDX 1.6 JSON
 */
export function npmPackageSbom({ workspace, timestamp }) {
  const lock = readJson("package-lock.json");
  const pkg = lockEntry(lock, workspace);
  const purl = npmPurl(pkg.name, pkg.version);
  const bom = newBom(purl, timestamp);
  const root = new Models.Component(
    workspace === "runners" ? Enums.ComponentType.Application : Enums.ComponentType.Library,
    pkg.name,
    { bomRef: purl, version: pkg.version, purl },
  );
  if (typeof pkg.license === "string")
    root.licenses.add(licenseFactory.makeFromString(pkg.license));
  bom.metadata.component = root;

  // Breadth-first over the lock, once through required edges only, then through all: what only
  // the second pass reaches is optional.
  const walk = (withOptional) => {
    const edges = new Map();
    const queue = [workspace];
    while (queue.length > 0) {
      const key = queue.shift();
      if (edges.has(key)) continue;
      const entry = lock.packages[key] ?? {};
      const names = [
        ...Object.keys(entry.dependencies ?? {}),
        ...(withOptional ? Object.keys(entry.optionalDependencies ?? {}) : []),
      ];
      const targets = names.flatMap((name) => {
        const target = resolveLockKey(lock, key, name);
        return target === undefined ? [] : [target];
      });
      edges.set(key, targets);
      queue.push(...targets);
    }
    return edges;
  };
  const required = walk(false);
  const all = walk(true);
  const components = new Map([[workspace, root]]);
  for (const key of all.keys()) {
    if (key === workspace) continue;
    const scope = required.has(key) ? undefined : Enums.ComponentScope.Optional;
    const component = npmComponent(lock, key, scope);
    components.set(key, component);
    bom.components.add(component);
  }
  for (const [key, targets] of all) {
    const component = components.get(key);
    for (const target of targets) {
      const dependency = components.get(target);
      if (component && dependency) component.dependencies.add(dependency.bomRef);
    }
  }
  return serialize(bom);
}

/**
 * The SBOM of a runner image (`deno-runtime` or `python-runtime`), from the pins it is built from.
 *
 * @param {{ image: string, tag: string, timestamp: number, digest?: string, arch?: string }}
 *   options `tag`: the full name (`ghcr.io/keptn-task/deno-runtime:0.2.0`); `digest`: the
 *   manifest digest of the archived image (`sha256:...`), when known; `arch`: the image's
 *   architecture, by default this machine's (podman builds for it)
 * @returns {string} CycloneDX 1.6 JSON
 */
export function imageSbom({
  image,
  tag,
  timestamp,
  digest,
  arch = process.arch === "x64" ? "amd64" : process.arch,
}) {
  const pinsFile = `images/${image}/debian-packages.txt`;
  if (!existsSync(resolve(repoRoot, pinsFile))) throw new Error(`Cannot find ${pinsFile}`);
  const bundledFile = "runners/build/bundled-packages.json";
  if (!existsSync(resolve(repoRoot, bundledFile))) {
    throw new Error(`Cannot find ${bundledFile}: run npm run build first`);
  }
  const lock = readJson("package-lock.json");
  const versions = projectVersions();
  const colon = tag.lastIndexOf(":");
  const repository = colon > tag.lastIndexOf("/") ? tag.slice(0, colon) : tag;
  const imageTag = colon > tag.lastIndexOf("/") ? tag.slice(colon + 1) : versions.version;

  const imagePurl = new PackageURL(
    "oci",
    undefined,
    repository.slice(repository.lastIndexOf("/") + 1),
    digest,
    { arch, repository_url: repository, tag: imageTag },
    undefined,
  ).toString();
  const bom = newBom(`${imagePurl}#${versions.version}`, timestamp);
  const root = new Models.Component(Enums.ComponentType.Container, repository, {
    bomRef: imagePurl,
    version: imageTag,
    purl: imagePurl,
  });
  root.licenses.add(licenseFactory.makeFromString("Apache-2.0"));
  bom.metadata.component = root;

  const add = (component) => {
    bom.components.add(component);
    root.dependencies.add(component.bomRef);
    return component;
  };

  const debian = new Models.OrganizationalEntity({ name: "Debian" });
  for (const { name, version } of readDebianPins(pinsFile)) {
    const purl = new PackageURL(
      "deb",
      "debian",
      name,
      version,
      { distro: DEBIAN_DISTRO },
      undefined,
    );
    add(
      new Models.Component(Enums.ComponentType.Library, name, {
        bomRef: purl.toString(),
        version,
        purl: purl.toString(),
        supplier: debian,
      }),
    );
  }

  const denoPurl = new PackageURL(
    "github",
    "denoland",
    "deno",
    `v${versions.deno}`,
    undefined,
    undefined,
  ).toString();
  const deno = add(
    new Models.Component(Enums.ComponentType.Application, "deno", {
      bomRef: denoPurl,
      version: versions.deno,
      purl: denoPurl,
    }),
  );
  deno.licenses.add(licenseFactory.makeFromString("MIT"));

  const runners = add(npmComponent(lock, "runners"));
  const sdk = npmComponent(lock, "sdk");
  bom.components.add(sdk);
  runners.dependencies.add(sdk.bomRef);
  for (const key of JSON.parse(read(bundledFile))) {
    const component = npmComponent(lock, key);
    if (![...bom.components].some((c) => c.bomRef.value === component.bomRef.value)) {
      bom.components.add(component);
    }
    runners.dependencies.add(component.bomRef);
  }

  const pythonPurl = new PackageURL(
    "pypi",
    undefined,
    "keptn-task",
    versions.python,
    undefined,
    undefined,
  ).toString();
  const python = add(
    new Models.Component(Enums.ComponentType.Library, "keptn-task", {
      bomRef: pythonPurl,
      version: versions.python,
      purl: pythonPurl,
    }),
  );
  python.licenses.add(licenseFactory.makeFromString("Apache-2.0"));
  return serialize(bom);
}
