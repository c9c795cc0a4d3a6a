/**
 * `SECRET_OTHER_NAMESPACE`: the Secret a task's `SECURE_DATA` comes from is read in the namespace
 * the Job runs in, which is the task's (the workload's), never the namespace of the definition.
 * A definition shared from Keptn's namespace (found there by the operator's fallback lookup,
 * lifecycle-operator/controllers/common/utils.go `GetTaskDefinition`) keeps `secureParameters`
 * as a bare name: runtime_builder.go turns it into a `secretKeyRef` of the Job's container, and
 * job_utils.go creates that Job in `task.Namespace` (keptn/lifecycle-toolkit at
 * 40e195d78dd1886166e17d2e9c69b75a249fc384). A Secret only in Keptn's namespace is not found:
 * the pod fails with CreateContainerConfigError.
 */
import type { Catalog } from "../catalog.js";
import { createDiagnostic, type Diagnostic, type DiagnosticSubject } from "../diagnostics.js";

/** Where the lookup happens: the Job's namespace and Keptn's. */
export interface SecretLookup {
  readonly catalog: Catalog;
  readonly namespace: string;
  readonly keptnNamespace: string;
}

/**
 * The warning for a Secret that is missing from the Job's namespace but present in Keptn's, or
 * `undefined` when that is not the case.
 *
 * @param lookup - The catalog and the two namespaces.
 * @param secret - The Secret's name.
 * @param subject - The object that names it.
 * @param field - The field that names it.
 */
export function secretInKeptnNamespaceOnly(
  lookup: SecretLookup,
  secret: string,
  subject: DiagnosticSubject,
  field: string,
): Diagnostic | undefined {
  const { catalog, namespace, keptnNamespace } = lookup;
  if (namespace === keptnNamespace) return undefined;
  if (catalog.findSecret(secret, namespace) !== undefined) return undefined;
  if (catalog.findSecret(secret, keptnNamespace) === undefined) return undefined;
  return createDiagnostic(
    "SECRET_OTHER_NAMESPACE",
    `Secret "${secret}" (secureParameters) is only in namespace "${keptnNamespace}", but a task of "${subject.name}" run from namespace "${namespace}" has its Job there and reads the Secret there, so the pod fails with CreateContainerConfigError; create the Secret in "${namespace}" too`,
    subject,
    { field },
  );
}
