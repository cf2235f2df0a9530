/**
 * End to end: the packaged .vsix installed into a real VS Code (code-server), a notebook opened,
 * the Glassbox controller selected, Run All, and the tensor and training-curve renderers checked
 * inside the output webviews. Screenshots go to test-results/extension/.
 *
 * code-server is installed into .cache/code-server by scripts/code-server.mjs (as root it also
 * apt-installs the build dependencies); without root and without that cache the test is skipped,
 * saying why. Everything else missing (Chromium, a build failure) fails the test.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Frame, Page } from "playwright-core";
import { CHROMIUM, launchChromium } from "../helpers/chromium";
import { buildVsix, ensureCodeServer, installExtension, makeSandbox, removeSandbox, startCodeServer, type RunningCodeServer, type Sandbox } from "./code-server";
import { sampleFiles, TUTORIALS_FOLDER } from "../../extension/tutorials";
import { root } from "./helpers";

const ARTIFACTS = join(root, "test-results", "extension");
const TENSOR_MIME = "application/vnd.glassbox.tensor.v1+json";
const TRAINING_MIME = "application/vnd.glassbox.training.v1+json";
/** A small notebook that shows a tensor and trains briefly. */
const FIXTURE = join(root, "test", "extension", "fixtures", "glassbox-e2e.ipynb");
/** Bindings for the Variables view (tensors, a model, a plain value), a 2 × 2 sweep and a tfjs-vis scatterplot. */
const SEE_FIXTURE = join(root, "test", "extension", "fixtures", "see-e2e.ipynb");

const codeServerCached = spawnSync(process.execPath, [join(root, "scripts", "code-server.mjs"), "--check"]).status === 0;
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const skipReason =
  codeServerCached || isRoot
    ? undefined
    : "code-server is not installed (in .cache/code-server, or GLASSBOX_CODE_SERVER_DIR) and this is not root, so it cannot be installed here: run `node scripts/code-server.mjs` as root once";

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/** Runs a command through the command palette (F1), picking the entry whose label matches. */
async function runCommand(page: Page, label: string): Promise<void> {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible" });
  await input.fill(`>${label}`);
  await pickFocused(page, label);
}

/** Waits until the focused row of the open quick pick shows `label`, then accepts it (Enter: hovers can cover rows). */
async function pickFocused(page: Page, label: string): Promise<void> {
  const focused = page.locator(".quick-input-widget .monaco-list-row.focused", { hasText: label });
  await focused.waitFor({ state: "visible", timeout: 30_000 });
  await page.keyboard.press("Enter");
  await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: 10_000 }).catch(() => undefined);
}

/**
 * Picks a kernel with Select Notebook Kernel. With the TypeScript and the JavaScript kernel both
 * installed, VS Code may first list Glassbox as a kernel source (or offer "Select Another Kernel…"),
 * and the kernels one step further.
 */
async function selectKernel(page: Page, label: string): Promise<void> {
  await runCommand(page, "Notebook: Select Notebook Kernel");
  const rows = page.locator(".quick-input-widget .monaco-list-row");
  for (let step = 0; step < 3; step++) {
    await rows.first().waitFor({ state: "visible", timeout: 15_000 });
    await page.waitForTimeout(500); // the list fills in as sources report
    if ((await rows.filter({ hasText: label }).count()) > 0) break;
    const next = (await rows.filter({ hasText: /Select Another Kernel/ }).count()) > 0 ? "Select Another Kernel" : "Glassbox";
    await page.locator(".quick-input-widget input").fill(next);
    await pickFocused(page, next);
  }
  await page.locator(".quick-input-widget input").fill(label);
  await pickFocused(page, label);
}

/** Waits until the Glassbox controller has settled on the notebook in front: a kernel switch aborts a cell run during it. */
async function settled(page: Page): Promise<void> {
  await page.locator(".statusbar-item", { hasText: /Glassbox: (not started|idle)/ }).first().waitFor({ state: "visible", timeout: 30_000 });
  await page.waitForTimeout(1500);
}

