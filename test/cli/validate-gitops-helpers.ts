// What the tests of `keptn-task validate` on GitOps repositories share: the fixture folders
// and the parse of a text finding.
export const GITOPS = "test/fixtures/gitops";
export const REFERENCES = `${GITOPS}/references`;
export const POSITIONS = `${GITOPS}/positions`;
export const NAMESPACE = `${GITOPS}/namespace`;
export const HELM_REPO = `${GITOPS}/helm-repo`;
export const FOLDED = `${GITOPS}/folded/folded.yaml`;

export { type TextFinding, textFindings } from "../helpers/validate-findings.js";
