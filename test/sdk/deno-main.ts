// Entry point bundled for Deno by api.deno.test.ts: runs every API case and prints one JSON
// line per case.
import { cases } from "./api-cases/index.js";

for (const apiCase of cases) {
  try {
    await apiCase.run();
    console.log(JSON.stringify({ name: apiCase.name, ok: true }));
  } catch (error) {
    console.log(
      JSON.stringify({
        name: apiCase.name,
        ok: false,
        error: String((error as Error)?.stack ?? error),
      }),
    );
  }
}
