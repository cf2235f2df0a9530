// Every tutorial, in quick mode, through `npm start` (scripts/start.mjs → glassbox run): they must
// run without errors, reach their stated results, and the one report must show the plots in Chromium.
// The Simplified Chinese tutorials (`npm start -- --lang zh-CN`) run the same code, so they must pass
// the same checks.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { launchChromium } from "../helpers/chromium";
import { renderReport } from "./browser";
import { build, cellText, ROOT, tempDir, validateNbformat, type NbCell } from "./helpers";

const LANGUAGES = [
  { lang: "en", folder: "notebooks", args: [] as string[] },
  { lang: "zh-CN", folder: join("notebooks", "zh-CN"), args: ["--lang", "zh-CN"] },
];

for (const { lang, folder, args } of LANGUAGES) describe(`tutorials (${lang})`, () => {
  const out = tempDir(`glassbox-tutorials-${lang}-`);
  const tutorials = readdirSync(join(ROOT, folder)).filter((f) => /^\d\d-.*\.ipynb$/.test(f)).sort();
  let run: { code: number | null; log: string; ms: number };
  let browser: Browser | undefined;

  function cells(name: string): NbCell[] {
    return (JSON.parse(readFileSync(join(out, name), "utf8")) as { cells: NbCell[] }).cells;
  }
  function allText(name: string): string {
    return cells(name).map(cellText).join("\n");
  }
  /** The accuracy line every classifier tutorial prints: "Test accuracy: 98.20% … (floor for this run: 97%)". */
  function accuracy(name: string): { accuracy: number; floor: number } {
    const m = /Test accuracy: ([\d.]+)% .*\(floor for this run: ([\d.]+)%\)/.exec(allText(name));
    assert.ok(m, `${name} prints its test accuracy and floor`);
    return { accuracy: Number(m[1]), floor: Number(m[2]) };
  }

  before(async () => {
    build();
    const started = Date.now();
    run = await new Promise((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, "scripts", "start.mjs"), "--out", out, "--timeout", "900", ...args], {
        cwd: ROOT,
        env: { ...process.env, GLASSBOX_QUICK: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let log = "";
      child.stdout.on("data", (d: Buffer) => (log += d.toString()));
      child.stderr.on("data", (d: Buffer) => (log += d.toString()));
      child.on("close", (code) => resolve({ code, log, ms: Date.now() - started }));
    });
    process.stdout.write(`npm start ${args.join(" ")} (quick) took ${(run.ms / 1000).toFixed(0)} s\n`);
  });
  after(async () => {
    await browser?.close();
    rmSync(out, { recursive: true, force: true });
  });

  test("npm start runs every tutorial in quick mode without errors", () => {
    assert.ok(tutorials.length >= 6, `the six tutorials are there (${tutorials.join(", ")})`);
    assert.equal(run.code, 0, run.log.slice(-6000));
    assert.match(run.log, /quick mode/);
    assert.match(run.log, /Report \(.*\): .*report\.html/, "it prints where the report is");
    for (const name of tutorials) {
      const path = join(out, name);
      assert.ok(existsSync(path), `${name} was written to the output folder`);
      validateNbformat(path);
      const code = cells(name).filter((c) => c.cell_type === "code");
      assert.ok(code.every((c) => typeof c.execution_count === "number"), `every code cell of ${name} ran`);
      const errors = code.flatMap((c) => (c.outputs ?? []).filter((o) => o.output_type === "error"));
      assert.deepEqual(errors, [], `${name} has no errors`);
      assert.match(allText(name), /Quick run|✓/, `${name} ran its checks`);
    }
  });

  test("npm start writes the student versions: stubs instead of solutions, no hidden tests", () => {
    for (const name of tutorials) {
      const path = join(out, "student", name);
      assert.ok(existsSync(path), `${name}'s student version was written`);
      validateNbformat(path);
      const text = readFileSync(path, "utf8");
      assert.ok(!/BEGIN SOLUTION|HIDDEN TESTS/.test(text), `${name}: no solution or hidden test is left`);
      assert.match(text, /YOUR CODE HERE/, `${name} has an exercise stub`);
    }
  });

  test("tutorial 1: the tensor checks pass", () => {
    const text = allText("01-tensors.ipynb");
    assert.match(text, /✓ tf\.tidy keeps only the tensor it returns/);
    assert.match(text, /✓ row sums are \[6, 15\]/);
  });

  test("tutorial 2: the hand-computed gradients equal tf.grad's", () => {
    const text = allText("02-backprop-by-hand.ipynb");
    const m = /Largest difference between hand and tf\.grad gradients: ([\d.e+-]+)/.exec(text);
    assert.ok(m, "the notebook prints the largest difference");
    assert.ok(Number(m[1]) < 1e-6, `hand vs tf.grad differ by ${m[1]}`);
    assert.match(text, /z1 = \[\[0\.7,1\]\]/, "z1 is [0.7, 1.0]");
    assert.match(text, /∂L\/∂W1 = \[\[-0\.005205,-0\.005275\],\[0,0\],\[-0\.005205,-0\.005275\]\]/, "∂L/∂W1 as computed by hand in the notebook's text");
  });

  test("tutorial 3: the digits CNN beats its stated accuracy floor", () => {
    const { accuracy: acc, floor } = accuracy("03-digits-cnn.ipynb");
    assert.ok(acc >= floor, `${acc}% ≥ ${floor}%`);
    assert.ok(floor >= 50, "the quick floor is well above chance (10%)");
    assert.match(allText("03-digits-cnn.ipynb"), /✓ diagonal \/ total equals the accuracy from model\.evaluate/);
  });

  test("tutorial 4: the pixel-CSV classifier beats its stated accuracy floor", () => {
    const { accuracy: acc, floor } = accuracy("04-pixels-csv.ipynb");
    assert.ok(acc >= floor && floor >= 90, `${acc}% ≥ ${floor}%`);
  });

  test("tutorial 5: the explanations are complete and agree", () => {
    const text = allText("05-explaining-predictions.ipynb");
    assert.match(text, /✓ Integrated Gradients is complete/);
    assert.match(text, /✓ KernelSHAP with the full budget equals exact Shapley/);
    assert.match(text, /✓ exact Shapley on a linear model equals/);
    const mimes = cells("05-explaining-predictions.ipynb").flatMap((c) => c.outputs ?? []).flatMap((o) => Object.keys(o.data ?? {}));
    assert.ok(mimes.includes("application/vnd.glassbox.explanation.v1+json"), "explanations are shown as explanation outputs");
  });

  test("tutorial 6: precision, recall, F1 and the fairness metrics are reported", () => {
    const text = allText("06-credit-risk-fairness.ipynb");
    const f1 = /F1: ([\d.]+)/.exec(text);
    assert.ok(f1 && Number(f1[1]) > 0 && Number(f1[1]) <= 1, "F1 is between 0 and 1");
    assert.match(text, /Demographic parity difference: [\d.]+%/);
    assert.match(text, /Equal opportunity difference: [\d.]+%/);
    assert.match(allText("06-credit-risk-fairness.ipynb"), /synthetic/i);
    assert.match(readFileSync(join(ROOT, folder, "06-credit-risk-fairness.ipynb"), "utf8"), lang === "en" ? /The data in this notebook are synthetic/ : /本笔记本中的数据是合成的/);
  });

  test("tutorial 7: policy rules, review with scripted answers, an exact replay, drift caught, overrides as training data", () => {
    const text = allText("07-controlling-credit-decisions.ipynb");
    assert.match(text, /✓ the probe catches the model exactly where it stops being monotonic/);
    assert.match(text, /✓ the affordability rule widens the gap in approval rates between the groups/);
    assert.match(text, /✓ every override says who, why and when/);
    const replay = /replay: (\d+) of (\d+) decisions reproduced exactly/.exec(text);
    assert.ok(replay && replay[1] === replay[2] && Number(replay[1]) > 0, "the replay reproduces every decision");
    assert.match(text, /ALERT income_k drifted: PSI [\d.]+ > 0\.2/);
    assert.match(text, /✓ every override became a labelled example/);
    const mimes = cells("07-controlling-credit-decisions.ipynb").flatMap((c) => c.outputs ?? []).flatMap((o) => Object.keys(o.data ?? {}));
    assert.ok(mimes.filter((m) => m === "application/vnd.glassbox.control.v1+json").length >= 3, "traces and the dashboard are control outputs");
  });

  test("out/report.html shows every tutorial and its plots in Chromium", async () => {
    const html = join(out, "report.html");
    assert.ok(existsSync(html), "report.html was written");
    const page = readFileSync(html, "utf8");
    for (const name of tutorials) assert.ok(page.includes(name), `the report includes ${name}`);
    browser = await launchChromium();
    const result = await renderReport(browser, html, `tutorials-report-${lang}.png`);
    assert.deepEqual(result.pageErrors, []);
    assert.deepEqual(result.network, [], "the report loads nothing from the network");
    const curves = result.outputs.filter((o) => o.mime === "application/vnd.glassbox.training.v1+json");
    assert.ok(curves.length >= 3, `training curves of tutorials 3, 4 and 5 are in the report (${curves.length})`);
    for (const c of curves) {
      assert.equal(c.renderer, "training", "drawn by the training renderer");
      assert.ok(c.plots > 0 || c.svgs > 0, `a plot was drawn: ${JSON.stringify(c)}`);
    }
    assert.ok(result.outputs.some((o) => o.mime === "application/vnd.glassbox.tensor.v1+json" && o.renderer === "tensor"), "tensors are drawn by the tensor renderer");
    const explanations = result.outputs.filter((o) => o.mime === "application/vnd.glassbox.explanation.v1+json");
    assert.ok(explanations.length >= 4, `the explanations of tutorial 5 are in the report (${explanations.length})`);
    assert.ok(explanations.every((o) => o.renderer === "explanation"), "drawn by the explanation renderer");
    const controls = result.outputs.filter((o) => o.mime === "application/vnd.glassbox.control.v1+json");
    assert.ok(controls.length >= 3 && controls.every((o) => o.renderer === "control"), `tutorial 7's traces and dashboard are drawn by the control renderer (${controls.length})`);
    assert.equal(result.fallback, 0, "every rich output found its renderer");
  });
});
