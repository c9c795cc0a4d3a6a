/**
 * `keptn-task run --watch`: runs the task, and again whenever its code file or manifests change.
 * A change during a run stops that run first (as a SIGTERM would: its summary is printed as
 * usual); changes are debounced, so an editor's save (write, rename, chmod) starts one run.
 * Ctrl-C ends the run in progress, as without --watch, and the watching.
 */
import { type FSWatcher, statSync, watch } from "node:fs";
import { basename, dirname, resolve, sep } from "node:path";
import { UsageError } from "@keptn-task/sdk";
import type { CliContext } from "./io.js";

/** Quiet time after the last change before the next run starts. */
const DEBOUNCE_MS = 200;

/** Lets the watcher stop a run in progress. */
export interface RunControl {
  /** Set by the run once it has a process to stop. */
  stop?: () => void;
}

/**
 * Runs `once` now and after every change of `paths` until Ctrl-C (or SIGTERM, SIGHUP).
 *
 * @param paths - Files and folders to watch (the manifests, the code file).
 * @param once - One run; rejects with the error a run without --watch would end with.
 * @returns The exit code of the last run.
 * @throws {UsageError} For standard input (`-`), which cannot be watched.
 */
export async function watchRuns(
  paths: readonly string[],
  once: (control: RunControl) => Promise<number>,
  context: CliContext,
  report: (error: unknown) => number,
): Promise<number> {
  if (paths.includes("-")) {
    throw new UsageError(
      `Cannot use --watch with -f -: standard input cannot be watched: give the manifests' files or folders`,
    );
  }
  const changes = new Changes(paths.map((path) => resolve(context.io.cwd, path)));
  const ended = endSignal();
  let code = 0;
  try {
    for (;;) {
      const control: RunControl = {};
      const running = once(control).catch(report);
      const first = await Promise.race([
        running.then(() => "done" as const),
        changes.next().then((path) => path),
        ended.promise.then(() => "ended" as const),
      ]);
      if (first !== "done" && first !== "ended") {
        context.note(`Change in "${first}": stopping the run`);
        control.stop?.();
      }
      code = await running;
      if (first === "ended" || ended.done) return code;
      if (first === "done") {
        context.note(`Watching ${paths.join(", ")} for changes (Ctrl-C to stop)`);
        const next = await Promise.race([changes.next(), ended.promise.then(() => undefined)]);
        if (next === undefined) return code;
      }
      await changes.settle(DEBOUNCE_MS);
      context.note("Running again");
    }
  } finally {
    changes.close();
    ended.dispose();
  }
}

/** The change events of some files and folders, as a queue of changed paths. */
class Changes {
  readonly #watchers: FSWatcher[] = [];
  #pending: string | undefined;
  #waiting: ((path: string) => void) | undefined;
  #last = 0;

  constructor(paths: readonly string[]) {
    for (const path of paths) this.#watch(path);
  }

  #watch(path: string): void {
    const folder = isFolder(path);
    // A file is watched through its folder: an editor that saves by renaming a new file over
    // the old one ends a watch on the file itself.
    const target = folder ? path : dirname(path);
    const name = basename(path);
    const watcher = watch(target, { recursive: folder }, (_event, changed) => {
      if (folder ? changed === null || !isManifest(changed) : changed !== name) return;
      this.#changed(folder && changed !== null ? resolve(path, changed) : path);
    });
    this.#watchers.push(watcher);
  }

  #changed(path: string): void {
    this.#last = performance.now();
    if (this.#waiting !== undefined) {
      const resolveNext = this.#waiting;
      this.#waiting = undefined;
      resolveNext(path);
    } else {
      this.#pending ??= path;
    }
  }

  /** The next changed path (one that came since the last call, or the next to come). */
  next(): Promise<string> {
    const pending = this.#pending;
    if (pending !== undefined) {
      this.#pending = undefined;
      return Promise.resolve(pending);
    }
    return new Promise((resolveNext) => {
      this.#waiting = resolveNext;
    });
  }

  /** Waits until no change has come for `quietMs`, and forgets the changes seen meanwhile. */
  async settle(quietMs: number): Promise<void> {
    for (;;) {
      const left = this.#last + quietMs - performance.now();
      if (left <= 0) break;
      await new Promise((resolveWait) => setTimeout(resolveWait, left));
    }
    this.#pending = undefined;
  }

  close(): void {
    for (const watcher of this.#watchers) watcher.close();
  }
}

/**
 * Whether a file changed below a watched folder is one `-f FOLDER` reads (as `loadManifests`
 * walks a folder): a YAML or JSON file, not under `node_modules` or a dot folder, not a
 * project's own `package.json` and the like. The run's output redirected into the folder, an
 * editor's swap file or `npm install` start no run.
 */
function isManifest(relative: string): boolean {
  const parts = relative.split(sep);
  const name = parts[parts.length - 1] ?? "";
  if (parts.some((part) => part === "node_modules" || part.startsWith("."))) return false;
  return /\.(ya?ml|json)$/.test(name) && !PROJECT_FILES.has(name);
}

/** A project's files that are never manifests (`loadManifests` leaves them out too). */
const PROJECT_FILES = new Set([
  "package.json",
  "package-lock.json",
  "npm-shrinkwrap.json",
  "tsconfig.json",
  "jsconfig.json",
  "deno.json",
  "biome.json",
]);

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Resolves at Ctrl-C, SIGTERM or SIGHUP: the end of the watching. */
function endSignal(): { promise: Promise<void>; readonly done: boolean; dispose(): void } {
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  let done = false;
  let end: () => void = () => undefined;
  const promise = new Promise<void>((resolveEnd) => {
    end = () => {
      done = true;
      resolveEnd();
    };
  });
  for (const signal of signals) process.on(signal, end);
  return {
    promise,
    get done() {
      return done;
    },
    dispose: () => {
      for (const signal of signals) process.off(signal, end);
    },
  };
}
