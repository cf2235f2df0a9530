// `glassbox run` end to end through the real CLI and kernel: outputs in nbformat form, the error
// paths (a failing cell, --allow-errors, a timeout, corrupt and non-notebook inputs) and the report.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { build, glassbox, joined, tempDir, validateNbformat, writeNotebook, type NbCell } from "./helpers";

const dir = tempDir();
const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const cellsOf = (path: string) => (JSON.parse(readFileSync(path, "utf8")) as { cells: NbCell[] }).cells;

before(() => build());
after(() => rmSync(dir, { recursive: true, force: true }));

test("a notebook runs into a valid nbformat 4.5 notebook with Jupyter's output semantics", async () => {
  const input = writeNotebook(join(dir, "ok.ipynb"), [
    { markdown: "# Title\n\nSome *prose*." },
    'console.log("one"); console.log("two"); console.error("warn")',
    "1 + 2",
    'const h = display("first", { id: "d1" }); display("other"); h.update("second")',
    'console.log("gone"); clearOutput({ wait: true }); console.log("kept")',
    'clearOutput({ wait: true })',
    'await new Promise((r) => setTimeout(r, 50)); "awaited"',
  ]);
  const before = sha(input);
  const r = await glassbox(["run", input]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(sha(input), before, "the input is never modified");
  const out = join(dir, "ok.out.ipynb");
  validateNbformat(out);
  const cells = cellsOf(out);
  assert.equal(cells.length, 7);
  assert.deepEqual(cells.map((c) => c.id), cells.map((_, i) => `cell-${i + 1}`), "cell ids are kept");

  const streams = cells[1].outputs!;
  assert.deepEqual(
    streams.map((o) => [o.name, joined(o.text)]),
    [["stdout", "one\ntwo\n"], ["stderr", "warn\n"]],
    "consecutive stream text of one name is merged",
  );
  const result = cells[2].outputs!;
  assert.equal(result.length, 1);
  assert.equal(result[0].output_type, "execute_result");
  assert.equal(result[0].execution_count, cells[2].execution_count);
  assert.ok(joined(result[0].data!["text/plain"] as string).includes("3"));

  const shown = cells[3].outputs!.map((o) => joined(o.data!["text/plain"] as string));
  assert.equal(shown.length, 2, "an update does not add an output");
  assert.match(shown[0], /second/, "update_display_data replaced the output shown under that id");
  assert.match(shown[1], /other/);

  assert.deepEqual(cells[4].outputs!.map((o) => joined(o.text)), ["kept\n"], "clear_output(wait) cleared when the next output came");
  assert.deepEqual(cells[5].outputs, [], "a waiting clear with no later output leaves the cell empty of new output");
  assert.match(joined(cells[6].outputs![0].data!["text/plain"] as string), /awaited/);
  const counts = cells.filter((c) => c.cell_type === "code").map((c) => c.execution_count);
  assert.ok(counts.every((n, i) => typeof n === "number" && (i === 0 || n > counts[i - 1]!)), `execution counts increase: ${counts}`);
  assert.match(r.stdout, /cell 2: console\.log\("one"\)/, "progress names each cell");
});

test("a failing cell stops the run, exits 1 and names the cell, its first line and the error", async () => {
  const input = writeNotebook(join(dir, "fail.ipynb"), [
    { markdown: "intro" },
    "const a = 1",
    'const b = 2\nthrow new RangeError("the sky fell")',
    'console.log("never")',
  ]);
  const r = await glassbox(["run", input, "-o", join(dir, "fail-out.ipynb")]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cell 3 \(`const b = 2`\) failed/);
  assert.match(r.stderr, /RangeError: the sky fell/);
  assert.match(r.stderr, /--allow-errors/, "the message says how to run past errors");
  const out = join(dir, "fail-out.ipynb");
  validateNbformat(out);
  const cells = cellsOf(out);
  assert.equal(cells[2].outputs!.at(-1)!.output_type, "error");
  assert.equal(cells[2].outputs!.at(-1)!.ename, "RangeError");
  assert.equal(cells[3].execution_count, null, "cells after the failure did not run");
  assert.deepEqual(cells[3].outputs, []);
});

test("--allow-errors runs every cell and exits 0", async () => {
  const input = join(dir, "fail.ipynb");
  const r = await glassbox(["run", input, "-o", join(dir, "fail-allowed.ipynb"), "--allow-errors"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /cell 3 .*failed/, "the error is still reported");
  const cells = cellsOf(join(dir, "fail-allowed.ipynb"));
  assert.equal(joined(cells[3].outputs![0].text), "never\n", "the cell after the failure ran");
});

test("--timeout interrupts a cell that runs too long and fails it with a clear message", async () => {
  const input = writeNotebook(join(dir, "slow.ipynb"), [
    "const kept = 41",
    "while (true) {}",
    "kept + 1",
  ]);
  const r = await glassbox(["run", input, "--timeout", "2", "--allow-errors", "-o", join(dir, "slow-out.ipynb")]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.ms < 30_000, `the run ended soon after the limit (${r.ms} ms)`);
  assert.match(r.stderr, /cell 2 \(`while \(true\) \{\}`\) timed out/);
  assert.match(r.stderr, /did not finish within 2 s/);
  const cells = cellsOf(join(dir, "slow-out.ipynb"));
  assert.ok(cells[1].outputs!.some((o) => o.ename === "CellTimeoutError"));
  assert.match(joined(cells[2].outputs![0].data!["text/plain"] as string), /42/, "the kernel went on after the interrupt");

  const strict = await glassbox(["run", input, "--timeout", "1", "-o", join(dir, "slow-strict.ipynb")]);
  assert.equal(strict.code, 1, "without --allow-errors a timeout fails the run");
});

test("a cell stuck in native code past its timeout gets a fresh kernel, and the run goes on", async () => {
  const input = writeNotebook(join(dir, "stuck.ipynb"), [
    "const before = 1",
    'require("node:child_process").execSync("sleep 15")',
    "40 + 2",
  ]);
  const r = await glassbox(["run", input, "--timeout", "2", "--allow-errors", "-o", join(dir, "stuck-out.ipynb")]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.ms < 14_000 + 10_000, `the run did not wait for the stuck cell (${r.ms} ms)`);
  assert.match(r.stderr, /cell 2 .* timed out/);
  assert.match(r.stderr, /the kernel was restarted/);
  const cells = cellsOf(join(dir, "stuck-out.ipynb"));
  const result = cells[2].outputs!.find((o) => o.output_type === "execute_result");
  assert.match(joined(result?.data?.["text/plain"] as string), /42/, `the next cell ran: ${JSON.stringify(cells[2].outputs)}`);
  assert.equal(cells[2].execution_count, 1, "in a new kernel (its count starts again)");
});

test("a kernel killed mid-cell fails the run within seconds, naming the cell, with the outputs so far written", async () => {
  const pidFile = join(dir, "kernel.pid");
  rmSync(pidFile, { force: true });
  const input = writeNotebook(join(dir, "killed.ipynb"), [
    'console.log("before the crash")',
    `require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); await new Promise((r) => setTimeout(r, 120_000))`,
    '"never runs"',
  ]);
  const running = glassbox(["run", input]); // no --timeout, as npm start runs it
  const deadline = Date.now() + 90_000;
  while (!existsSync(pidFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok(existsSync(pidFile), "the second cell started");
  process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL");
  const killedAt = Date.now();
  const r = await running;
  const after = Date.now() - killedAt;
  assert.ok(after < 10_000, `the runner exited ${after} ms after its kernel died`);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /cell 2 \(`require\("node:fs"\)[^\n]*\) failed:/, r.stderr);
  assert.match(r.stderr, /KernelDied/);
  assert.match(r.stderr, /SIGKILL/);
  const cells = cellsOf(join(dir, "killed.out.ipynb"));
  assert.equal(joined(cells[0].outputs![0].text), "before the crash\n", "what ran before is written");
  assert.equal(cells[1].outputs![0].ename, "KernelDied");
  assert.deepEqual(cells[2].outputs, [], "nothing ran after the kernel died");
});

test("a corrupt notebook gets a clear error, exit 2, and the input is untouched", async () => {
  const good = readFileSync(join(dir, "ok.ipynb"), "utf8");
  const input = join(dir, "corrupt.ipynb");
  writeFileSync(input, good.slice(0, Math.floor(good.length / 2)));
  const before = sha(input);
  const r = await glassbox(["run", input]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /corrupt\.ipynb is not a valid notebook: its JSON is broken/);
  assert.equal(sha(input), before);
  assert.ok(!existsSync(join(dir, "corrupt.out.ipynb")), "nothing is written for a broken input");

  const wrongShape = join(dir, "settings.ipynb");
  writeFileSync(wrongShape, JSON.stringify({ editor: { fontSize: 12 } }));
  const r2 = await glassbox(["run", wrongShape]);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /is JSON but not a Jupyter notebook/);
});

test("a file that is not a notebook at all gets a clear error and stays as it was", async () => {
  const script = join(dir, "script.py");
  writeFileSync(script, "print('hello')\n");
  const png = join(dir, "picture.ipynb");
  writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
  for (const file of [script, png]) {
    const before = sha(file);
    const r = await glassbox(["run", file]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /is not a Jupyter notebook/);
    assert.equal(sha(file), before);
  }
  const missing = await glassbox(["run", join(dir, "nope.ipynb")]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.ipynb does not exist/);
});

test("the output may not overwrite the input", async () => {
  const input = join(dir, "ok.ipynb");
  const before = sha(input);
  const r = await glassbox(["run", input, "-o", input]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /would overwrite the input/);
  assert.equal(sha(input), before);
  const usage = await glassbox(["run", input, "--timeout", "soon"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--timeout takes a number of seconds/);
});

test("--html writes one self-contained offline report", async () => {
  const input = writeNotebook(join(dir, "report.ipynb"), [
    { markdown: "# Report test\n\nA [link](javascript:alert(1)) and <script>alert(1)</script>." },
    'console.log("<b>not bold</b>")',
    'display.html("<em id=\\"rich-html\\">html output</em>")',
    "throw new Error('shown in the report')",
  ]);
  const html = join(dir, "report.html");
  const r = await glassbox(["run", input, "--html", html, "--allow-errors"]);
  assert.equal(r.code, 0, r.stderr);
  const page = readFileSync(html, "utf8");
  assert.match(page, /<h1 id="report-test">Report test<\/h1>/);
  assert.ok(!page.includes("<script>alert(1)</script>"), "raw HTML in Markdown is escaped");
  assert.ok(!page.includes('href="javascript:'), "unsafe link schemes are dropped");
  assert.ok(page.includes("&lt;b&gt;not bold&lt;/b&gt;"), "stream text is escaped");
  // text/html is shown as HTML, in its own document: a sandboxed frame's srcdoc (issue 13).
  const frames = [...page.matchAll(/<iframe class="gb-frame gb-frame-html" sandbox="" srcdoc="([^"]*)"/g)].map((m) => m[1].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&"));
  assert.ok(frames.some((doc) => doc.includes('<body><em id="rich-html">html output</em></body>')), "text/html output is shown as HTML");
  assert.ok(!page.includes('<em id="rich-html">'), "the cell's HTML is not part of the page's own markup");
  assert.match(page, /Error: shown in the report/);
  assert.ok(!/<(script|link|img)[^>]+(src|href)="https?:/i.test(page), "nothing is loaded from the network");
  assert.ok(page.includes("gb-rich-outputs"), "the renderer data and script are inline");
});
