import type * as zc from "zod/v4/core";
import { en } from "zod/v4/locales";

/**
 * English messages for the SDK's own parses. `zod/mini` loads no locale (that is what keeps it
 * small), and the SDK must not change zod's global configuration behind the task's back, so the
 * error map is passed to each parse instead.
 */
export const ENGLISH: zc.ParseContext<zc.$ZodIssue> = Object.freeze({ error: en().localeError });
