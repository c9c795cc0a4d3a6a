// The fetch path, as one dynamically imported chunk: `require` first, then the HTTP client.
import "./node-require.js";

export { fetchScript, redactUrl } from "@keptn-task/sdk/fetch";
