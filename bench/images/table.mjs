// The bench's tables: every row side by side, then the cold starts against their targets.

/** The most `ours / Keptn` may be for each cold start (issue 23). */
export const TARGETS = {
  "hello task, mounted file": { deno: 1.05, python: 1.2 },
  "hello task, httpRef from 127.0.0.1": { deno: 1.1, python: 1.2 },
  "task with SECURE_DATA, mounted file": { deno: 1.15, python: 1.25 },
};

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const ms = (value) => `${Math.round(value)} ms`;
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
const ratio = (ours, keptn) => `${(ours / keptn).toFixed(2)}x`;

/** The rows of the main table, from everything the bench measured. */
function rows(m) {
  const lines = [];
  const row = (label, cell) => {
    const cells = ["deno", "python"].flatMap((runtime) => {
      const [ours, keptn, r] = cell(runtime);
      return [ours, keptn, r ?? ""];
    });
    lines.push(`| ${label} | ${cells.join(" | ")} |`);
  };
  for (const caseName of Object.keys(m.cases)) {
    row(`${caseName}, median`, (runtime) => {
      const ours = median(m.times[`${caseName}|${runtime}/ours`]);
      const keptn = median(m.times[`${caseName}|${runtime}/keptn`]);
      return [ms(ours), ms(keptn), ratio(ours, keptn)];
    });
  }
  row("hello task, python3 alone in our image (`--entrypoint python3`), median", (runtime) => {
    if (runtime !== "python") return ["", ""];
    const [runner, alone] = [median(m.runnerCost.runner), median(m.runnerCost.alone)];
    return [`${ms(alone)}: the runner costs ${ms(runner - alone)}`, ""];
  });
  row("SECURE_DATA the task prints, in the container's log", (runtime) => [
    m.leaks[`${runtime}/ours`] ? "leaked" : "masked (`***`)",
    m.leaks[`${runtime}/keptn`] ? "leaked" : "masked (`***`)",
  ]);
  row("`podman stop` to exit, task handling SIGTERM, median", (runtime) =>
    ["ours", "keptn"]
      .map((who) => {
        const runs = m.stops[`${runtime}/${who}`];
        const handled = runs.every((run) => run.handled);
        const codes = [...new Set(runs.map((run) => run.code))].join("/");
        return `${ms(median(runs.map((run) => run.ms)))}, exit ${codes}, handler ${handled ? "ran" : "never ran"}`;
      })
      .concat([""]),
  );
  row("peak memory of the container, hello task, median", (runtime) => {
    const ours = m.peaks[`${runtime}/ours`];
    const keptn = m.peaks[`${runtime}/keptn`];
    if (!ours || !keptn) return ["n/a (needs root)", "n/a (needs root)"];
    return [mb(median(ours)), mb(median(keptn)), ratio(median(ours), median(keptn))];
  });
  row("image size, uncompressed", (runtime) => {
    const [ours, keptn] = [m.sizes[`${runtime}/ours`], m.sizes[`${runtime}/keptn`]];
    return [mb(ours.bytes), mb(keptn.bytes), ratio(ours.bytes, keptn.bytes)];
  });
  row("image size, compressed (`podman save \\| gzip`)", (runtime) => {
    const [ours, keptn] = [m.sizes[`${runtime}/ours`], m.sizes[`${runtime}/keptn`]];
    return [mb(ours.compressed), mb(keptn.compressed), ratio(ours.compressed, keptn.compressed)];
  });
  for (const input of Object.keys(m.badInputCases)) {
    row(`bad input: ${input}`, (runtime) => [
      m.outcomes[`${input}|${runtime}/ours`],
      m.outcomes[`${input}|${runtime}/keptn`],
    ]);
  }
  return lines;
}

/** The cold starts against their targets; `allWithin` is false when one is over. */
function targetRows(m) {
  const lines = [];
  let allWithin = true;
  for (const [caseName, targets] of Object.entries(TARGETS)) {
    for (const runtime of ["deno", "python"]) {
      const ours = median(m.times[`${caseName}|${runtime}/ours`]);
      const keptn = median(m.times[`${caseName}|${runtime}/keptn`]);
      const within = ours / keptn <= targets[runtime];
      allWithin &&= within;
      // The runs of a round are back to back: their ratio shows how much of the spread is load.
      const oursRuns = m.times[`${caseName}|${runtime}/ours`];
      const keptnRuns = m.times[`${caseName}|${runtime}/keptn`];
      const paired = median(oursRuns.map((value, round) => value / keptnRuns[round]));
      lines.push(
        `| ${runtime}, ${caseName} | ${ratio(ours, keptn)} | ${paired.toFixed(2)}x | <= ${targets[runtime].toFixed(2)}x | ${within ? "yes" : "**no**"} |`,
      );
    }
  }
  return { lines, allWithin };
}

/** Prints both tables under a line naming the date, the machine and the runs. */
export function printTables(m, header) {
  console.log(header);
  console.log("");
  console.log(
    "| | deno-runtime: ours | deno-runtime: Keptn-equivalent | ours / Keptn | python-runtime: ours | python-runtime: Keptn-equivalent | ours / Keptn |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const line of rows(m)) console.log(line);
  const targets = targetRows(m);
  console.log("");
  console.log(
    "| cold start | ours / Keptn (of the medians) | median of each round's ours / Keptn | target | within |",
  );
  console.log("| --- | --- | --- | --- | --- |");
  for (const line of targets.lines) console.log(line);
  return targets.allWithin;
}
