// Bad input: what each image does, in the terms of the README's exit-code table.
import { IMAGES, runImage } from "./run-image.mjs";
import { TASKS } from "./tasks.mjs";

export function badInputCases(closedPort, urlOf) {
  return {
    'empty SCRIPT (""), as a definition whose functionRef chain is too deep gets': () => ({
      script: "",
    }),
    "httpRef URL answering 404 (an HTML page)": (runtime) => ({
      script: urlOf(runtime, "missing"),
    }),
    "httpRef URL that refuses connections": (runtime) => ({
      script: `http://127.0.0.1:${closedPort}/${runtime}/hello.${TASKS[runtime].extension}`,
    }),
  };
}

// Deno colours its errors (Keptn's image does not set NO_COLOR).
const ANSI_COLOURS = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/** One line on what happened: the exit code, whether anything ran, and the evidence. */
function outcome(result) {
  const runnerLine = result.stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        return {};
      }
    })
    .findLast((line) => line.name === "keptn-task-runner" && line.code);
  const stderr = result.stderr.replace(ANSI_COLOURS, "");
  if (runnerLine?.code) return `${result.code}: refused, nothing ran (${runnerLine.code})`;
  if (/File "<stdin>"/.test(stderr) && /SyntaxError/.test(stderr)) {
    return `${result.code}: the response body ran as Python (SyntaxError)`;
  }
  if (result.code === 0 && result.stdout === "" && stderr === "") {
    return "0: success, with nothing run (python3 read an empty stdin)";
  }
  // Deno's own error line, not its "Download <url>" progress line.
  const first =
    stderr.split("\n").find((line) => line.trim() !== "" && !line.startsWith("Download ")) ?? "";
  // In a code span: the line may hold a URL, which the docs site would turn into a link.
  const said = first
    .replace(/^error: /, "deno: ")
    .slice(0, 60)
    .replaceAll("`", "'");
  return `${result.code}: nothing ran (\`${said}\`)`;
}

export async function badInputs(cases) {
  const outcomes = {};
  for (const [input, make] of Object.entries(cases)) {
    for (const image of IMAGES) {
      const result = await runImage(image.tag, { runtime: image.runtime, ...make(image.runtime) });
      outcomes[`${input}|${image.runtime}/${image.who}`] = outcome(result);
    }
  }
  return outcomes;
}
