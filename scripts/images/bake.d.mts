/** A bake target after `inherits` and variables are resolved. */
export interface BakeTarget {
  name: string;
  context?: string;
  dockerfile?: string;
  target?: string;
  args: Record<string, string>;
  labels: Record<string, string>;
  platforms: string[];
  tags: string[];
}

/** An evaluated docker-bake.hcl. */
export interface Bake {
  variables: Record<string, string>;
  targets: Record<string, BakeTarget>;
  groups: Record<string, string[]>;
}

export const repoRoot: string;
export const localTags: Readonly<Record<string, string>>;
export function imageTags(
  env?: Record<string, string | undefined>,
): Promise<Readonly<Record<string, string>>>;
export const localBaseArgs: readonly string[];
export function loadBake(options?: {
  file?: string;
  env?: Record<string, string | undefined>;
}): Promise<Bake>;
export function podmanBuildArgs(
  target: BakeTarget,
  bases: Record<string, string>,
  options?: { timestamp?: number; noCache?: boolean },
): string[];