/** Every frame of the notebook's output webview that has outputs in it. */
async function outputFrames(page: Page): Promise<Frame[]> {
  const frames: Frame[] = [];
  for (const frame of page.frames()) {
    if (frame === page.mainFrame()) continue; // the workbench itself; outputs render in webview frames
    const has = await frame.evaluate(() => document.querySelectorAll(".output").length > 0).catch(() => false);
    if (has) frames.push(frame);
  }
  return frames;
}

interface RenderedOutput {
  text: string;
  html: string;
  mainSvg: number;
  svg: number;
  canvas: number;
  img: number;
}

// Page-side scripts are strings: the test's TypeScript is compiled with helpers (esbuild's
// __name) that do not exist in the browser.
const READ_OUTPUTS = `[...document.querySelectorAll(".output")].map((el) => {
  const roots = [el, ...[...el.querySelectorAll("*")].flatMap((n) => (n.shadowRoot ? [n.shadowRoot] : []))];
  const count = (sel) => roots.reduce((n, r) => n + r.querySelectorAll(sel).length, 0);
  return { text: el.innerText, html: el.innerHTML.slice(0, 2000), mainSvg: count(".main-svg"), svg: count("svg"), canvas: count("canvas"), img: count("img") };
})`;

// Rows of the notebook editor in front only (editors of background tabs stay in the DOM, hidden).
const SCAN_ROWS = `(() => {
  // The editor itself is the overlay element (position: absolute, so no offsetParent); hidden ones have no size.
  const editor = [...document.querySelectorAll(".notebookOverlay.notebook-editor")].find((e) => e.getBoundingClientRect().height > 0 && getComputedStyle(e).visibility !== "hidden");
  if (!editor) return [];
  return [...editor.querySelectorAll(".monaco-list-row[data-index]")].map((row) => {
    const has = (name) => !!row.querySelector(".codicon-notebook-state-" + name);
    const state = has("error") ? "error" : has("success") ? "success" : has("executing") ? "running" : has("pending") ? "pending" : "idle";
    return { index: Number(row.dataset.index), state };
  });
})()`;

async function renderedOutputs(page: Page): Promise<RenderedOutput[]> {
  const all: RenderedOutput[] = [];
  for (const frame of await outputFrames(page)) {
    const outputs = (await frame.evaluate(READ_OUTPUTS)) as RenderedOutput[];
    all.push(...outputs);
  }
  return all;
}

