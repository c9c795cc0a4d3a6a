// A container task's code: it runs as the image's ENTRYPOINT, with KEPTN_CONTEXT (the only
// variable Keptn adds to a container task) and the env of spec.container.
import { task } from "@keptn-task/sdk";

const t = task();
const team = Deno.env.get("TEAM") ?? "unknown";
const { appName, workloadName, workloadVersion, appVersion, taskType } = t.context;
const note = {
  team,
  app: appName,
  workload: workloadName,
  version: workloadVersion || appVersion,
  taskType,
};
t.log.info({ note }, "Release note");
t.succeed(
  `Release note of ${workloadName || appName || "an unnamed app"} recorded for team ${team}`,
);
