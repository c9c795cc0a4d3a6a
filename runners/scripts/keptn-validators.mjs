// Compiles the validator of every Keptn CRD schema (the SDK's keptn-schemas.generated.js) to
// ajv's standalone code, one CommonJS file per group/version/Kind, into the folder the
// command's bundled keptn-schema.ts loads them from (`keptn-validators/` next to its chunk), so
// that `keptn-task validate`, `render` and `run` load no ajv and compile no schema on each start
// (~150 ms of CPU). The same options (KEPTN_AJV_OPTIONS), so the same errors;
// test/definitions/keptn-schemas.test.ts compares them. The SDK's own dist keeps compiling at run
// time (task code installs the SDK: 2 MB of validators would weigh on every task image).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";

/**
 * Writes the compiled validators into `folder` (the command's bundle folder, lib/cli).
 *
 * @param sdkDist - The SDK's built dist/ folder.
 */
export async function writeKeptnValidators(sdkDist, folder) {
  const definitions = join(sdkDist, "definitions");
  const { KEPTN_SCHEMAS } = await import(join(definitions, "keptn-schemas.generated.js"));
  const { KEPTN_AJV_OPTIONS, precompiledValidatorFile } = await import(
    join(definitions, "keptn-schema.js")
  );
  const generate = standaloneCode.default ?? standaloneCode;
  mkdirSync(join(folder, "keptn-validators"), { recursive: true });
  for (const [key, schema] of Object.entries(KEPTN_SCHEMAS)) {
    const ajv = new Ajv({ ...KEPTN_AJV_OPTIONS, code: { source: true } });
    writeFileSync(join(folder, precompiledValidatorFile(key)), generate(ajv, ajv.compile(schema)));
  }
}
