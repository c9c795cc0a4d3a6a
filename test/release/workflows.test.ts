// The GitHub workflows cannot run here; these checks tie them to this repository: every command a
// `run:` step names exists (an npm script, a file, a bake target), every action is pinned to a
// commit, and the release does what docs/release.md says, in that order.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadBake, repoRoot } from "../../scripts/images/bake.mjs";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

interface Job {
  needs?: string | string[];
  permissions?: Record<string, string>;
  environment?: string;
  steps: Step[];
}

interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const read = (path: string) => readFileSync(resolve(repoRoot, path), "utf8");
const workflow = (name: string) => parse(read(`.github/workflows/${name}`)) as Workflow;
const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;

/** Programs a step may call that are neither npm scripts nor files of this repository. */
const TOOLS = new Set(["cd", "cp", "mkdir", "sha256sum", "sudo", "env", "export", "gh", "git"]);

/**
 * The simple commands of a `run:` script, as words: split on newlines, `;`, `&&`, `||` and `|`
 * outside quotes; quotes removed; comments dropped.
 */
function commands(script: string): string[][] {
  const result: string[][] = [];
  let words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  const endWord = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) result.push(words);
    words = [];
  };
  const text = script.replace(/\\\n/g, " ");
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? "";
    if (quote) {
      if (c === quote) quote = undefined;
      else word = (word ?? "") + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= "";
    } else if (c === "#" && word === undefined) {
      while (i < text.length && text[i] !== "\n") i++;
      endCommand();
    } else if (c === "\n" || c === ";" || c === "|" || (c === "&" && text[i + 1] === "&")) {
      if ((c === "&" || c === "|") && text[i + 1] === c) i++;
      endCommand();
    } else if (/\s/.test(c)) {
      endWord();
    } else {
      word = (word ?? "") + c;
    }
  }
  endCommand();
  return result;
}

/** What a command runs, with `sudo`, `env NAME=VALUE` and `export` peeled off. */
function program(words: string[]): string[] {
  let rest = words;
  for (;;) {
    const [first, ...tail] = rest;
    if (first === "sudo" || first === "env") rest = tail;
    else if (first !== undefined && /^[A-Z_]+=/.test(first)) rest = tail;
    else return rest;
  }
}

const workflows = ["ci.yml", "release.yml"];

describe.each(workflows)(".github/workflows/%s", (name) => {
  const wf = workflow(name);
  const steps = Object.values(wf.jobs).flatMap((job) => job.steps);

  it("pins every action to a full commit, with the version in a comment", () => {
    const text = read(`.github/workflows/${name}`);
    const uses = steps.flatMap((step) => (step.uses ? [step.uses] : []));
    expect(uses.length).toBeGreaterThan(0);
    for (const action of uses) {
      expect(action).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      expect(text).toMatch(new RegExp(`${action.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} # v\\d`));
    }
  });

  it("runs only npm scripts of package.json, files of the repository and known tools", async () => {
    const bake = await loadBake({ env: {} });
    const runs = steps.flatMap((step) => (step.run ? commands(step.run) : []));
    expect(runs.length).toBeGreaterThan(0);
    for (const words of runs) {
      const [command, ...args] = program(words);
      const where = words.join(" ");
      if (command === "npm") {
        const [verb, script] = args;
        if (verb === "run") expect(scripts, where).toHaveProperty(script ?? "");
        else if (verb === "test") expect(scripts, where).toHaveProperty("test");
        else expect(["ci", "publish"], where).toContain(verb);
      } else if (command === "node" || command === "bash") {
        expect(existsSync(resolve(repoRoot, args[0] ?? "")), where).toBe(true);
      } else if (command === "docker") {
        expect(args.slice(0, 2), where).toEqual(["buildx", "bake"]);
        expect(existsSync(resolve(repoRoot, "docker-bake.hcl")), where).toBe(true);
        const targets = args.slice(2).filter((arg) => !arg.startsWith("-") && !arg.includes("="));
        for (const target of targets) expect(Object.keys(bake.targets), where).toContain(target);
      } else {
        expect([...TOOLS], where).toContain(command);
      }
    }
  });

  it("grants the workflow read access only, and more to single jobs", () => {
    expect(wf.permissions).toEqual({ contents: "read" });
  });
});

describe("the CI workflow", () => {
  const ci = workflow("ci.yml");
  const runs = Object.values(ci.jobs).flatMap((job) => job.steps.flatMap((s) => s.run ?? []));

  it("runs the README's test command and the image tests", () => {
    // The command the README (or the docs it grows into) gives contributors.
    const docs = [
      "README.md",
      ...(existsSync(resolve(repoRoot, "docs"))
        ? readdirSync(resolve(repoRoot, "docs"), { recursive: true, encoding: "utf8" })
            // This page quotes the command; it is not where contributors learn it.
            .filter((file) => file.endsWith(".md") && file !== "release.md")
            .map((file) => `docs/${file}`)
        : []),
    ];
    expect(docs.some((file) => read(file).includes("npm ci && npm test"))).toBe(true);
    expect(runs).toContain("npm ci && npm test");
    expect(runs.some((run) => /\bnpm run test:images$/.test(run))).toBe(true);
  });
});

