// Loads the YAML fixtures under test/fixtures/definitions into catalogs.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Catalog, createCatalog, loadManifests } from "../../sdk/src/definitions/index.js";

/** The folder holding the definition fixtures. */
export const DEFINITION_FIXTURES = fileURLToPath(
  new URL("../fixtures/definitions/", import.meta.url),
);

/** The path of fixture `name` (without `.yaml`). */
export function fixturePath(name: string): string {
  return join(DEFINITION_FIXTURES, `${name}.yaml`);
}

/** A catalog of every object in fixture `name`. */
export async function fixtureCatalog(name: string): Promise<Catalog> {
  return createCatalog(await loadManifests(fixturePath(name)));
}
