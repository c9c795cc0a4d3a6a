#!/usr/bin/env node
// Generates, from the CustomResourceDefinitions of keptn/lifecycle-toolkit at the pinned commit:
//
// - sdk/src/definitions/keptn-schemas.generated.ts: a JSON Schema per served version of every
//   lifecycle.keptn.sh, metrics.keptn.sh and options.keptn.sh kind, for ajv (`validate` checks
//   each Keptn object against its CRD). Descriptions are left out; an object with `properties`
//   gets `additionalProperties: false` (the API server prunes unknown fields, and kubectl's strict
//   field validation refuses them); `x-kubernetes-*` and `format` are left out. The embedded
//   Container of KeptnTaskDefinition is `{ type: object }` here: it is checked against
//   Kubernetes' own Container schema (kubernetes-models, see container-schema.ts).
// - sdk/schemas/keptn-task-definition.schema.json: the editor-facing JSON Schema of
//   KeptnTaskDefinition (every served apiVersion, descriptions kept, the Container included),
//   shipped in @keptn-task/sdk for yaml-language-server.
//
//   KEPTN_LIFECYCLE_TOOLKIT=DIR node scripts/generate-keptn-schemas.mjs          # write both
//   node scripts/generate-keptn-schemas.mjs --check                              # exit 1 if stale
//
// DIR is a clone of keptn/lifecycle-toolkit (a work tree or a bare git directory) holding
// COMMIT. --check compares the files with a fresh generation when DIR is given; it always checks
// that the files are what this script wrote (hashes in their headers) and that the script has not
// changed since (so a change here without regenerating fails).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUTPUT = join(ROOT, "sdk/src/definitions/keptn-schemas.generated.ts");
const EDITOR_OUTPUT = join(ROOT, "sdk/schemas/keptn-task-definition.schema.json");
const REPOSITORY = "keptn/lifecycle-toolkit";
const COMMIT = "40e195d78dd1886166e17d2e9c69b75a249fc384";
const CRD_FOLDERS = ["lifecycle-operator/config/crd/bases", "metrics-operator/config/crd/bases"];
const SCRIPT_HASH = sha256(readFileSync(fileURLToPath(import.meta.url), "utf8"));

function sha256(text) {
  return createHash("sha256").update(text).digest("hex");
}

/** Reads `path` at COMMIT from a work tree or a bare git directory. */
function git(source, ...args) {
  const gitDir = existsSync(join(source, ".git")) ? join(source, ".git") : source;
  return execFileSync("git", [`--git-dir=${gitDir}`, ...args], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
}

function readCrds(source) {
  const paths = git(source, "ls-tree", "-r", "--name-only", COMMIT, ...CRD_FOLDERS)
    .split("\n")
    .filter((path) => path.endsWith(".yaml"))
    .sort();
  return paths.map((path) => ({ path, crd: parse(git(source, "show", `${COMMIT}:${path}`)) }));
}

const DROPPED = new Set(["format", "default", "nullable"]);

/** A CRD's OpenAPI v3 schema as a JSON Schema ajv takes, closed where the API server prunes. */
function toJsonSchema(node, { descriptions, path }) {
  if (Array.isArray(node)) return node.map((item) => toJsonSchema(item, { descriptions, path }));
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith("x-kubernetes-") || DROPPED.has(key)) continue;
    if (key === "description" && !descriptions) continue;
    if (key === "properties") {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, schema]) => [
          name,
          toJsonSchema(schema, { descriptions, path: [...path, name] }),
        ]),
      );
    } else if (key === "enum" || key === "required" || key === "pattern") {
      out[key] = value;
    } else {
      out[key] = toJsonSchema(value, { descriptions, path });
    }
  }
  const open = node["x-kubernetes-preserve-unknown-fields"] === true;
  if (node.properties !== undefined && node.additionalProperties === undefined && !open) {
    out.additionalProperties = false;
  }
  return out;
}

/** The embedded Container, replaced where kubernetes-models checks it. */
function withoutContainer(schema) {
  const spec = schema.properties?.spec?.properties;
  if (spec?.container !== undefined) {
    spec.container = { type: "object" };
  }
  return schema;
}