describe("VS Code end to end (code-server + headless Chromium)", { timeout: 900_000 }, () => {
  if (skipReason) {
    test("skipped", { skip: skipReason }, () => {});
    return;
  }

  let sandbox: Sandbox;
  let server: RunningCodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let notebookName: string;

  before(async () => {
    // As root a failed install fails the test; it is never a skip.
    const paths = ensureCodeServer();
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: apt-get install chromium (or set GLASSBOX_CHROMIUM).`);
    sandbox = makeSandbox();
    // GLASSBOX_E2E_VSIX tests a .vsix built elsewhere (a release artifact) instead of building one.
    const vsix = process.env.GLASSBOX_E2E_VSIX ?? buildVsix(sandbox.dir);
    const installed = installExtension(paths, sandbox, vsix);
    assert.ok(
      readdirSync(sandbox.extensions).some((d) => d.startsWith("glassbox.glassbox-")),
      `code-server installed the extension into ${sandbox.extensions}:\n${installed}`,
    );
    notebookName = "glassbox-e2e.ipynb";
    copyFileSync(FIXTURE, join(sandbox.workspace, notebookName));
    server = await startCodeServer(paths, sandbox);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${server.url}?folder=${encodeURIComponent(sandbox.workspace)}`);
    await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: 60_000 });
  });

  after(async () => {
    if (page) await shot(page, "final").catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (server && process.env.GLASSBOX_E2E_LOG) console.log(server.log());
    if (sandbox) removeSandbox(sandbox);
  });

  test("the extension activates, runs the notebook with the Glassbox controller and shows the backend", async () => {
    // Open the notebook through Quick Open, as a user would.
    await page.keyboard.press("Control+P");
    const input = page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible" });
    await input.fill(notebookName);
    await pickFocused(page, notebookName);
    await page.locator(".notebook-editor .monaco-list-row.code-cell-row").first().waitFor({ state: "visible", timeout: 60_000 });
    await shot(page, "1-opened");

    await selectKernel(page, "Glassbox (TypeScript)");
    await settled(page);
    await shot(page, "2-kernel-selected");

    await runCommand(page, "Notebook: Run All");
    const fixture = JSON.parse(readFileSync(FIXTURE, "utf8")) as { cells: { cell_type: string }[] };
    const codeIndexes = fixture.cells.flatMap((c, i) => (c.cell_type === "code" ? [i] : []));
    // The last cell loops forever until the notebook's Interrupt button stops it; the others must succeed.
    const loopIndex = codeIndexes[codeIndexes.length - 1];
    const others = codeIndexes.slice(0, -1);
    // The notebook list is virtualized, so the scan scrolls through it to see every cell.
    const deadline = Date.now() + 240_000;
    let answered = false;
    let interruptedAt = 0;
    for (;;) {
      // A cell asks for input: VS Code shows an input box, which the user answers.
      const prompt = page.locator(".quick-input-widget", { hasText: "Who is learning today?" });
      if (!answered && (await prompt.isVisible())) {
        await shot(page, "3-input-prompt");
        await page.locator(".quick-input-widget input").fill("Ada");
        await page.keyboard.press("Enter");
        answered = true;
      }
      const states = await scanCells(page, fixture.cells.length);
      const state = (i: number) => states.get(i) ?? "unseen";
      const failed = others.filter((i) => state(i) === "error");
      if (failed.length) {
        await shot(page, "3-error");
        assert.fail(`cell(s) ${failed.join(", ")} failed: ${JSON.stringify((await renderedOutputs(page)).map((o) => o.text)).slice(0, 3000)}`);
      }
      if (others.every((i) => state(i) === "success")) {
        if (!interruptedAt && state(loopIndex) === "running") {
          await page.waitForTimeout(1000); // let it spin
          await shot(page, "3-loop-running");
          await page.locator(".notebook-editor").getByText("Interrupt", { exact: true }).first().click();
          interruptedAt = Date.now();
        }
        if (interruptedAt && state(loopIndex) === "error") break;
        assert.ok(!interruptedAt || Date.now() - interruptedAt < 15_000, "the interrupt stopped the loop within 15 s");
      }
      if (Date.now() > deadline) {
        await shot(page, "3-timeout");
        assert.fail(`Run All did not finish in 240 s (cell states: ${codeIndexes.map((i) => `${i}:${state(i)}`).join(", ")})`);
      }
      await page.waitForTimeout(500);
    }
    assert.ok(answered, "the input prompt was shown in VS Code");
    const texts = (await renderedOutputs(page)).map((o) => o.text).join("\n");
    assert.match(texts, /hello Ada/, "the answer reached the kernel and came back in the cell's output");
    assert.match(texts, /final loss/, "the training cell printed its result");
    assert.match(texts, /interrupt/i, "the interrupted cell says so");
    // Give renderers a moment to draw the final updates.
    await page.waitForTimeout(1500);
    await shot(page, "3-ran");

    const status = page.locator(".statusbar-item", { hasText: "Glassbox" }).first();
    await status.waitFor({ state: "visible", timeout: 10_000 });
    const statusText = (await status.innerText()).trim();
    assert.match(statusText, /Glassbox: (idle|busy) · \w+/, `the status bar shows the kernel state and tensor backend (got "${statusText}")`);
  });

  test("the tensor renderer drew the tensor", async () => {
    const mimes = installedRendererMimes(sandbox);
    assert.ok(mimes.includes(TENSOR_MIME), `the extension's package.json contributes a notebook renderer for ${TENSOR_MIME} (contributed: ${mimes.join(", ") || "none"})`);
    const outputs = await waitForOutputs(page, (o) => /float32/.test(o.text) && o.mainSvg + o.canvas + o.svg > 0);
    assert.ok(outputs.length > 0, `an output shows the tensor (dtype float32) with a drawn plot; outputs seen:\n${await describeOutputs(page)}`);
  });

  test("the training-curve renderer drew the curves", async () => {
    const mimes = installedRendererMimes(sandbox);
    assert.ok(mimes.includes(TRAINING_MIME), `the extension's package.json contributes a notebook renderer for ${TRAINING_MIME} (contributed: ${mimes.join(", ") || "none"})`);
    const outputs = await waitForOutputs(page, (o) => /loss/i.test(o.text) && o.mainSvg > 0);
    assert.ok(outputs.length > 0, `an output shows training curves (Plotly .main-svg with "loss"); outputs seen:\n${await describeOutputs(page)}`);
    // The curves arrive as one display updated in place (update_display_data → replaceOutputItems):
    // the output that shows them must carry the last update, and be the only training output.
    assert.equal(outputs.length, 1, "one training output, updated in place rather than appended");
    assert.match(outputs[0].text, /15\s*\/\s*15/, `the last update (epoch 15/15) reached the renderer: ${outputs[0].text.slice(0, 300)}`);
    // One picture with both plots for the artifacts: a tall viewport, scrolled to the top.
    await page.setViewportSize({ width: 1400, height: 2000 });
    await page.waitForTimeout(500);
    await scrollToTop(page);
    await page.waitForTimeout(1500);
    await shot(page, "4-rendered");
  });
  test("Glassbox: Open Tutorial… copies a tutorial (and the sample data it reads) into the workspace and opens it on the Glassbox kernel", async () => {
    const dir = join(root, "notebooks");
    const shipped = readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort();
    assert.ok(shipped.length > 0, "notebooks/ has tutorials to ship");
    // Prefer a tutorial that reads sample data, to check that the data comes along.
    const chosen = shipped.find((f) => sampleFiles(readFileSync(join(dir, f), "utf8")).length > 0) ?? shipped[0];
    const data = sampleFiles(readFileSync(join(dir, chosen), "utf8"));
    await runCommand(page, "Glassbox: Open Tutorial");
    const rows = page.locator(".quick-input-widget .monaco-list-row");
    await rows.first().waitFor({ state: "visible", timeout: 15_000 });
    const translated = readdirSync(join(dir, "zh-CN")).filter((f) => f.endsWith(".ipynb"));
    assert.equal(await rows.count(), shipped.length + translated.length, "every shipped tutorial is offered, in English and in Chinese");
    await page.locator(".quick-input-widget input").fill(chosen);
    await pickFocused(page, chosen);
    const tab = page.locator(".tabs-container .tab.active", { hasText: chosen });
    await tab.waitFor({ state: "visible", timeout: 30_000 });
    await page.waitForTimeout(1500);
    assert.ok(existsSync(join(sandbox.workspace, TUTORIALS_FOLDER, chosen)), `${chosen} was copied into the workspace's ${TUTORIALS_FOLDER}/`);
    for (const name of data) assert.ok(existsSync(join(sandbox.workspace, "samples", name)), `the data it reads (../samples/${name}) was copied too`);
    const kernel = page.locator(".notebook-editor:visible .kernel-action-view-item, .notebook-editor:visible [class*=kernel]", { hasText: "Glassbox (TypeScript)" }).first();
    await kernel.waitFor({ state: "visible", timeout: 15_000 });
    await shot(page, "5-tutorial-opened");

    // The copy runs as shipped: Run All, every cell succeeds, and its rich outputs are drawn.
    const tutorial = JSON.parse(readFileSync(join(dir, chosen), "utf8")) as { cells: { cell_type: string; source: string | string[] }[] };
    const plotsBefore = (await renderedOutputs(page)).filter((o) => o.mainSvg + o.canvas > 0).length;
    await runCommand(page, "Notebook: Run All");
    const codeIndexes = tutorial.cells.flatMap((c, i) => (c.cell_type === "code" ? [i] : []));
    const deadline = Date.now() + 300_000;
    for (;;) {
      const states = await scanCells(page, tutorial.cells.length);
      const state = (i: number) => states.get(i) ?? "unseen";
      const failed = codeIndexes.filter((i) => state(i) === "error");
      if (failed.length) {
        await shot(page, "5-tutorial-error");
        assert.fail(`${chosen}: cell(s) ${failed.join(", ")} failed in VS Code: ${JSON.stringify((await renderedOutputs(page)).map((o) => o.text.slice(0, 300))).slice(0, 3000)}`);
      }
      if (codeIndexes.every((i) => state(i) === "success")) break;
      if (Date.now() > deadline) {
        await shot(page, "5-tutorial-timeout");
        assert.fail(`${chosen}: Run All did not finish in 300 s (${codeIndexes.map((i) => `${i}:${state(i)}`).join(", ")})`);
      }
      await page.waitForTimeout(500);
    }
    const shipsPlots = tutorial.cells.some((c) => /fit\(|tensor/.test(Array.isArray(c.source) ? c.source.join("") : c.source));
    if (shipsPlots) {
      const plotsAfter = (await waitForOutputs(page, () => true)).filter((o) => o.mainSvg + o.canvas > 0).length;
      assert.ok(plotsAfter > plotsBefore, `the tutorial's tensors or training curves were drawn (plots before ${plotsBefore}, after ${plotsAfter})`);
    }
    await shot(page, "5-tutorial-ran");

    // Glassbox: Check Exercises runs the cells up to the last test cell and shows the score.
    type Graded = { metadata?: { nbgrader?: { grade?: boolean; solution?: boolean; points?: number } } };
    const tests = (tutorial.cells as Graded[]).flatMap((c) => (c.metadata?.nbgrader?.grade && !c.metadata.nbgrader.solution ? [c.metadata.nbgrader.points ?? 0] : []));
    assert.ok(tests.length > 0, `${chosen} has test cells`);
    const max = tests.reduce((a, b) => a + b, 0);
    await runCommand(page, "Glassbox: Check Exercises");
    const toast = page.locator(".notifications-toasts .notification-toast", { hasText: "Exercises:" }).first();
    await toast.waitFor({ state: "visible", timeout: 180_000 });
    await shot(page, "6-exercises-checked");
    assert.match(await toast.innerText(), new RegExp(`Exercises: ${max} / ${max} points \\(${tests.length} of ${tests.length} tests pass\\)`));
  });

  test("a kernel that cannot start gives an actionable message, and a fixed setting works after Restart Kernel", async () => {
    // glassbox.nodePath is machine-scoped (a workspace must not choose what program runs), so in
    // code-server it lives in the remote machine's settings, as a user would set it there.
    const settingsFile = join(sandbox.userData, "Machine", "settings.json");
    mkdirSync(join(sandbox.userData, "Machine"), { recursive: true });
    const original = existsSync(settingsFile) ? readFileSync(settingsFile, "utf8") : "{}";
    const broken = join(sandbox.dir, "no-such-node");
    writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(original), "glassbox.nodePath": broken }, null, 2));
    await page.waitForTimeout(2500); // VS Code picks up the changed settings file
    await runCommand(page, "Glassbox: Restart Kernel");
    const toast = page.locator(".notifications-toasts .notification-toast", { hasText: "Glassbox could not start its kernel" }).first();
    await toast.waitFor({ state: "visible", timeout: 30_000 });
    const message = await toast.innerText();
    await page.waitForTimeout(500); // let the toast finish sliding in for the screenshot
    await shot(page, "6-start-error");
    assert.match(message, /ENOENT|not found/i, `says what failed: ${message}`);
    assert.match(message, /glassbox\.nodePath/, `says what to do: ${message}`);
    assert.match(message, /Show Kernel Log/, `offers the log: ${message}`);
    const status = page.locator(".statusbar-item", { hasText: "Glassbox" }).first();
    assert.match(await status.innerText(), /Glassbox: dead/, "the status bar shows the kernel is down");

    // The user fixes the setting; Restart Kernel reads it again and the kernel comes up.
    writeFileSync(settingsFile, original);
    await page.waitForTimeout(2500);
    await runCommand(page, "Glassbox: Restart Kernel");
    await page.locator(".statusbar-item", { hasText: /Glassbox: idle · \w+/ }).first().waitFor({ state: "visible", timeout: 60_000 });
  });
  test("Glassbox: Install Jupyter Kernel writes a kernelspec that runs the extension's kernel; Show Kernel Log shows the log", async () => {
    await runCommand(page, "Glassbox: Install Jupyter Kernel");
    const toast = page.locator(".notifications-toasts .notification-toast", { hasText: "Glassbox kernel installed for Jupyter" }).first();
    await toast.waitFor({ state: "visible", timeout: 30_000 });
    // code-server runs with XDG_DATA_HOME in the sandbox, so --user lands there.
    const specFile = join(sandbox.env.XDG_DATA_HOME!, "jupyter", "kernels", "glassbox", "kernel.json");
    assert.ok(existsSync(specFile), `${specFile} was written`);
    const spec = JSON.parse(readFileSync(specFile, "utf8")) as { argv: string[]; display_name: string };
    assert.ok(existsSync(spec.argv[0]), `the kernelspec's node exists: ${spec.argv[0]}`);
    // argv: node, any node flags the kernel needs, the CLI, "kernel", "{connection_file}".
    assert.match(spec.argv[spec.argv.length - 3], /glassbox\.glassbox-[^/]+\/dist\/cli\.js$/, `it runs the installed extension's CLI: ${spec.argv.join(" ")}`);
    assert.deepEqual(spec.argv.slice(-2), ["kernel", "{connection_file}"]);

    await runCommand(page, "Glassbox: Show Kernel Log");
    // The kernel's own lines (the view draws only the lines in sight, the log's end).
    const panel = page.locator(".part.panel .view-lines, .part.panel .monaco-editor", { hasText: "[glassbox]" }).first();
    await panel.waitFor({ state: "visible", timeout: 15_000 });
    await shot(page, "7-kernel-log");
  });

  test("a sweep fills one live chart, tfjs-vis draws; the Variables view lists the bindings; a tensor and a model open beside the notebook", async () => {
    const name = "see-e2e.ipynb";
    copyFileSync(SEE_FIXTURE, join(sandbox.workspace, name));
    await page.setViewportSize({ width: 1600, height: 1100 });
    // Quick Open finds a file only once the file watcher has seen it: ask again until it does.
    for (let attempt = 0; ; attempt++) {
      await page.keyboard.press("Control+P");
      await page.locator(".quick-input-widget input").fill(name);
      const found = page.locator(".quick-input-widget .monaco-list-row.focused", { hasText: name });
      if (await found.waitFor({ state: "visible", timeout: 10_000 }).then(() => true, () => false)) break;
      await page.keyboard.press("Escape");
      if (attempt === 5) throw new Error(`Quick Open never listed ${name}`);
    }
    await pickFocused(page, name);
    await page.locator(".tabs-container .tab.active", { hasText: name }).waitFor({ state: "visible", timeout: 30_000 });
    // Its metadata names the Glassbox kernel, so the TypeScript controller is the preferred one; pick it
    // as a user would when VS Code has not picked it by itself.
    // The notebook editor of this file (its code cells name `classifier`), not the tutorial opened before it.
    const editor = page.locator(".notebook-editor:visible", { hasText: "classifier" }).first();
    await editor.waitFor({ state: "visible", timeout: 30_000 });
    const kernelLabel = editor.locator(".kernel-action-view-item, [class*=kernel]", { hasText: "Glassbox (TypeScript)" }).first();
    if (!(await kernelLabel.isVisible().catch(() => false))) await selectKernel(page, "Glassbox (TypeScript)");
    await kernelLabel.waitFor({ state: "visible", timeout: 15_000 });
    await settled(page);
    // The toolbar's Run All (the palette's needs the notebook focused, which a fresh tab may not be yet).
    await editor.getByText("Run All", { exact: true }).first().click();
    const deadline = Date.now() + 180_000;
    for (;;) {
      const states = await scanCells(page, 4);
      if ([1, 2, 3].some((i) => states.get(i) === "error")) {
        await shot(page, "8-see-error");
        assert.fail(`a cell failed: ${JSON.stringify((await renderedOutputs(page)).map((o) => o.text.slice(0, 300)))}`);
      }
      if ([1, 2, 3].every((i) => states.get(i) === "success")) break;
      assert.ok(Date.now() < deadline, "the notebook ran within 180 s");
      await page.waitForTimeout(500);
    }
    const board = await waitForOutputs(page, (o) => /lr=0\.01 units=16/.test(o.text) && o.mainSvg > 0);
    assert.equal(board.length, 1, `the sweep drew one board, updated in place:\n${await describeOutputs(page)}`);
    assert.match(board[0].text, /done/);
    assert.equal((board[0].text.match(/completed/g) ?? []).length, 4, "four finished runs in the table");
    // tfjs-vis, imported by its package name, type-checks in the installed extension and draws with the Plotly renderer.
    const scatter = await waitForOutputs(page, (o) => /Squares/.test(o.text) && o.mainSvg > 0);
    assert.equal(scatter.length, 1, `the scatterplot was drawn:\n${await describeOutputs(page)}`);
    await page.waitForTimeout(1000);
    await shot(page, "8-sweep");

    await runCommand(page, "Glassbox: Focus on Variables View");
    const view = await variablesFrame(page);
    const names = (await view.evaluate(`[...document.querySelectorAll("tr[data-name]")].map((r) => r.dataset.name)`)) as string[];
    for (const expected of ["big", "small", "xs", "ys", "classifier", "note"]) assert.ok(names.includes(expected), `${expected} is listed: ${names.join(", ")}`);
    assert.ok(names.indexOf("big") < names.indexOf("small"), "tensors by bytes, largest first");
    const bigRow = (await view.evaluate(`document.querySelector('tr[data-name="big"]').innerText`)) as string;
    assert.match(bigRow, /tensor\s+Tensor\s+\[64,64\]\s+float32\s+16\.0 KB/);
    assert.match((await view.evaluate(`document.querySelector('tr[data-name="classifier"]').innerText`)) as string, /model\s+Sequential.*131 params/);
    await shot(page, "9-variables");

    await view.click('tr[data-name="big"]');
    const tensor = await valueFrame(page, `[...document.querySelectorAll(".gb-chip")].some((c) => c.textContent === "[64, 64]") && document.querySelectorAll("svg, canvas").length > 0`);
    assert.match((await tensor.evaluate(`document.body.innerText`)) as string, /float32/);
    await page.waitForTimeout(1000);
    await shot(page, "10-tensor-beside");

    await view.click('tr[data-name="classifier"]');
    const graph = await valueFrame(page, `document.querySelectorAll('.gb-node').length === 3`);
    assert.deepEqual(await graph.evaluate(`[...document.querySelectorAll(".gb-node")].map((n) => n.dataset.id)`), ["hidden_input", "hidden", "probs"]);
    await page.waitForTimeout(1000);
    await shot(page, "11-model-beside");
  });
});

