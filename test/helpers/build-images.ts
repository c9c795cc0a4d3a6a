// vitest globalSetup of the image tests (vitest.images.config.ts): builds both runner images once,
// before any test file runs, exactly as `npm run images` does: `npm run build`, then
// scripts/images/build.mjs, in one go, so the images hold this checkout's runners/dist even when
// something else rebuilt it meanwhile. Podman's build output goes to a log shown only on failure;
// the build script's own summary lines ("images: ...", "make-bases: ...") are passed through.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { ROOT } from "./deno.js";
import { CONTAINERS_CONF } from "./podman.js";
import { ignorePipeErrors } from "./run-process.js";

async function run(command: string, args: string[]): Promise<{ code: number; log: string }> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, CONTAINERS_CONF },
    stdio: ["ignore", "pipe", "pipe"],
  });
  ignorePipeErrors(child);
  let log = "";
  let pending = "";
  const collect = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    log += text;
    pending += text;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (/^(images|make-bases|setup-podman): /.test(line)) process.stderr.write(`${line}\n`);
    }
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  try {
    const [code] = (await once(child, "close")) as [number | null];
    return { code: code ?? 1, log };
  } catch (error) {
    // Not even started (ENOENT: podman is not installed).
    return { code: 127, log: error instanceof Error ? error.message : String(error) };
  }
}

export default async function buildImages(): Promise<void> {
  const info = await run("podman", ["info", "--format", "{{.Host.OCIRuntime.Name}}"]);
  if (info.code !== 0) {
    throw new Error(
      `Cannot run the image tests: podman does not work: run "bash scripts/images/setup-podman.sh" first: ${info.log.trim()}`,
    );
  }
  const started = Date.now();
  const build = await run("npm", ["run", "images"]);
  if (build.code !== 0) {
    const tail = build.log.trimEnd().split("\n").slice(-60).join("\n");
    throw new Error(
      `Cannot build the runner images: "npm run images" exited ${build.code}; its last lines:\n${tail}`,
    );
  }
  process.stderr.write(
    `images: both images built for the tests in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
}
