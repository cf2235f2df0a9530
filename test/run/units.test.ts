// The runner's pure parts: iopub messages → nbformat outputs, notebook parsing, Markdown → HTML.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { renderMarkdown } from "../../kernel/run/markdown";
import { NotebookError, parseNotebook, serializeNotebook, type CodeCell } from "../../kernel/run/notebook";
import { OutputCollector } from "../../kernel/run/outputs";
import { applyControlChars } from "../../kernel/outputs/text";
import type { Message } from "../../kernel/protocol/wire";
import { ROOT } from "./helpers";

function msg(type: string, content: Record<string, unknown>, parent: string): Message {
  return {
    identities: [],
    header: { msg_id: `${type}-${Math.random()}`, session: "s", username: "u", date: "", msg_type: type, version: "5.3" },
    parent_header: { msg_id: parent, session: "s", username: "u", date: "", msg_type: "execute_request", version: "5.3" },
    metadata: {},
    content,
    buffers: [],
  };
}
const cell = (): CodeCell => ({ cell_type: "code", id: "c", source: "", metadata: {}, execution_count: null, outputs: [] });

test("display updates reach outputs in earlier cells, and late output lands in its own cell", () => {
  const c = new OutputCollector();
  const first = cell();
  const second = cell();
  c.begin(first);
  c.handle(msg("display_data", { data: { "text/plain": "v1" }, metadata: {}, transient: { display_id: "d" } }, "r1"), first);
  c.end(first);
  c.begin(second);
  c.handle(msg("stream", { name: "stdout", text: "a" }, "r2"), second);
  c.handle(msg("update_display_data", { data: { "text/plain": "v2" }, metadata: {}, transient: { display_id: "d" } }, "r2"), second);
  // A timer of the first cell prints after the second started: parent r1 → first cell.
  c.handle(msg("stream", { name: "stdout", text: "late" }, "r1"));
  c.handle(msg("stream", { name: "stdout", text: "b" }, "r2"), second);
  assert.deepEqual(first.outputs, [
    { output_type: "display_data", data: { "text/plain": "v2" }, metadata: {} },
    { output_type: "stream", name: "stdout", text: "late" },
  ]);
  assert.deepEqual(second.outputs, [{ output_type: "stream", name: "stdout", text: "ab" }]);
});

test("clear_output waits for the next output, and an update does not trigger it", () => {
  const c = new OutputCollector();
  const x = cell();
  c.begin(x);
  c.handle(msg("display_data", { data: { "text/plain": "old" }, metadata: {}, transient: { display_id: "p" } }, "r"), x);
  c.handle(msg("clear_output", { wait: true }, "r"), x);
  c.handle(msg("update_display_data", { data: { "text/plain": "upd" }, metadata: {}, transient: { display_id: "p" } }, "r"), x);
  assert.equal(x.outputs.length, 1, "still shown until new output arrives");
  c.handle(msg("execute_result", { data: { "text/plain": "new" }, metadata: {}, execution_count: 4 }, "r"), x);
  assert.deepEqual(x.outputs, [{ output_type: "execute_result", execution_count: 4, data: { "text/plain": "new" }, metadata: {} }]);
  c.handle(msg("clear_output", { wait: false }, "r"), x);
  assert.deepEqual(x.outputs, []);
});

test("notebooks: ids are added for nbformat 4.5, broken input is refused with a reason", () => {
  const nb = parseNotebook(JSON.stringify({ nbformat: 4, nbformat_minor: 2, metadata: {}, cells: [{ cell_type: "code", source: ["a\n", "b"], metadata: {}, outputs: [] }, { cell_type: "markdown", source: "x" }] }), "t.ipynb");
  assert.equal(nb.nbformat_minor, 5);
  assert.ok(nb.cells.every((c) => /^[a-zA-Z0-9-_]{1,64}$/.test(c.id)));
  assert.notEqual(nb.cells[0].id, nb.cells[1].id);
  assert.deepEqual(JSON.parse(serializeNotebook(nb)).cells[0].source, ["a\n", "b"]);
  assert.throws(() => parseNotebook('{"cells": [', "t.ipynb"), (e: Error) => e instanceof NotebookError && /JSON is broken at line 1/.test(e.message));
  assert.throws(() => parseNotebook(JSON.stringify({ nbformat: 3, worksheets: [] }), "old.ipynb"), /nbformat 3; glassbox run reads nbformat 4/);
  assert.throws(() => parseNotebook(JSON.stringify({ nbformat: 4, cells: [{ cell_type: "code" }] }), "t.ipynb"), /cell 1 has no source/);
});

