/**
 * `keptn-task render NAME -f PATH...`: the objects the operator would create for a task of that
 * definition (function ConfigMap, KeptnTask, Job), as YAML or JSON.
 */

import { UsageError } from "@keptn-task/sdk";
import { renderJob, resolveTask } from "@keptn-task/sdk/definitions";
import { type Command, oneOf } from "./args.js";
import {
  contextFromArgs,
  DEFINITION_OPTIONS,
  DEFINITION_OPTIONS_HELP,
  findDefinition,
  loadCatalog,
  printWarnings,
  refuseErrors,
} from "./task-input.js";

export const renderCommand: Command = {
  name: "render",
  options: {
    ...DEFINITION_OPTIONS,
    "deno-image": { type: "string" },
    "python-image": { type: "string" },
    output: { type: "string", short: "o", values: ["yaml", "json"] },
  },
  help: `Usage: keptn-task render NAME -f PATH... [options]

Prints what the Keptn lifecycle-operator creates to run a task of KeptnTaskDefinition NAME: the
ConfigMap keptnfn-NAME (inline code only), the KeptnTask and the Job, as multi-document YAML in
apply order. Owner references are left out (they need the cluster's UIDs), and the random name
suffixes differ on every call, as they do in the cluster.

Warnings go to stderr. A definition Keptn would not run (an error of keptn-task validate) is
refused with that error.

Options:
${DEFINITION_OPTIONS_HELP}
      --deno-image IMAGE  the operator's functionRunnerImage (default ghcr.io/keptn/deno-runtime:v3.0.1)
      --python-image IMAGE  the operator's pythonRunnerImage (default ghcr.io/keptn/python-runtime:v1.0.8)
  -o, --output FORMAT     yaml (default) or json (a kubectl List)
  -h, --help              show this help

Exit codes: 0 rendered; 64 bad arguments; 65 invalid manifest or a definition Keptn would not
run; 66 unknown definition, or no code to run.

Examples:
  keptn-task render hello -f . --workload podtato-head-entry --version 0.3.1
  keptn-task render hello -f . -n prod   # objects without a namespace go to prod
`,
  async run(args, context) {
    const [name, ...extra] = args.positionals;
    if (name === undefined || extra.length > 0 || args.rest.length > 0) {
      throw new UsageError(
        `Cannot run "keptn-task render": expected one definition NAME, received ${args.positionals.length + args.rest.length}: see keptn-task render --help`,
      );
    }
    const output = oneOf("render", "output", args.string("output"), ["yaml", "json"], "yaml");
    const taskContext = await contextFromArgs("render", args, context);
    const { catalog, paths } = await loadCatalog("render", args, context);
    const { definition, namespace, keptnNamespace } = findDefinition(catalog, name, args, paths);
    const images: { deno?: string; python?: string } = {};
    const deno = args.string("deno-image");
    const python = args.string("python-image");
    if (deno !== undefined) images.deno = deno;
    if (python !== undefined) images.python = python;
    const resolved = resolveTask(catalog, {
      definition: definition.name,
      namespace,
      keptnNamespace,
      context: taskContext,
      images,
    });
    refuseErrors("render", resolved);
    printWarnings(resolved, context);
    const rendered = renderJob(resolved);
    context.out(
      output === "json"
        ? `${JSON.stringify({ apiVersion: "v1", kind: "List", items: rendered.objects }, null, 2)}\n`
        : rendered.yaml,
    );
    return 0;
  },
};
