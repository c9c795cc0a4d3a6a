// The fetch path, as one dynamically imported chunk: `require` first, then the HTTP client.
import "./node-require.js";

export { fetchScript } from "@keptn-task/sdk/fetch";
