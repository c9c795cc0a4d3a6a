/** One line about the task: which kind, for which app or workload. */
export function describeContext(context: Record<string, string>): string {
  const subject =
    context.objectType === "Workload"
      ? `workload "${context.workloadName}" ${context.workloadVersion}`
      : `app "${context.appName}" ${context.appVersion}`;
  return `${context.taskType}-deployment task from a URL for ${subject}`;
}
