// The diagnostics table (test/definitions/diagnostics.test.ts), one row per diagnostic a fixture
// shows, held in three parts by concern.
import { fieldRows } from "./fields-and-traps.js";
import { referenceRows } from "./references-and-jobs.js";
import type { Row } from "./row.js";
import { runtimeRows } from "./runtimes-and-code.js";

export type { Row } from "./row.js";
export const rows: Row[] = [...runtimeRows, ...referenceRows, ...fieldRows];
