// The SBOMs npm run artifacts writes, from the pins alone (no image needed): what they list, that
// they are valid CycloneDX 1.6, and that the same inputs give the same bytes.
import { readFileSync } from "node:fs";
import { Spec, Validation } from "@cyclonedx/cyclonedx-library";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../scripts/images/bake.mjs";
import {
  imageSbom,
  npmPackageSbom,
  projectVersions,
  readDebianPins,
} from "../../scripts/release/sbom.mjs";

interface Component {
  type: string;
  name: string;
  version: string;
  purl: string;
  "bom-ref": string;
  scope?: string;
  hashes?: { alg: string; content: string }[];
  licenses?: { license?: { id?: string } }[];
}

interface Bom {
  specVersion: string;
  serialNumber: string;
  metadata: { timestamp: string; component: Component };
  components: Component[];
  dependencies: { ref: string; dependsOn?: string[] }[];
}

const EPOCH = 1_796_535_221;
const lock = JSON.parse(readFileSync(`${repoRoot}/package-lock.json`, "utf8")) as {
  packages: Record<string, { version?: string }>;
};
const versions = projectVersions();
const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

describe.each(["deno-runtime", "python-runtime"])("the %s image's SBOM", (image) => {
  const tag = `ghcr.io/keptn-task/${image}:${versions.version}`;
  let text: string;
  let bom: Bom;

  beforeAll(() => {
    text = imageSbom({ image, tag, timestamp: EPOCH, digest: "sha256:0123abcd" });
    bom = JSON.parse(text) as Bom;
  });

  it("is valid CycloneDX 1.6", async () => {
    expect(bom.specVersion).toBe("1.6");
    expect(await validator.validate(text)).toBeNull();
  });

  it("describes the image by its name, version and digest, dated SOURCE_DATE_EPOCH", () => {
    expect(bom.metadata.component).toMatchObject({
      type: "container",
      name: `ghcr.io/keptn-task/${image}`,
      version: versions.version,
    });
    expect(bom.metadata.component.purl).toMatch(new RegExp(`^pkg:oci/${image}@sha256:0123abcd\\?`));
    expect(bom.metadata.timestamp).toBe(new Date(EPOCH * 1000).toISOString());
  });

  it("lists every pinned Debian package with its version", () => {
    const pins = readDebianPins(`images/${image}/debian-packages.txt`);
    const debian = bom.components.filter((c) => c.purl.startsWith("pkg:deb/debian/"));
    expect(debian.map((c) => `${c.name}=${c.version}`).sort()).toEqual(
      pins.map((p) => `${p.name}=${p.version}`).sort(),
    );
    for (const component of debian) expect(component.purl).toContain("?distro=debian-13");
  });

  it("lists the pinned Deno and keptn_task", () => {
    expect(bom.components.find((c) => c.name === "deno")).toMatchObject({
      version: versions.deno,
      purl: `pkg:github/denoland/deno@v${versions.deno}`,
    });
    expect(bom.components.find((c) => c.name === "keptn-task")).toMatchObject({
      version: versions.version,
      purl: `pkg:pypi/keptn-task@${versions.version}`,
    });
  });

  it("lists the npm packages bundled into the runner, at the lock's versions, as its dependencies", () => {
    const bundled = JSON.parse(
      readFileSync(`${repoRoot}/runners/build/bundled-packages.json`, "utf8"),
    ) as string[];
    expect(bundled).toEqual(expect.arrayContaining(["node_modules/zod", "node_modules/pino"]));
    const runner = bom.components.find((c) => c.name === "@keptn-task/runners");
    const dependsOn = bom.dependencies.find((d) => d.ref === runner?.["bom-ref"])?.dependsOn ?? [];
    for (const key of bundled) {
      const name = key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length);
      const component = bom.components.find((c) => c.name === name);
      expect(component?.version, name).toBe(lock.packages[key]?.version);
      expect(component?.hashes?.[0]?.alg, name).toBe("SHA-512");
      expect(dependsOn, name).toContain(component?.["bom-ref"]);
    }
  });

  it("is the same bytes for the same inputs, and another document for another image digest", () => {
    expect(imageSbom({ image, tag, timestamp: EPOCH, digest: "sha256:0123abcd" })).toBe(text);
    const other = JSON.parse(
      imageSbom({ image, tag, timestamp: EPOCH, digest: "sha256:ff" }),
    ) as Bom;
    expect(other.serialNumber).not.toBe(bom.serialNumber);
    expect(bom.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab]/);
  });
});

describe.each([
  ["sdk", "@keptn-task/sdk", ["zod", "pino"]],
  ["runners", "@keptn-task/runners", ["@keptn-task/sdk", "zod", "yaml", "esbuild", "deno"]],
])("the %s npm package's SBOM", (workspace, name, expected) => {
  let text: string;
  let bom: Bom;

  beforeAll(() => {
    text = npmPackageSbom({ workspace, timestamp: EPOCH });
    bom = JSON.parse(text) as Bom;
  });

  it("is valid CycloneDX 1.6, and the same bytes each time", async () => {
    expect(await validator.validate(text)).toBeNull();
    expect(npmPackageSbom({ workspace, timestamp: EPOCH })).toBe(text);
  });

  it("describes the package at the project's version", () => {
    expect(bom.metadata.component).toMatchObject({ name, version: versions.version });
    expect(bom.metadata.component.licenses?.[0]?.license?.id).toBe("Apache-2.0");
  });

  it("lists its dependencies as package-lock.json resolves them", () => {
    for (const dependency of expected) {
      const component = bom.components.find((c) => c.name === dependency);
      const key = dependency.startsWith("@keptn-task/")
        ? dependency.replace("@keptn-task/", "")
        : `node_modules/${dependency}`;
      expect(component?.version, dependency).toBe(lock.packages[key]?.version);
      expect(component?.scope, dependency).toBeUndefined();
    }
    // Its development dependencies are not what users install.
    expect(bom.components.find((c) => c.name === "vitest")).toBeUndefined();
    expect(bom.components.find((c) => c.name === "rollup")).toBeUndefined();
  });

  if (workspace === "runners") {
    it("marks the Deno binaries of other platforms optional", () => {
      expect(bom.components.find((c) => c.name === "@deno/linux-arm64-glibc")?.scope).toBe(
        "optional",
      );
    });
  }
});
