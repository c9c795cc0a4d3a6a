// The change-freeze gate's logic: a handler for run(), free of any runtime API, so that its unit
// tests (handler.test.ts) run it with @keptn-task/sdk/testing and task.ts runs it in Keptn.
import { type TaskHandler, z } from "@keptn-task/sdk";

export const options = {
  data: z.object({
    /** End of the freeze, RFC 3339 (2026-12-27T00:00:00Z); left out: no freeze. */
    freezeUntil: z.iso.datetime({ offset: true }).optional(),
    /** Workloads that may deploy all the same, comma-separated. */
    exempt: z.string().default(""),
    /** Why, for the message. */
    reason: z.string().default("change freeze"),
  }),
};

type Options = typeof options;
type Data = z.output<Options["data"]>;

/** The exit code of a deployment held by the freeze (1 stays for errors). */
export const HELD = 2;

export const handler: TaskHandler<Data, string | undefined> = (t) => {
  const { freezeUntil, exempt, reason } = t.data;
  const { workloadName, workloadVersion, appName, appVersion, taskType } = t.context;
  const subject = workloadName ? `${workloadName} ${workloadVersion}` : `${appName} ${appVersion}`;
  if (taskType !== "pre")
    return `Not a pre-deployment task (${taskType || "none"}): nothing to hold`;
  if (freezeUntil === undefined || Date.parse(freezeUntil) <= Date.now()) {
    return `No change freeze: ${subject} may deploy`;
  }
  const exempted = exempt
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (exempted.includes(workloadName)) {
    t.log.warn({ freezeUntil, reason }, `${workloadName} is exempt from the change freeze`);
    return `${subject} is exempt from the ${reason} until ${freezeUntil}`;
  }
  return t.fail(`${subject} is held by the ${reason} until ${freezeUntil}`, { exitCode: HELD });
};
