/** What an installed project's `node_modules` holds (see install-sizes.mjs). */
export interface InstallMeasure {
  /** Installed packages, scoped ones counted one by one. */
  readonly packages: number;
  /** `du -sk node_modules`, in bytes. */
  readonly disk: number;
  /** Bytes of the files below node_modules. */
  readonly files: number;
  /** Disk usage of the Deno binary's package (`@deno/<platform>`), in bytes; 0 without it. */
  readonly deno: number;
  /** Disk usage of esbuild and its platform package, in bytes; 0 without them. */
  readonly esbuild: number;
}

/** Measures a project with the packages installed. */
export function measure(project: string): InstallMeasure;

/** The README's sentence about install sizes, from the SDK alone and the whole toolset. */
export function sizeSentence(sdk: InstallMeasure, tool: InstallMeasure): string;
