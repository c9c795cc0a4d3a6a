// Fetched by the runner from the definition's httpRef URL, checked against its sha256 pin, then
// run. Its relative import is resolved against that URL, as Deno does for remote modules.
import { describeContext } from "./describe.ts";

const context = JSON.parse(Deno.env.get("KEPTN_CONTEXT") ?? "{}");
const data = JSON.parse(Deno.env.get("DATA") ?? "{}");
console.log(`${describeContext(context)}, environment "${data.environment}"`);