/** The MIME types the installed extension's manifest registers renderers for (what VS Code sees). */
function installedRendererMimes(sandbox: Sandbox): string[] {
  const dir = readdirSync(sandbox.extensions).find((d) => d.startsWith("glassbox.glassbox-"));
  assert.ok(dir, "the extension is installed");
  const manifest = JSON.parse(readFileSync(join(sandbox.extensions, dir, "package.json"), "utf8")) as {
    contributes?: { notebookRenderer?: { mimeTypes?: string[] }[] };
  };
  return (manifest.contributes?.notebookRenderer ?? []).flatMap((r) => r.mimeTypes ?? []);
}

type CellState = "success" | "error" | "running" | "pending" | "idle";

/** Scrolls the notebook from top to bottom and returns each cell's run state by cell index. */
/** Puts the mouse over the left gutter of the notebook in front (over an output, the wheel would go to the output webview). */
async function hoverNotebookGutter(page: Page): Promise<boolean> {
  const box = await page.locator(".notebook-editor:visible .cell-list-container").first().boundingBox();
  const viewport = page.viewportSize();
  if (!box || !viewport) return false;
  const top = Math.max(box.y, 0);
  const bottom = Math.min(box.y + box.height, viewport.height);
  await page.mouse.move(box.x + 12, (top + bottom) / 2);
  return true;
}

