// `npm test`: sets up what is missing, then runs every suite and prints one closing line.
// Suites are found by convention: test/**/*.test.ts (node's test runner) and test/**/test_*.py (pytest).
// Folders named fixtures hold test data; folders named vscode hold suites that run inside VS Code's
// extension host (`npm run test:vscode`, for machines that can download VS Code).
// Arguments filter suites by path: `npm test -- protocol renderers`.
// test/unit/ (fast, in-process: no kernel, no browser) runs first, on its own, so a broken rule
// shows within seconds.
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { ensureSetup } from "./setup.mjs";

const root = new URL("..", import.meta.url).pathname;
const filters = process.argv.slice(2);

function find(dir, test, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !["fixtures", "node_modules", "vscode"].includes(entry.name)) find(path, test, out);
    else if (entry.isFile() && test(entry.name)) out.push(relative(root, path));
  }
  return out.sort();
}

const wanted = (path) => !filters.length || filters.some((f) => path.includes(f));
// The fast in-process unit tests (test/unit, seconds) first, so a broken basic fails early.
const unitFirst = (path) => (path.startsWith(join("test", "unit")) ? 0 : 1);
const nodeTests = find(join(root, "test"), (n) => n.endsWith(".test.ts")).filter(wanted).sort((a, b) => unitFirst(a) - unitFirst(b));
const pythonTests = find(join(root, "test"), (n) => /^test_.*\.py$/.test(n)).filter(wanted);

function run(command, args, env = {}) {
  return new Promise((resolve) => {
    let output = "";
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of [child.stdout, child.stderr]) {
      stream.on("data", (chunk) => {
        output += chunk;
        process.stdout.write(chunk);
      });
    }
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

const count = (text, re) => [...text.matchAll(re)].reduce((sum, m) => sum + Number(m[1]), 0);
const totals = { passed: 0, failed: 0, skipped: 0 };
let failedSuites = 0;
const problems = [];

ensureSetup("test");

async function runNode(files) {
  if (!files.length) return;
  const { code, output } = await run(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", "--test-concurrency=1", ...files]);
  const passed = count(output, /^ℹ pass (\d+)/gm);
  totals.passed += passed;
  totals.failed += count(output, /^ℹ fail (\d+)/gm) + count(output, /^ℹ cancelled (\d+)/gm);
  totals.skipped += count(output, /^ℹ skipped (\d+)/gm) + count(output, /^ℹ todo (\d+)/gm);
  if (!/^ℹ tests \d+/m.test(output)) {
    // The runner died before its summary: whatever it did not report cannot count as passed.
    totals.failed++;
    problems.push(`the node test runner ended (exit ${code}) before printing its summary`);
  } else if (passed === 0) problems.push("the node test runner collected no passing tests");
  if (code !== 0 || passed === 0) failedSuites++;
}

const isUnit = (path) => path.startsWith(join("test", "unit") + "/");
const unitStarted = Date.now();
await runNode(nodeTests.filter(isUnit));
if (nodeTests.some(isUnit)) console.log(`unit tests: ${((Date.now() - unitStarted) / 1000).toFixed(1)} s`);
await runNode(nodeTests.filter((p) => !isUnit(p)));
if (pythonTests.length) {
  const { code, output } = await run("/usr/bin/python3", ["-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", ...pythonTests], { PYTHONUNBUFFERED: "1" });
  const summary = output.split("\n").reverse().find((l) => /\d+ (passed|failed|error)/.test(l)) ?? "";
  totals.passed += count(summary, /(\d+) passed/g);
  totals.failed += count(summary, /(\d+) failed/g) + count(summary, /(\d+) errors?/g);
  totals.skipped += count(summary, /(\d+) skipped/g);
  if (!summary) {
    totals.failed++;
    problems.push(code === 5 ? "pytest collected no tests" : `pytest ended (exit ${code}) before printing its summary`);
  }
  // Exit 5 is pytest's "no tests collected": never a pass.
  if (code !== 0) failedSuites++;
}

for (const problem of problems) console.log(`\nnpm test: ${problem}; counted as a failure.`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedSuites || totals.failed ? 1 : 0);
