// A task as it runs in a Keptn Job: read the typed context, parameters and secret, log safely.
import { task, z } from "@keptn-task/sdk";

const t = task({
  data: z.object({ url: z.string(), minReplicas: z.number().int().default(1) }),
  secureData: z.object({ token: z.string() }).optional(),
});

t.log.info({ context: t.context }, "Typed KEPTN_CONTEXT");
t.log.info({ data: t.data }, "Typed DATA (minReplicas coerced from the string Keptn passes)");
t.log.info(`The token is ${t.secureData?.token} (masked in every log line)`);