/** Scrolls the notebook in front to its top, in steps (one huge wheel event is not always honoured). */
async function scrollToTop(page: Page): Promise<void> {
  if (!(await hoverNotebookGutter(page))) return;
  for (let i = 0; i < 30; i++) {
    await page.mouse.wheel(0, -2000);
    await page.waitForTimeout(30);
  }
}

/** Scrolls the notebook in front from top to bottom and returns each cell's run state by cell index. */
async function scanCells(page: Page, total: number): Promise<Map<number, CellState>> {
  const states = new Map<number, CellState>();
  await scrollToTop(page);
  const step = Math.max(200, (page.viewportSize()?.height ?? 800) * 0.5);
  for (let i = 0; i < 200 && states.size < total; i++) {
    await page.waitForTimeout(120);
    const seen = (await page.evaluate(SCAN_ROWS)) as { index: number; state: CellState }[];
    for (const { index, state } of seen) states.set(index, state);
    await page.mouse.wheel(0, step);
  }
  return states;
}

async function waitForOutputs(page: Page, match: (o: RenderedOutput) => boolean, timeoutMs = 20_000): Promise<RenderedOutput[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await renderedOutputs(page)).filter(match);
    if (found.length || Date.now() > deadline) return found;
    await page.waitForTimeout(500);
  }
}

