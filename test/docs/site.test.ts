// The documentation site as a reader gets it: generated from the code, built by VitePress (whose
// dead-link check fails the build), served on 127.0.0.1 and opened page by page in a real
// headless Chromium. The home page's screenshot is kept in artifacts/docs/home.png.
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { type Browser, type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/deno.js";
import { type ProcessResult, runProcess } from "../helpers/run-process.js";
import { type SiteServer, startSiteServer } from "../helpers/site-server.js";

const DOCS = join(ROOT, "docs");
const DIST = join(DOCS, ".vitepress", "dist");
const SCREENSHOT = join(ROOT, "artifacts", "docs", "home.png");

/** Debian's package `chromium`; the test fails, never skips, when it is missing. */
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The public sites the documentation may link to; every other link stays inside the site. */
const PUBLIC_SITES = new Set([
  "keptn.sh",
  "getpino.io",
  "standardschema.dev",
  "fast-check.dev",
  "github.com",
  "ajv.js.org",
]);

/** Every built page, as its path in the site (`guide/install.html`). */
function builtPages(dir = DIST): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "assets" ? [] : builtPages(path);
    return entry.name.endsWith(".html") && entry.name !== "404.html" ? [relative(DIST, path)] : [];
  });
}

/**
 * The title a page's source gives it: the home page's hero name, else its front matter's
 * `title`, else its first heading.
 */
