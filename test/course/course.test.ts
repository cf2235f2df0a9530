// `glassbox course release` and `glassbox course grade` through the real CLI: the student version
// hides solutions and hidden tests; grading five submissions (right, wrong on a hidden test, an
// infinite loop, a kernel crash, a tampered test cell) gives the exact CSV, and the feedback pages
// show points, messages and hints in Chromium.
import assert from "node:assert/strict";
import { readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, test } from "node:test";
import { launchChromium } from "../helpers/chromium";
import { build, glassbox, tempDir, validateNbformat } from "../run/helpers";
import { HIDDEN_TEXT, notebook, SOLUTION_TEXT, SOURCE, writeJson } from "./fixture";

interface Cell {
  cell_type: string;
  source: string | string[];
  metadata: Record<string, unknown> & { nbgrader?: Record<string, unknown> };
  outputs?: { output_type: string; ename?: string; evalue?: string; traceback?: string[] }[];
  execution_count?: number | null;
}
const text = (c: Cell) => (Array.isArray(c.source) ? c.source.join("") : c.source);
const dir = tempDir("glassbox-course-");
const source = writeJson(join(dir, "source", "means.ipynb"), notebook(SOURCE), true);
const student = join(dir, "release", "means.ipynb");

before(() => build());
after(() => rmSync(dir, { recursive: true, force: true }));

function cellsOf(path: string): Cell[] {
  return (JSON.parse(readFileSync(path, "utf8")) as { cells: Cell[] }).cells;
}

/** A student's notebook: the released one with `answers` (grade_id → cell text) filled in. */
function submit(name: string, answers: Record<string, string>): string {
  const nb = JSON.parse(readFileSync(student, "utf8")) as { cells: Cell[] };
  for (const cell of nb.cells) {
    const id = cell.metadata.nbgrader?.grade_id as string | undefined;
    if (id && answers[id] !== undefined) cell.source = answers[id];
  }
  mkdirSync(join(dir, "submitted"), { recursive: true });
  const path = join(dir, "submitted", `${name}.ipynb`);
  writeFileSync(path, JSON.stringify(nb));
  return path;
}

const MEAN = `function mean(xs: number[]): number {\n  return ${SOLUTION_TEXT};\n}`;
const SQUARE = "function square(x: number): number {\n  return x * x;\n}";
const SUM = "function sumTo(n: number): number {\n  return (n * (n + 1)) / 2;\n}";