/** The frame of the Variables view's webview, once it shows a table. */
async function variablesFrame(page: Page): Promise<Frame> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      if (await frame.evaluate(`!!document.querySelector("tr[data-name]")`).catch(() => false)) return frame;
    }
    if (Date.now() > deadline) {
      await shot(page, "9-variables-missing");
      assert.fail("the Variables view did not show a table within 30 s");
    }
    await page.waitForTimeout(500);
  }
}

/** The frame of a value panel (opened from the Variables view) once `ready` (a page-side expression) holds. */
async function valueFrame(page: Page, ready: string): Promise<Frame> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      if (await frame.evaluate(`!!document.getElementById("gb-value") && (${ready})`).catch(() => false)) return frame;
    }
    if (Date.now() > deadline) {
      await shot(page, "10-value-missing");
      assert.fail(`no value panel drew within 30 s (${ready})`);
    }
    await page.waitForTimeout(500);
  }
}

async function describeOutputs(page: Page): Promise<string> {
  const outputs = await renderedOutputs(page);
  return outputs.map((o, i) => `#${i}: svg=${o.svg} main-svg=${o.mainSvg} canvas=${o.canvas} img=${o.img} text=${JSON.stringify(o.text.slice(0, 200))}`).join("\n") || "(no outputs)";
}