function generate(source) {
  const schemas = {};
  const sources = [];
  const editor = {};
  for (const { path, crd } of readCrds(source)) {
    const { group, names, versions } = crd.spec;
    sources.push(path);
    for (const version of versions) {
      if (!version.served) continue;
      const key = `${group}/${version.name}/${names.kind}`;
      const schema = version.schema.openAPIV3Schema;
      schemas[key] = withoutContainer(toJsonSchema(schema, { descriptions: false, path: [] }));
      if (names.kind === "KeptnTaskDefinition") {
        editor[`${group}/${version.name}`] = toJsonSchema(schema, { descriptions: true, path: [] });
      }
    }
  }
  const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : 1)));
  const body = `export const KEPTN_SCHEMAS: Readonly<Record<string, KeptnSchema>> = ${JSON.stringify(sorted)};\n`;
  const header = [
    "// Generated by scripts/generate-keptn-schemas.mjs: do not edit.",
    `// From ${REPOSITORY} at ${COMMIT}:`,
    ...sources.map((path) => `//   ${path}`),
    `// generator sha256 ${SCRIPT_HASH}`,
    `// content sha256 ${sha256(body)}`,
    'import type { KeptnSchema } from "./keptn-schema.js";',
    "",
  ].join("\n");
  return { ts: header + body, json: editorSchema(editor, sources) };
}

/** One schema for editors: the apiVersion picks the served version's schema. */
function editorSchema(versions, sources) {
  const apiVersions = Object.keys(versions).sort();
  const schema = {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: "https://github.com/keptn-task/keptn-task-runtime/sdk/schemas/keptn-task-definition.schema.json",
    title: "KeptnTaskDefinition",
    description: `Keptn's KeptnTaskDefinition, every served apiVersion. Generated by scripts/generate-keptn-schemas.mjs from ${REPOSITORY}@${COMMIT} (${sources.find((p) => p.includes("keptntaskdefinitions"))}); do not edit. generator sha256 ${SCRIPT_HASH}`,
    type: "object",
    required: ["apiVersion", "kind", "metadata"],
    properties: {
      apiVersion: { enum: apiVersions },
      kind: { const: "KeptnTaskDefinition" },
    },
    oneOf: apiVersions.map((apiVersion) => ({
      allOf: [
        { properties: { apiVersion: { const: apiVersion } } },
        { $ref: `#/definitions/${apiVersion.replace("/", "~1")}` },
      ],
    })),
    definitions: versions,
  };
  return formatJson(JSON.stringify(schema, null, 2));
}

/** The JSON as the repository's formatter (Biome) writes it, so that lint and --check agree. */
function formatJson(text) {
  return execFileSync(
    join(ROOT, "node_modules/.bin/biome"),
    ["format", `--stdin-file-path=${EDITOR_OUTPUT}`],
    { input: text, encoding: "utf8", cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
  );
}

/** The hashes a generated file's header records, and whether its body still matches them. */
function checkIntegrity() {
  const problems = [];
  const ts = readFileSync(OUTPUT, "utf8");
  const [, generator] = /^\/\/ generator sha256 ([0-9a-f]+)$/m.exec(ts) ?? [];
  const [, content] = /^\/\/ content sha256 ([0-9a-f]+)$/m.exec(ts) ?? [];
  const body = ts.slice(ts.indexOf("export const KEPTN_SCHEMAS"));
  if (generator !== SCRIPT_HASH)
    problems.push(`${OUTPUT} was made by another version of this script`);
  if (content !== sha256(body)) problems.push(`${OUTPUT} was edited by hand`);
  const json = readFileSync(EDITOR_OUTPUT, "utf8");
  if (!json.includes(`generator sha256 ${SCRIPT_HASH}`)) {
    problems.push(`${EDITOR_OUTPUT} was made by another version of this script`);
  }
  return problems;
}

const source = process.env.KEPTN_LIFECYCLE_TOOLKIT;
if (process.argv.includes("--check")) {
  const problems = checkIntegrity();
  if (source !== undefined && source !== "") {
    const { ts, json } = generate(source);
    if (readFileSync(OUTPUT, "utf8") !== ts) problems.push(`${OUTPUT} is stale`);
    if (readFileSync(EDITOR_OUTPUT, "utf8") !== json) problems.push(`${EDITOR_OUTPUT} is stale`);
  }
  if (problems.length > 0) {
    for (const problem of problems) console.error(problem);
    console.error(
      `Regenerate: KEPTN_LIFECYCLE_TOOLKIT=<clone of ${REPOSITORY}> node scripts/generate-keptn-schemas.mjs`,
    );
    process.exit(1);
  }
  console.log(
    source
      ? `up to date with ${REPOSITORY}@${COMMIT}`
      : "unchanged since generated (no source given)",
  );
} else {
  if (source === undefined || source === "") {
    console.error(`Set KEPTN_LIFECYCLE_TOOLKIT to a clone of ${REPOSITORY} holding ${COMMIT}`);
    process.exit(64);
  }
  const { ts, json } = generate(source);
  writeFileSync(OUTPUT, ts);
  writeFileSync(EDITOR_OUTPUT, json);
  console.log(`wrote ${OUTPUT} and ${EDITOR_OUTPUT} from ${REPOSITORY}@${COMMIT}`);
}