test("release writes a student version without solutions or hidden tests, with stubs and checksums", async () => {
  const r = await glassbox(["course", "release", source, "-o", student]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /3 solutions stubbed, 1 hidden test region removed, 3 test cells/);
  validateNbformat(student);
  const raw = readFileSync(student, "utf8");
  assert.ok(!raw.includes(SOLUTION_TEXT) && !raw.includes("x * x") && !raw.includes("s += i"), "no solution text is left");
  assert.ok(!raw.includes("BEGIN SOLUTION") && !raw.includes("END SOLUTION"), "no solution markers are left");
  assert.ok(!raw.includes(HIDDEN_TEXT) && !raw.includes("HIDDEN TESTS"), "hidden tests are gone");
  const cells = cellsOf(student);
  assert.equal(cells.length, SOURCE.length, "every cell is kept");
  for (const cell of cells.filter((c) => c.cell_type === "code")) {
    assert.deepEqual(cell.outputs, [], "outputs are cleared");
    assert.equal(cell.execution_count, null);
  }
  const byId = new Map(cells.map((c) => [c.metadata.nbgrader?.grade_id as string, c]));
  const answer = text(byId.get("mean-answer")!);
  assert.match(answer, /^function mean\(xs: number\[\]\): number \{\n {2}\/\/ YOUR CODE HERE\n {2}throw new Error\(.*mean-answer.*replace this line with your answer/s, "a stub that says what to do, indented like the solution");
  assert.equal(text(byId.get("test-mean")!), 'expect(mean(data)).toBeCloseTo(2.5, { hint: "add the numbers, then divide by how many there are" });', "the visible test stays");
  assert.match(text(byId.get("test-sum")!), /check\(sumTo\(4\) === 10/);
  for (const cell of byId.values()) {
    const meta = cell.metadata.nbgrader;
    if (!meta) continue;
    assert.equal(meta.schema_version, 3);
    assert.match(String(meta.checksum), /^[0-9a-f]{32}$/, "each nbgrader cell has an md5 checksum");
  }
  assert.equal(byId.get("test-mean")!.metadata.editable, false, "test cells are read-only");
  assert.equal(byId.get("mean-answer")!.metadata.editable, undefined, "answer cells stay editable");

  // A folder releases at once.
  const folder = await glassbox(["course", "release", join(dir, "source"), "-o", join(dir, "release-all")]);
  assert.equal(folder.code, 0, folder.stderr);
  assert.deepEqual(readdirSync(join(dir, "release-all")), ["means.ipynb"]);
  assert.equal(readFileSync(join(dir, "release-all", "means.ipynb"), "utf8"), raw);
});

test("release refuses a broken source with a message naming the cell", async () => {
  const broken = writeJson(join(dir, "broken.ipynb"), notebook([{ code: "let x = 1;\n// BEGIN SOLUTION\nx = 2;", nbgrader: { grade_id: "a", solution: true } }]));
  const r = await glassbox(["course", "release", broken, "-o", join(dir, "broken-out.ipynb")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /broken\.ipynb, cell 1 .*BEGIN SOLUTION on line 2 is never closed/);
  const noPoints = writeJson(join(dir, "nopoints.ipynb"), notebook([{ code: "check(true, 'x');", nbgrader: { grade_id: "t", grade: true, locked: true } }]));
  const r2 = await glassbox(["course", "release", noPoints, "-o", join(dir, "np-out.ipynb")]);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /the graded cell "t" needs "points"/);
});

test("grade scores right, hidden-test-wrong, looping, crashing and tampering submissions exactly", async () => {
  const subs = [
    submit("right", { "mean-answer": MEAN, "square-answer": SQUARE, "sum-answer": SUM }),
    // Passes the visible test (the mean of [1, 2, 3, 4]) but not the hidden one (a list of one).
    submit("wrong-hidden", { "mean-answer": `function mean(xs: number[]): number {\n  return xs.length === 1 ? 0 : ${SOLUTION_TEXT};\n}`, "square-answer": SQUARE, "sum-answer": SUM }),
    submit("loop", { "mean-answer": MEAN, "square-answer": SQUARE, "sum-answer": "function sumTo(n: number): number {\n  let s = 0;\n  while (true) s += n;\n}" }),
    // Kills its own kernel when the test calls it; the next cells run in a fresh kernel.
    submit("crash", { "mean-answer": MEAN, "square-answer": 'function square(x: number): number {\n  process.kill(process.pid, "SIGKILL");\n  return x * x;\n}', "sum-answer": SUM }),
    // A wrong answer, and the test cell rewritten to pass: graded with the source's test.
    submit("tamper", { "mean-answer": MEAN, "square-answer": "function square(x: number): number {\n  return 2 * x;\n}", "test-square": 'check(true, "3² = 9");', "sum-answer": SUM }),
  ];
  const csv = join(dir, "grades.csv");
  const feedback = join(dir, "feedback");
  const r = await glassbox(["course", "grade", source, ...subs, "--csv", csv, "--feedback", feedback, "--timeout", "8", "--jobs", "2"], { timeoutMs: 300_000 });
  process.stdout.write(`course grade (5 submissions, 2 jobs) took ${(r.ms / 1000).toFixed(1)} s\n${r.stdout}`);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.equal(
    readFileSync(csv, "utf8"),
    [
      "submission,total,max_total,test-mean,test-square,test-sum",
      "right,6,6,2,1,3",
      "wrong-hidden,4,6,0,1,3",
      "loop,3,6,2,1,0",
      "crash,5,6,2,0,3",
      "tamper,5,6,2,0,3",
      "",
    ].join("\n"),
  );
  assert.match(r.stdout, /loop: 3\/6 \(test-sum timed out\)/);
  assert.match(r.stdout, /crash: 5\/6 \(test-square kernel died\)/);
  assert.deepEqual(readdirSync(feedback).sort(), subs.map((s) => `${s.split("/").pop()!.replace(".ipynb", "")}.html`).sort());

  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const network: string[] = [];
    page.on("request", (req) => {
      if (!/^(file|data|about):/.test(req.url())) network.push(req.url());
    });
    const read = async (name: string) => {
      await page.goto(pathToFileURL(join(feedback, `${name}.html`)).href);
      return page.evaluate(() => ({
        total: document.getElementById("total")!.textContent,
        max: document.getElementById("max-total")!.textContent,
        rows: Array.from(document.querySelectorAll("tbody tr")).map((tr) => ({
          id: tr.getAttribute("data-grade-id"),
          cells: Array.from(tr.querySelectorAll("td")).map((td) => (td as HTMLElement).innerText.trim()),
          hint: tr.querySelector(".hint")?.textContent ?? null,
          visible: (tr as HTMLElement).offsetHeight > 0,
        })),
        scripts: document.scripts.length,
      }));
    };
    const wrong = await read("wrong-hidden");
    assert.equal(wrong.total, "4");
    assert.equal(wrong.max, "6");
    assert.deepEqual(wrong.rows.map((r) => [r.id, r.cells[1], r.cells[2]]), [
      ["test-mean", "0 / 2", "✗ failed"],
      ["test-square", "1 / 1", "✓ passed"],
      ["test-sum", "3 / 3", "✓ passed"],
    ]);
    assert.match(wrong.rows[0].cells[3], new RegExp(`CheckFailed: Check failed: ${HIDDEN_TEXT}`));
    assert.equal(wrong.rows[0].hint, "Hint: try a list of one number");
    assert.ok(wrong.rows.every((r) => r.visible));
    assert.equal(wrong.scripts, 0, "the page runs no script");

    const tamper = await read("tamper");
    assert.equal(tamper.rows[1].hint, "Hint: multiply x by <itself> & check", "the hint is shown as text, escaped");
    assert.match(tamper.rows[1].cells[3], /changed in your notebook; it was graded as the assignment has it/);
    const loop = await read("loop");
    assert.match(loop.rows[2].cells[3], /CellTimeoutError: This cell did not finish within 8 s/);
    const crash = await read("crash");
    assert.equal(crash.rows[1].cells[2], "✗ kernel died");
    assert.deepEqual(network, [], "the pages load nothing from the network");
  } finally {
    await browser.close();
  }
});

test("in the student's notebook, a stub says what to do and a failing test shows its message and hint", async () => {
  const path = submit("trying", { "square-answer": "function square(x: number): number {\n  return 2 * x;\n}" });
  const out = join(dir, "trying-out.ipynb");
  const r = await glassbox(["run", path, "--allow-errors", "-o", out]);
  assert.equal(r.code, 0, r.stderr);
  const ran = cellsOf(out);
  const errorOf = (id: string) => ran.find((c) => c.metadata.nbgrader?.grade_id === id)!.outputs!.find((o) => o.output_type === "error")!;
  const stub = errorOf("test-mean");
  assert.equal(stub.ename, "Error");
  assert.match(stub.evalue!, /Exercise "mean-answer" is not done yet: replace this line with your answer/);
  const failing = errorOf("test-square");
  assert.equal(failing.ename, "CheckFailed");
  assert.equal(failing.evalue, "Check failed: 3² = 9\nHint: multiply x by <itself> & check");
  const shown = failing.traceback!.join("\n").replace(/\u001b\[[0-9;]*m/g, "");
  assert.match(shown, /CheckFailed: Check failed: 3² = 9\nHint: multiply x by <itself> & check/);
  assert.match(shown, /line 1:1/, "the traceback points at the failing check");
});

test("grade explains bad usage and exits 2", async () => {
  const r = await glassbox(["course", "grade", source, "--csv", join(dir, "x.csv")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Name at least one submission/);
  const jobs = await glassbox(["course", "grade", source, source, "--csv", join(dir, "x.csv"), "--jobs", "0"]);
  assert.equal(jobs.code, 2);
  assert.match(jobs.stderr, /--jobs takes a whole number/);
});
