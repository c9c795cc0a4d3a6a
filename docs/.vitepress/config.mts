// The documentation site: `npm run docs:build` (scripts/docs/generate-reference.mjs writes the
// reference pages from the code first). VitePress fails the build on a dead link (its default,
// kept: no `ignoreDeadLinks`).
import { type DefaultTheme, defineConfig } from "vitepress";

const sidebar: DefaultTheme.SidebarItem[] = [
  {
    text: "Start",
    items: [
      { text: "Introduction", link: "/" },
      { text: "Getting started", link: "/guide/install" },
      { text: "From an empty folder (init)", link: "/getting-started" },
    ],
  },
  {
    text: "Write and test a task",
    items: [
      { text: "Overview", link: "/writing-tasks" },
      { text: "In TypeScript", link: "/guide/typescript" },
      { text: "In Python", link: "/guide/python" },
      { text: "Testing a task", link: "/testing-tasks" },
    ],
  },
  {
    text: "Run, check, deploy",
    items: [
      { text: "Running locally and in the images", link: "/guide/running" },
      { text: "keptn-task run in depth", link: "/running-locally" },
      { text: "Validating in CI", link: "/guide/validate-in-ci" },
      { text: "What validate checks", link: "/validate" },
      { text: "Tracing", link: "/guide/tracing" },
      { text: "Deploying with Keptn", link: "/deploying" },
      { text: "The images", link: "/images" },
    ],
  },
  {
    text: "Understand",
    items: [
      { text: "Security model", link: "/security" },
      { text: "Benchmarks", link: "/benchmarks" },
      { text: "Releasing", link: "/release" },
    ],
  },
  {
    text: "Reference",
    items: [
      { text: "SDK API", link: "/reference/sdk-api" },
      { text: "Command line", link: "/reference/cli" },
      { text: "Diagnostics", link: "/reference/diagnostics" },
      { text: "Exit codes", link: "/reference/exit-codes" },
      { text: "Resolving definitions", link: "/reference/definitions" },
      { text: "The bootstrap runner", link: "/reference/runner" },
    ],
  },
];

export default defineConfig({
  title: "keptn-task-runtime",
  description:
    "A safe runtime for Keptn deployment tasks: SDK, runner images and the keptn-task command",
  lang: "en",
  // A page without an icon makes the browser ask for /favicon.ico, a 404 on a static host.
  head: [["link", { rel: "icon", type: "image/svg+xml", href: "/favicon.svg" }]],
  cleanUrls: false,
  lastUpdated: false,
  // The local search index and the theme make one large chunk; nothing to split for a docs site.
  vite: { build: { chunkSizeWarningLimit: 2000 } },
  themeConfig: {
    logo: "/favicon.svg",
    nav: [
      { text: "Guide", link: "/guide/install" },
      { text: "Reference", link: "/reference/sdk-api" },
      { text: "Security", link: "/security" },
    ],
    sidebar: sidebar.filter((group) => (group.items?.length ?? 0) > 0),
    outline: { level: [2, 3] },
    search: { provider: "local" },
  },
});
