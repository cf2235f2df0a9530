// Bundles every part of Glassbox into dist/. Entries are found by convention so that a new part
// needs no edit here:
//   kernel/cli.ts                      -> dist/cli.js             (the `glassbox` CLI and the kernel)
//   kernel/**/*.worker.ts              -> dist/<name>.worker.js   (worker threads the kernel starts)
//   kernel/**/*.process.ts             -> dist/<name>.process.js  (child processes the kernel starts: self-contained
//                                                                 bundles, so that `node --build-snapshot` can run them)
//   extension/extension.ts             -> dist/extension.js       (the VS Code extension host side)
//   renderers/<name>/index.ts          -> dist/renderers/<name>.js (notebook renderers, browser ESM; the report page bundles them too)
//   **/<name>.page.ts                  -> dist/<name>.page.js     (scripts for standalone pages, browser IIFE)
import * as esbuild from "esbuild";
import { existsSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";

const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");

function files(dir, test, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files(path, test, out);
    else if (test(path)) out.push(path);
  }
  return out;
}

// Loaded at run time from node_modules: native addons, and packages whose identity matters
// (a cell's `import * as tf from "@tensorflow/tfjs"` must get the kernel's own instance).
const nodeExternal = ["zeromq", "@tensorflow/*", "typescript", "vscode", "mnist", "playwright-core", "*.node"];

const nodeEntries = {};
if (existsSync("kernel/cli.ts")) nodeEntries.cli = "kernel/cli.ts";
for (const worker of files("kernel", (p) => p.endsWith(".worker.ts"))) nodeEntries[basename(worker, ".ts")] = worker;
const processEntries = {};
for (const entry of files("kernel", (p) => p.endsWith(".process.ts"))) processEntries[basename(entry, ".ts")] = entry;
if (existsSync("extension/extension.ts")) nodeEntries.extension = "extension/extension.ts";

const rendererEntries = {};
if (existsSync("renderers")) {
  for (const entry of readdirSync("renderers", { withFileTypes: true })) {
    const index = join("renderers", entry.name, "index.ts");
    if (entry.isDirectory() && existsSync(index)) rendererEntries[entry.name] = index;
  }
}

const pageEntries = {};
for (const dir of ["kernel", "extension"]) {
  for (const page of files(dir, (p) => p.endsWith(".page.ts"))) pageEntries[basename(page, ".ts")] = page;
}

const common = { bundle: true, sourcemap: production ? false : "linked", minify: production, logLevel: "warning", legalComments: "none" };
const builds = [
  { ...common, entryPoints: nodeEntries, outdir: "dist", platform: "node", format: "cjs", target: "node20", external: nodeExternal },
  { ...common, entryPoints: processEntries, outdir: "dist", platform: "node", format: "cjs", target: "node20" },
  { ...common, entryPoints: rendererEntries, outdir: "dist/renderers", platform: "browser", format: "esm", target: "es2022", splitting: true, chunkNames: "chunks/[name]-[hash]" },
  { ...common, entryPoints: pageEntries, outdir: "dist", platform: "browser", format: "iife", target: "es2022" },
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
