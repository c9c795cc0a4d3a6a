/**
 * URLs as they may appear in messages and logs. The rule of what a URL holds that is secret is
 * written once, in `../masking/secret-rule.ts`.
 */
export { redactUrl } from "../masking/secret-rule.js";
