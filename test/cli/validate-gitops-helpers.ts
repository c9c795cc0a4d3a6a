// What the tests of `keptn-task validate` on GitOps repositories share: the fixture folders
// and the parse of a text finding.
export const GITOPS = "test/fixtures/gitops";
export const REFERENCES = `${GITOPS}/references`;
export const POSITIONS = `${GITOPS}/positions`;
export const NAMESPACE = `${GITOPS}/namespace`;
export const HELM_REPO = `${GITOPS}/helm-repo`;
export const FOLDED = `${GITOPS}/folded/folded.yaml`;

/** A text finding: `FILE:LINE:COLUMN: LEVEL CODE [PATH: ]MESSAGE`. */
export interface TextFinding {
  file: string;
  line: number;
  column: number;
  level: string;
  code: string;
  rest: string;
}

export function textFindings(stdout: string): TextFinding[] {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const match = /^(.+?):(\d+):(\d+): (error|warning) ([A-Z_]+) (.*)$/.exec(line);
      if (match === null) throw new Error(`not a finding: ${line}`);
      const [, file = "", at = "", column = "", level = "", code = "", rest = ""] = match;
      return { file, line: Number(at), column: Number(column), level, code, rest };
    });
}
