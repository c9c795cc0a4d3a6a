/** A `name=version` line of a debian-packages.txt. */
export interface DebianPin {
  name: string;
  version: string;
}

export const DEBIAN_DISTRO: string;
export function readDebianPins(path: string): DebianPin[];
export function projectVersions(): { version: string; deno: string; python: string };
export function npmPackageSbom(options: { workspace: string; timestamp: number }): string;
export function imageSbom(options: {
  image: string;
  tag: string;
  timestamp: number;
  digest?: string;
  arch?: string;
}): string;
