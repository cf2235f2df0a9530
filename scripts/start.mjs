#!/usr/bin/env node
// `npm start`: runs every tutorial in notebooks/ through `glassbox run` and writes
//   out/<name>.ipynb   each executed notebook
//   out/report.html    one offline report with all of them (plots included)
// Installs dependencies (npm ci) when node_modules is missing and rebuilds dist/ when a source is
// newer than the bundles. GLASSBOX_QUICK=1 runs the same notebooks on less data (for CI).
//
//   npm start                         full run
//   GLASSBOX_QUICK=1 npm start        quick run
//   npm start -- --out DIR            write somewhere else than out/
//   npm start -- --timeout 900        per-cell time limit in seconds (other options go to glassbox run)
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "..", "..");
const say = (text) => process.stdout.write(`${text}\n`);

function run(cmd, args, what) {
  say(`$ ${[cmd, ...args].join(" ")}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: process.env });
  if (r.error) throw new Error(`${what} could not start: ${r.error.message}`);
  return r.status ?? 1;
}

/** Newest modification time of the files under `dir` whose names pass `test`. */
function newest(dir, test, skip = new Set(["node_modules", "dist", "out", ".git", "build", ".cache"])) {
  let latest = 0;
  if (!existsSync(dir)) return latest;
  const stat = statSync(dir);
  if (!stat.isDirectory()) return test(dir) ? stat.mtimeMs : 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path, test, skip));
    else if (test(path)) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

function parseArgs(argv) {
  let out = join(root, "out");
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out") out = resolve(argv[++i] ?? "out");
    else if (argv[i].startsWith("--out=")) out = resolve(argv[i].slice(6));
    else rest.push(argv[i]);
  }
  return { out, rest };
}

function main() {
  const { out, rest } = parseArgs(process.argv.slice(2));
  const quick = process.env.GLASSBOX_QUICK === "1";

  if (!existsSync(join(root, "node_modules"))) {
    say("Installing dependencies (first run)…");
    if (run("npm", ["ci", "--no-audit", "--no-fund"], "npm ci") !== 0) {
      process.stderr.write("npm ci failed; see above. Check your network connection and Node version (20 or newer), then run npm start again.\n");
      return 1;
    }
  }

  // Rebuild when any source the bundles come from is newer than the oldest bundle we need.
  const bundles = ["dist/cli.js", "dist/report.page.js"].map((p) => join(root, p));
  const built = bundles.every((p) => existsSync(p)) ? Math.min(...bundles.map((p) => statSync(p).mtimeMs)) : 0;
  const sources = Math.max(
    newest(join(root, "kernel"), (p) => /\.(ts|json)$/.test(p)),
    newest(join(root, "extension"), (p) => /\.(ts|css|json)$/.test(p)),
    newest(join(root, "esbuild.mjs"), () => true),
    newest(join(root, "package.json"), () => true),
  );
  if (sources > built) {
    say("Building Glassbox…");
    if (run(process.execPath, ["esbuild.mjs"], "the build") !== 0) {
      process.stderr.write("The build failed; see the errors above.\n");
      return 1;
    }
  }

  const notebooks = readdirSync(join(root, "notebooks"))
    .filter((f) => /^\d\d-.*\.ipynb$/.test(f))
    .sort()
    .map((f) => join("notebooks", f));
  if (notebooks.length === 0) {
    process.stderr.write("No tutorials found in notebooks/.\n");
    return 1;
  }
  say(`Running ${notebooks.length} tutorials${quick ? " in quick mode (GLASSBOX_QUICK=1)" : " (set GLASSBOX_QUICK=1 for a quick run)"}…`);
  const report = join(out, "report.html");
  const started = Date.now();
  const status = run(process.execPath, [join(root, "bin", "glassbox.js"), "run", ...notebooks, "-o", `${out}/`, "--html", report, ...rest], "glassbox run");
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  say("");
  if (existsSync(report)) {
    say(`Executed notebooks: ${relative(process.cwd(), out) || "."}/`);
    say(`Report (${minutes} min): ${report}`);
    say(`Open it in a browser: ${pathToFileURL(report).href}`);
  }
  if (status !== 0) process.stderr.write(`Some tutorials failed (exit ${status}); the messages above name the cells.\n`);
  return status;
}

try {
  process.exitCode = main();
} catch (e) {
  process.stderr.write(`npm start: ${e.message}\n`);
  process.exitCode = 1;
}
