// The change-freeze gate as Keptn runs it: fetched from its httpRef URL (pinned), with its
// handler.ts resolved against that URL.
import { run } from "@keptn-task/sdk";
import { handler, options } from "./handler.ts";

await run(options, handler);