function sourceTitle(page: string): string {
  const source = readFileSync(join(DOCS, page.replace(/\.html$/, ".md")), "utf8");
  const front = source.startsWith("---\n") ? source.slice(4, source.indexOf("\n---", 4)) : "";
  const hero = /^ {2}name: (.+)$/m.exec(front)?.[1];
  const title = /^title: (.+)$/m.exec(front)?.[1];
  const heading = /^# (.+)$/m.exec(source.slice(front.length))?.[1];
  const found = hero ?? title ?? heading?.replace(/`/g, "");
  if (found === undefined) throw new Error(`"${page}" has no title`);
  return found.trim();
}

/**
 * Opens each page in turn in one browser tab (a full load from the server each time, as a reader
 * following a link from another site gets it; a tab per page cost Chromium twice the CPU) and
 * lists what is wrong with it: not HTTP 200, a title other than its source's, a console error, a
 * failed request. Chromium aborts the loads in flight when the machine's network interfaces
 * change (ERR_NETWORK_CHANGED: a container starting elsewhere on the machine); that says nothing
 * about the page, so the page is opened again, up to three times.
 */
async function openPages(context: BrowserContext, paths: string[]): Promise<string[]> {
  const page = await context.newPage();
  let errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("response", (answer) => {
    if (answer.status() >= 400) errors.push(`HTTP ${answer.status()} for ${answer.url()}`);
  });
  const problems: string[] = [];
  for (const path of paths) {
    for (let attempt = 1; ; attempt++) {
      // A blank page between two pages: what the last page still logs is not the next one's.
      await page.goto("about:blank");
      errors = [];
      const response = await page.goto(`${server.origin}/${path}`, { waitUntil: "load" });
      const title = sourceTitle(path);
      const heading = page.locator(path === "index.html" ? ".VPHero .name" : "main h1").first();
      await heading.waitFor();
      const shown = (await heading.textContent())?.replace(/\u200b/g, "").trim();
      const documentTitle = await page.title();
      if (attempt < 3 && errors.some((error) => error.includes("ERR_NETWORK_CHANGED"))) continue;
      if (response?.status() !== 200) problems.push(`${path}: HTTP ${response?.status()}`);
      if (shown !== title) problems.push(`${path}: shows "${shown}", not "${title}"`);
      if (!documentTitle.startsWith(title)) problems.push(`${path}: <title> "${documentTitle}"`);
      for (const error of errors) problems.push(`${path}: console error: ${error}`);
      break;
    }
  }
  await page.close();
  return problems;
}

let generate: ProcessResult;
let build: ProcessResult;
let server: SiteServer;
let browser: Browser;

beforeAll(async () => {
  generate = await runProcess(process.execPath, ["scripts/docs/generate-reference.mjs"], {
    cwd: ROOT,
    timeoutMs: 180_000,
  });
  build = await runProcess(
    process.execPath,
    [join(ROOT, "node_modules/vitepress/bin/vitepress.js"), "build", "docs"],
    { cwd: ROOT, timeoutMs: 300_000 },
  );
  server = await startSiteServer(DIST);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("the documentation site", () => {
  it("generates its reference pages from the code", () => {
    expect(generate.stderr).toBe("");
    expect(generate.code).toBe(0);
    for (const page of ["sdk-api", "cli", "diagnostics", "exit-codes"]) {
      expect(existsSync(join(DOCS, "reference", `${page}.md`)), page).toBe(true);
    }
  });

  it("builds with VitePress, whose dead-link check passes", () => {
    expect(build.stderr + build.stdout).not.toMatch(/dead link/i);
    expect(build.code).toBe(0);
    expect(builtPages().length).toBeGreaterThan(15);
  });

  it("opens every page in Chromium with its title and no console error", async () => {
    const context = await browser.newContext();
    const problems = await openPages(context, builtPages());
    await context.close();
    expect(problems).toEqual([]);
  });

  it("keeps every link inside the site or on a public site, and every anchor on its page", () => {
    const problems: string[] = [];
    for (const path of builtPages()) {
      const html = readFileSync(join(DIST, path), "utf8");
      for (const [, href] of html.matchAll(/\shref="([^"]*)"/g)) {
        if (href === undefined || href.startsWith("#")) continue;
        const url = new URL(href.replace(/&amp;/g, "&"), `http://site.test/${path}`);
        if (url.host !== "site.test") {
          if (url.protocol !== "https:" || !PUBLIC_SITES.has(url.hostname))
            problems.push(`${path}: links out of the site to ${href}`);
          continue;
        }
        const target = join(DIST, decodeURIComponent(url.pathname));
        if (!existsSync(target)) {
          problems.push(`${path}: links to missing ${url.pathname}`);
          continue;
        }
        const anchor = decodeURIComponent(url.hash.slice(1));
        if (anchor !== "" && !readFileSync(target, "utf8").includes(`id="${anchor}"`))
          problems.push(`${path}: links to missing anchor ${url.pathname}#${anchor}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("documents every root export of the SDK on the generated API page", async () => {
    const root = (await import("@keptn-task/sdk")) as Record<string, unknown>;
    const api = readFileSync(join(DOCS, "reference", "sdk-api.md"), "utf8");
    const missing = Object.keys(root).filter((name) => !api.includes(`#### \`${name}\``));
    expect(missing).toEqual([]);
  });

  it("gives each function's signature as its source writes it, types by their names", () => {
    const api = readFileSync(join(DOCS, "reference", "sdk-api.md"), "utf8");
    // TypeScript would print the zod schema's output type behind this name: 8 KB on one line.
    expect(api).toContain(
      "function normalizeDefinition(manifest: KeptnTaskDefinitionManifest, options?: NormalizeOptions): TaskDefinition\n",
    );
    // A default value makes the parameter optional; an inferred parameter type is printed.
    expect(api).toContain(
      "function parseManifests(text: string, file?: string, options?: LoadManifestsOptions): ManifestSet\n",
    );
    const long = api.split("\n").filter((line) => /^function /.test(line) && line.length > 300);
    expect(long).toEqual([]);
  });

  it("shows the help of every command on the generated command-line page", () => {
    const cli = readFileSync(join(DOCS, "reference", "cli.md"), "utf8");
    for (const command of ["validate", "render", "run", "bundle"]) {
      expect(cli).toContain(`Usage: keptn-task ${command} `);
    }
  });

  it("saves a screenshot of the home page", async () => {
    mkdirSync(join(ROOT, "artifacts", "docs"), { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.origin}/index.html`, { waitUntil: "load" });
    await page.locator(".VPHero .name").waitFor();
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
    expect(readFileSync(SCREENSHOT).subarray(1, 4).toString()).toBe("PNG");
  });
});
