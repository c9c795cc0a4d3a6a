// One row of the diagnostics table (test/definitions/diagnostics.test.ts) and the ways a row
// reaches its diagnostic: resolving a task, checking one definition, validating the catalog.
import {
  type Catalog,
  checkDefinition,
  type Diagnostic,
  type DiagnosticCode,
  resolveTask,
  validateCatalog,
} from "../../../sdk/src/definitions/index.js";

export interface Row {
  code: DiagnosticCode;
  it: string;
  fixture: string;
  run: (catalog: Catalog) => readonly Diagnostic[];
  level: "error" | "warning";
  object: string;
  /** Fragments the message must contain: what is wrong, what Keptn does, how to fix it. */
  says: string[];
}

export const resolve =
  (definition: string, extra: object = {}) =>
  (catalog: Catalog) =>
    resolveTask(catalog, { definition, namespace: "shop", ...extra }).diagnostics;
export const check = (definition: string) => (catalog: Catalog) => {
  const def = catalog.findDefinition(definition, "shop");
  if (def === undefined) throw new Error(`no fixture definition ${definition}`);
  return checkDefinition(def);
};
export const validate = (catalog: Catalog) => validateCatalog(catalog);