describe("the release workflow", () => {
  const release = workflow("release.yml");
  const job = (name: string): Job => {
    const found = release.jobs[name];
    if (!found) throw new Error(`release.yml has no job "${name}"`);
    return found;
  };
  const runs = (name: string) => job(name).steps.flatMap((s) => (s.run ? [s.run] : []));
  const uses = (name: string) => job(name).steps.flatMap((s) => (s.uses ? [s.uses] : []));

  it("runs on a version tag, and checks that the tag names the project's version", () => {
    expect(release.on).toEqual({ push: { tags: ["v*"] } });
    expect(runs("artifacts")[0]).toBe('node scripts/release/check-tag.mjs "$GITHUB_REF_NAME"');
  });

  it("builds every artifact with npm run artifacts, then checks SHA256SUMS", () => {
    const artifacts = runs("artifacts");
    const built = artifacts.findIndex((run) => /\bnpm run artifacts$/.test(run));
    expect(built).toBeGreaterThan(0);
    expect(artifacts[built + 1]).toBe("cd artifacts && sha256sum --check --strict SHA256SUMS");
    expect(uses("artifacts").some((u) => u.startsWith("actions/upload-artifact@"))).toBe(true);
  });

  it.each(["npm", "pypi", "github-release"])(
    "checks SHA256SUMS again in the %s job before it publishes what it downloaded",
    (name) => {
      expect(job(name).needs).toContain("artifacts");
      expect(runs(name)).toContain("cd artifacts && sha256sum --check --strict SHA256SUMS");
    },
  );

  it("publishes both npm tarballs of artifacts/ with provenance, the SDK first", () => {
    expect(job("npm").permissions).toMatchObject({ "id-token": "write" });
    const lines = runs("npm")
      .flatMap((run) => run.split("\n"))
      .filter((l) => l.includes("publish"));
    expect(lines).toEqual([
      `npm publish "artifacts/keptn-task-sdk-\${GITHUB_REF_NAME#v}.tgz" --provenance --access public`,
      `npm publish "artifacts/keptn-task-runners-\${GITHUB_REF_NAME#v}.tgz" --provenance --access public`,
    ]);
  });

  it("publishes the wheel and sdist by PyPI trusted publishing, with no token", () => {
    const pypi = job("pypi");
    expect(pypi.permissions).toEqual({ "id-token": "write" });
    const publish = pypi.steps.find((s) => s.uses?.startsWith("pypa/gh-action-pypi-publish@"));
    expect(publish?.with).toEqual({ "packages-dir": "pypi/" });
    expect(runs("pypi")).toContain(
      "mkdir -p pypi && cp artifacts/keptn_task-*.whl artifacts/keptn_task-*.tar.gz pypi/",
    );
  });

  it("pushes both images for amd64 and arm64 with docker buildx bake, with SBOM and provenance attestations", async () => {
    const bake = await loadBake({ env: {} });
    for (const target of bake.groups.default ?? []) {
      expect(bake.targets[target]?.platforms).toEqual(["linux/amd64", "linux/arm64"]);
    }
    expect(job("images").permissions).toMatchObject({ packages: "write" });
    const script = runs("images").find((run) => run.includes("docker buildx bake")) ?? "";
    expect(script).toContain("docker buildx bake --push");
    expect(script).toContain("--set '*.attest=type=sbom'");
    expect(script).toContain("--set '*.attest=type=provenance,mode=max'");
    expect(uses("images").map((u) => u.split("@")[0])).toEqual(
      expect.arrayContaining([
        "docker/setup-qemu-action",
        "docker/setup-buildx-action",
        "docker/login-action",
      ]),
    );
  });

  it("attaches artifacts/ to the GitHub release after everything was published", () => {
    expect(job("github-release").needs).toEqual(["artifacts", "npm", "pypi", "images"]);
    expect(job("github-release").permissions).toEqual({ contents: "write" });
    expect(
      runs("github-release").some((run) =>
        run.startsWith('gh release create "$GITHUB_REF_NAME" artifacts/*'),
      ),
    ).toBe(true);
  });
});

describe("the release scripts", () => {
  it("are package.json's artifacts and artifacts:reproduce", () => {
    expect(scripts.artifacts).toBe("node scripts/release/artifacts.mjs");
    expect(scripts["artifacts:reproduce"]).toBe("node scripts/release/reproduce.mjs");
  });
});
