// Keptn's schemas come from Keptn: generated from the CRDs of keptn/lifecycle-toolkit at the
// pinned commit by scripts/generate-keptn-schemas.mjs, never edited by hand, and the editor's
// schema of KeptnTaskDefinition takes what validate takes.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadManifests } from "../../sdk/src/definitions/index.js";
import {
  KEPTN_AJV_OPTIONS,
  precompiledValidatorFile,
} from "../../sdk/src/definitions/keptn-schema.js";
import { KEPTN_SCHEMAS } from "../../sdk/src/definitions/keptn-schemas.generated.js";
import { ROOT } from "../helpers/deno.js";

const GENERATED = `${ROOT}sdk/src/definitions/keptn-schemas.generated.ts`;
const EDITOR_SCHEMA = `${ROOT}sdk/schemas/keptn-task-definition.schema.json`;

describe("Keptn's CRD schemas", () => {
  it("are what the generator wrote from the pinned commit (not stale, not edited by hand)", () => {
    // With KEPTN_LIFECYCLE_TOOLKIT (a clone of keptn/lifecycle-toolkit) the files are generated
    // again and compared byte for byte; without it, their recorded hashes are checked.
    expect(() =>
      execFileSync(process.execPath, ["scripts/generate-keptn-schemas.mjs", "--check"], {
        cwd: ROOT,
        stdio: "pipe",
      }),
    ).not.toThrow();
    const header = readFileSync(GENERATED, "utf8").split("export const")[0] ?? "";
    expect(header).toContain(
      "From keptn/lifecycle-toolkit at 40e195d78dd1886166e17d2e9c69b75a249fc384",
    );
    expect(header).toContain(
      "lifecycle-operator/config/crd/bases/lifecycle.keptn.sh_keptntaskdefinitions.yaml",
    );
    expect(header).toContain("metrics-operator/config/crd/bases/metrics.keptn.sh_analyses.yaml");
  });

  it("give editors a KeptnTaskDefinition schema that takes every example and refuses a typo", async () => {
    const schema = JSON.parse(readFileSync(EDITOR_SCHEMA, "utf8")) as object;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const set = await loadManifests(`${ROOT}examples`, { onError: "collect" });
    const definitions = set.objects.filter((o) => o.kind === "KeptnTaskDefinition");
    expect(definitions.length).toBeGreaterThan(5);
    for (const definition of definitions) {
      expect(validate(definition.raw), definition.location.object).toBe(true);
    }
    const [typo] = parseAllDocuments(`apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: typo }
spec:
  deno:
    inline: { code: "console.log(1)" }
    functionref: { name: other }
`).map((d) => d.toJS() as unknown);
    expect(validate(typo)).toBe(false);
    expect(validate.errors?.map((e) => e.params)).toContainEqual({
      additionalProperty: "functionref",
    });
  });
});

describe("the validators the command's build compiles (runners/scripts/keptn-validators.mjs)", () => {
  const load = createRequire(import.meta.url);
  const built = (folder: string, key: string) =>
    load(
      `${ROOT}${folder}/${precompiledValidatorFile(key).replace(/^keptn-validators\//, "")}`,
    ) as ValidateFunction;

  it("are there for every schema, next to the command's bundle", () => {
    const names = Object.keys(KEPTN_SCHEMAS).map(
      (key) => precompiledValidatorFile(key).split("/")[1],
    );
    expect(readdirSync(`${ROOT}runners/lib/cli/keptn-validators`).sort()).toEqual(names.sort());
  });

  it("give the errors ajv gives compiling the schema at run time, for good and bad objects", async () => {
    const set = await loadManifests(`${ROOT}examples`, { onError: "collect" });
    const objects = set.objects.map((o) => o.raw as Record<string, unknown>);
    const definition = objects.find((o) => o.kind === "KeptnTaskDefinition") ?? {};
    const spec = (definition.spec ?? {}) as Record<string, unknown>;
    // A typo, a wrong type and a bad enum, each a different kind of ajv error.
    const bad: Record<string, unknown>[] = [
      { ...definition, spec: { ...spec, retries: "3", timeot: "5m" } },
      { ...definition, spec: { ...spec, deno: { inline: { code: 1 } } } },
      { ...definition, metadata: "x", spec: [] },
    ];
    const ajv = new Ajv(KEPTN_AJV_OPTIONS);
    let compared = 0;
    let refused = 0;
    for (const [key, schema] of Object.entries(KEPTN_SCHEMAS)) {
      const [, , kind] = key.split("/");
      const samples = [...objects, ...bad].filter((o) => o.kind === kind);
      if (samples.length === 0) continue;
      const fresh = ajv.compile(schema);
      const precompiled = built("runners/lib/cli/keptn-validators", key);
      for (const sample of samples) {
        expect(precompiled(sample)).toBe(fresh(sample));
        expect(precompiled.errors ?? null).toEqual(fresh.errors ?? null);
        compared += 1;
        if (fresh.errors) refused += 1;
      }
    }
    expect(compared).toBeGreaterThan(10);
    expect(refused).toBeGreaterThanOrEqual(3);
  });
});
