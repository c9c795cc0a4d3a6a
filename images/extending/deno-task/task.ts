// An example task for the derived image: compares the workload's version with the one a release
// needs, using Deno's standard library semver module, fetched at build time.

import { greaterOrEqual, parse } from "jsr:@std/semver@^1.0.0";
import { task } from "@keptn-task/sdk";

const t = task();
const version = t.context.workloadVersion;
const minimum = t.data.minimumVersion ?? "1.0.0";
if (!greaterOrEqual(parse(version), parse(minimum))) {
  t.fail(`Workload version ${version} is older than ${minimum}`);
}
t.succeed(`Workload version ${version} is at least ${minimum}`);
