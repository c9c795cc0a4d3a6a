/** A file counted in the deno floor. */
export interface FloorFile {
  path: string;
  size: number;
}

/** What `measure()` found. */
export interface Measurement {
  floor: { bytes: number; files: FloorFile[] };
  images: { name: string; tag: string; bytes: number }[];
}

export const maxDenoOverFloor: number;
export function measure(): Measurement;
