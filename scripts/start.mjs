#!/usr/bin/env node
// `npm start`: runs every tutorial in notebooks/ through `glassbox run` and writes
//   out/<name>.ipynb   each executed notebook
//   out/report.html    one offline report with all of them (plots included)
//   out/student/       the student versions of the tutorials (glassbox course release: no solutions,
//                      no hidden tests), to hand out in a course
// Sets up what is missing first (scripts/setup.mjs, shared with npm test). GLASSBOX_QUICK=1 runs the
// same notebooks on less data (for CI).
//
//   npm start                         full run
//   GLASSBOX_QUICK=1 npm start        quick run
//   npm start -- --out DIR            write somewhere else than out/
//   npm start -- --timeout 900        per-cell time limit in seconds (other options go to glassbox run)
//   npm start -- --lang zh-CN         the Simplified Chinese tutorials (notebooks/zh-CN/), with the
//                                     kernel's messages and the report in Chinese
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureSetup } from "./setup.mjs";

const root = resolve(fileURLToPath(import.meta.url), "..", "..");
const say = (text) => process.stdout.write(`${text}\n`);

function run(cmd, args, what, env = {}) {
  say(`$ ${[cmd, ...args].join(" ")}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (r.error) throw new Error(`${what} could not start: ${r.error.message}`);
  return r.status ?? 1;
}

/** Languages the tutorials are written in; English lives in notebooks/, the others in notebooks/<lang>/. */
const LANGUAGES = { en: "", "zh-CN": "zh-CN" };

function parseArgs(argv) {
  let out = join(root, "out");
  let lang;
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out") out = resolve(argv[++i] ?? "out");
    else if (argv[i].startsWith("--out=")) out = resolve(argv[i].slice(6));
    else if (argv[i] === "--lang") lang = argv[++i] ?? "";
    else if (argv[i].startsWith("--lang=")) lang = argv[i].slice(7);
    else rest.push(argv[i]);
  }
  if (lang === undefined) return { out, lang: "en", explicit: false, rest };
  const known = Object.keys(LANGUAGES).find((l) => l.toLowerCase() === lang.toLowerCase());
  if (known === undefined) throw new Error(`--lang takes one of ${Object.keys(LANGUAGES).join(", ")} (got "${lang}").`);
  return { out, lang: known, explicit: true, rest };
}

function main() {
  const { out, lang, explicit, rest } = parseArgs(process.argv.slice(2));
  const quick = process.env.GLASSBOX_QUICK === "1";

  // The same setup as npm test: npm packages, Debian packages as root (libtorch for the fast native
  // backend), the native addon and the bundles, each only when missing or stale.
  try {
    ensureSetup("start");
  } catch (e) {
    process.stderr.write(`Setting up Glassbox failed: ${e instanceof Error ? e.message : e}\nSee the messages above, fix the cause (network, Node 20 or newer), and run npm start again.\n`);
    return 1;
  }

  const folder = join("notebooks", LANGUAGES[lang]);
  const notebooks = readdirSync(join(root, folder))
    .filter((f) => /^\d\d-.*\.ipynb$/.test(f))
    .sort()
    .map((f) => join(folder, f));
  if (notebooks.length === 0) {
    process.stderr.write(`No tutorials found in ${folder}/.\n`);
    return 1;
  }
  say(`Running ${notebooks.length} tutorials${quick ? " in quick mode (GLASSBOX_QUICK=1)" : " (set GLASSBOX_QUICK=1 for a quick run)"}…`);
  const report = join(out, "report.html");
  const started = Date.now();
  const status = run(process.execPath, [join(root, "bin", "glassbox.js"), "run", ...notebooks, "-o", `${out}/`, "--html", report, ...(explicit ? ["--lang", lang] : []), ...rest], "glassbox run");
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  const students = join(out, "student");
  const released = run(process.execPath, [join(root, "bin", "glassbox.js"), "course", "release", folder, "-o", `${students}/`], "glassbox course release");
  say("");
  if (existsSync(report)) {
    say(`Executed notebooks: ${relative(process.cwd(), out) || "."}/`);
    say(`Report (${minutes} min): ${report}`);
    say(`Open it in a browser: ${pathToFileURL(report).href}`);
  }
  if (released === 0) say(`Student versions (no solutions, no hidden tests): ${relative(process.cwd(), students) || students}/`);
  else process.stderr.write(`Writing the student versions failed (exit ${released}); the message above says why.\n`);
  if (status !== 0) process.stderr.write(`Some tutorials failed (exit ${status}); the messages above name the cells.\n`);
  return status || released;
}

try {
  process.exitCode = main();
} catch (e) {
  process.stderr.write(`npm start: ${e.message}\n`);
  process.exitCode = 1;
}
