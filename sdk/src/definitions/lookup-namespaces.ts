/**
 * How messages name the namespaces Keptn looks a definition up in: the object's own, then
 * Keptn's. When both are the same namespace, it is named once.
 */

/** `namespace "a" or "b"`, or `namespace "a"` when Keptn's is the same. */
export function lookupNamespaces(namespace: string, keptnNamespace: string): string {
  return namespace === keptnNamespace
    ? `namespace "${namespace}"`
    : `namespace "${namespace}" or "${keptnNamespace}"`;
}

/** `in neither namespace "a" nor "b"`, or `not in namespace "a"` when Keptn's is the same. */
export function notInLookupNamespaces(namespace: string, keptnNamespace: string): string {
  return namespace === keptnNamespace
    ? `not in namespace "${namespace}"`
    : `in neither namespace "${namespace}" nor "${keptnNamespace}"`;
}
