/**
 * `TTL_TOO_SHORT`: keptn/lifecycle-toolkit at 40e195d78dd1886166e17d2e9c69b75a249fc384,
 * lifecycle-operator/controllers/lifecycle/keptntask/controller.go: the KeptnTask controller does
 * not watch Jobs; it polls every 10 seconds (`RequeueAfter`) and, when `getJob` finds no Job,
 * calls `createJob` again without looking at the task's status. A Job the TTL controller deletes
 * before Keptn has read its result is created again: the task runs again, and may never finish.
 */
import { createDiagnostic, type Diagnostic } from "../diagnostics.js";
import type { TaskDefinition } from "../model.js";

/** Keptn's poll interval, 10 s, plus as much again for a busy operator's queue. */
const SAFE_TTL_SECONDS = 20;

/**
 * `TTL_TOO_SHORT` for a `ttlSecondsAfterFinished` from 0 to under 20 seconds.
 *
 * @param def - The definition.
 */
export function checkJobLifetime(def: TaskDefinition): Diagnostic[] {
  const ttl = def.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl < 0 || ttl >= SAFE_TTL_SECONDS) return [];
  return [
    createDiagnostic(
      "TTL_TOO_SHORT",
      `"${def.name}" has ttlSecondsAfterFinished ${ttl}: Keptn reads the Job's result every 10 seconds and creates the Job again when it is gone, so a Job deleted sooner runs the task again; set at least ${SAFE_TTL_SECONDS} (the default is 300)`,
      def,
      { field: "spec.ttlSecondsAfterFinished" },
    ),
  ];
}
