#!/usr/bin/env node
// The `keptn-task` command's start-up: median wall times of a few commands, interleaved with a
// bare `node -e 0` (runs in turn, so machine noise hits all alike), and each one's cost over it.
// The command is one esbuild bundle (runners/scripts/build.mjs); this is what that buys a user.
//
//   npm run bench:cli        (RUNS=15 by default)
//   VS=/other/checkout/runners/bin/keptn-task.js node bench/cli.mjs
//                            (the same commands through another build too, interleaved: before
//                            and after a change, side by side)
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const runs = Number(process.env.RUNS ?? 15);
const cli = `${root}runners/bin/keptn-task.js`;
const commands = (bin, label) => [
  [`${label}--version`, [bin, "--version"]],
  [`${label}validate examples/hello`, [bin, "validate", "examples/hello"]],
  [`${label}run hello -f examples/hello`, [bin, "run", "hello", "-f", "examples/hello"]],
];
const cases = [
  ["node -e 0 (floor)", ["-e", "0"]],
  ...commands(cli, "keptn-task "),
  ...(process.env.VS ? commands(process.env.VS, `${process.env.VS} `) : []),
];

const times = cases.map(() => []);
for (let round = -1; round < runs; round++) {
  cases.forEach(([name, args], i) => {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: root, stdio: "pipe" });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) {
      console.error(`bench: "${name}" exited with ${result.status}: ${result.stderr}`);
      process.exit(1);
    }
    // Round -1 warms the file cache and is not counted.
    if (round >= 0) times[i].push(ms);
  });
}
const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const floor = median(times[0]);
console.log(
  `keptn-task start-up, median of ${runs} runs each, interleaved (node ${process.version})`,
);
console.log("| command | wall ms | over node -e 0 |");
console.log("| --- | ---: | ---: |");
cases.forEach(([name], i) => {
  const m = median(times[i]);
  console.log(`| ${name} | ${m.toFixed(0)} | ${i === 0 ? "" : `+${(m - floor).toFixed(0)} ms`} |`);
});
