import { describe, it } from "vitest";
import { cases } from "./api-cases/index.js";

describe("SDK API under Node", () => {
  for (const apiCase of cases) it(apiCase.name, apiCase.run);
});
