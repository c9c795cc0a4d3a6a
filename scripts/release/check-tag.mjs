#!/usr/bin/env node
// The release workflow's first check: the pushed tag names the version everything carries
// (test/packages/version.test.ts and test/release/version.test.ts keep the packages, the wheel,
// the images and CHANGELOG.md on one version).
//
// Usage: node scripts/release/check-tag.mjs v0.2.0
import { projectVersions } from "./sbom.mjs";

const tag = process.argv[2] ?? "";
const { version } = projectVersions();
if (tag !== `v${version}`) {
  console.error(
    `release: Cannot release tag "${tag}": the project's version is ${version}, so the tag must be "v${version}"`,
  );
  process.exit(1);
}
console.log(`release: tag ${tag} names version ${version}`);