test("Markdown: the usual constructs, and nothing a notebook could inject", () => {
  const html = renderMarkdown("# Title\n\nSome **bold**, *em* and `x < y`.\n\n- one\n- two\n  - nested\n\n1. first\n2. second\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n```ts\nconst a = 1 < 2;\n```\n\n> quote");
  assert.match(html, /<h1 id="title">Title<\/h1>/);
  assert.match(html, /<strong>bold<\/strong>, <em>em<\/em> and <code>x &lt; y<\/code>/);
  assert.match(html, /<ul><li>one<\/li><li>two<ul><li>nested<\/li><\/ul><\/li><\/ul>/);
  assert.match(html, /<ol><li>first<\/li><li>second<\/li><\/ol>/);
  assert.match(html, /<td style="text-align:right">2<\/td>/);
  assert.match(html, /<pre><code class="language-ts">const a = 1 &lt; 2;<\/code><\/pre>/);
  assert.match(html, /<blockquote><p>quote<\/p><\/blockquote>/);
  const evil = renderMarkdown('<img src=x onerror="alert(1)"> [a](javascript:alert(1)) ![i](javascript:x) [ok](https://example.org/?a=1&b=2)');
  assert.ok(!evil.includes("<img src=x"), evil);
  assert.ok(!/href="javascript:|src="javascript:/.test(evil), evil);
  assert.match(evil, /href="https:\/\/example\.org\/\?a=1&amp;b=2"/);
});

test("terminal text: carriage returns overwrite, as progress bars expect", () => {
  assert.equal(applyControlChars("10%\r50%\r100%\ndone"), "100%\ndone");
  assert.equal(applyControlChars("abc\rX"), "Xbc");
});

test("the committed tutorials are built from their sources in notebooks/src", () => {
  const r = spawnSync(process.execPath, [join(ROOT, "notebooks", "src", "build.mjs"), "--check"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});

test("--lang: the report's language, its labels, and a clear error for an unknown one", async () => {
  const { parseArgs, UsageError } = await import("../../kernel/run/command");
  const { renderReport } = await import("../../kernel/run/report");
  assert.equal(parseArgs(["a.ipynb", "--lang", "zh_CN"]).lang, "zh-CN");
  assert.equal(parseArgs(["a.ipynb", "--lang=en"]).lang, "en");
  assert.throws(() => parseArgs(["a.ipynb", "--lang", "fr"]), (e: Error) => e instanceof UsageError && /--lang takes one of en, zh-CN, not "fr"/.test(e.message));
  const notebook = parseNotebook(JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [
    { cell_type: "code", source: "x", metadata: {}, execution_count: null, outputs: [] },
    { cell_type: "code", source: "y", metadata: {}, execution_count: null, outputs: [] },
  ] }), "a.ipynb");
  // As the run leaves them: an output of no known type, and an error.
  (notebook.cells[0] as CodeCell).outputs.push({ output_type: "display_data", data: {}, metadata: {} });
  (notebook.cells[1] as CodeCell).outputs.push({ output_type: "error", ename: "Error", evalue: "boom", traceback: [] });
  const entries = [{ file: "a.ipynb", notebook, failed: true }, { file: "b.ipynb", notebook }];
  const zh = renderReport(entries, { language: "zh-CN", pageScript: "" });
  assert.match(zh, /<html lang="zh-CN" data-glassbox-lang="zh-CN">/);
  for (const label of ["<title>Glassbox 报告</title>", "<h2>笔记本</h2>", "（空输出）", 'title="此单元格运行出错"', ">出错</span>"]) assert.ok(zh.includes(label), `the Chinese report has ${label}`);
  const en = renderReport(entries, { language: "en", pageScript: "" });
  assert.match(en, /<html lang="en" data-glassbox-lang="en">/);
  for (const label of ["<h2>Notebooks</h2>", "(empty output)", ">failed</span>"]) assert.ok(en.includes(label), `the English report has ${label}`);
});
