// The output reducer (kernel/outputs/reducer.ts) in process: Jupyter's output semantics that the
// runner and the VS Code session share, checked event by event.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { errorText, normalizeError, OutputReducer, type IopubMessage, type OutputEvent } from "../../kernel/outputs/reducer";

const msg = (msg_type: string, content: unknown): IopubMessage => ({ header: { msg_type }, content });
const display = (text: string, id?: string, type = "display_data") =>
  msg(type, { data: { "text/plain": text }, metadata: {}, ...(id ? { transient: { display_id: id } } : {}) });
const update = (text: string, id: string) => msg("update_display_data", { data: { "text/plain": text }, metadata: { v: text }, transient: { display_id: id } });

/** A reducer over named cells that records every event as a short string. */
function recorder(options = {}) {
  const log: string[] = [];
  const describeEvent = (e: OutputEvent<string>) => {
    if (e.kind === "clear") return `${e.cell}:clear`;
    const o = e.output;
    const body = o.type === "stream" ? `${o.name}=${JSON.stringify(o.text)}` : o.type === "error" ? `error=${o.ename}` : `${o.type}=${String(o.data["text/plain"])}`;
    return `${e.cell}:${e.kind}:${body}`;
  };
  const reducer = new OutputReducer<string>((e) => log.push(describeEvent(e)), options);
  const texts = (cell: string) => reducer.outputs(cell).map((o) => (o.type === "stream" ? o.text : o.type === "error" ? o.ename : String(o.data["text/plain"])));
  return { reducer, log, texts };
}

describe("output reducer", () => {
  test("consecutive stream text of one name is one output, replaced as it grows", () => {
    const { reducer, log, texts } = recorder();
    reducer.begin("a");
    reducer.handle(msg("stream", { name: "stdout", text: "1" }), "a");
    reducer.handle(msg("stream", { name: "stdout", text: "2" }), "a");
    reducer.handle(msg("stream", { name: "stderr", text: "e" }), "a");
    reducer.handle(msg("stream", { name: "stdout", text: "3" }), "a");
    assert.deepEqual(log, ['a:append:stdout="1"', 'a:replace:stdout="12"', 'a:append:stderr="e"', 'a:append:stdout="3"']);
    assert.deepEqual(texts("a"), ["12", "e", "3"]);
    const ids = reducer.outputs("a").map((o) => o.id);
    assert.equal(new Set(ids).size, 3, "each output has its own id");
  });

  test("with controlChars, merged stream text is shown as a terminal would (progress lines)", () => {
    const live = recorder({ controlChars: true });
    const raw = recorder();
    for (const { reducer } of [live, raw]) {
      reducer.begin("a");
      for (const text of ["epoch 1/3", "\repoch 2/3", "\repoch 3/3\n", "ab\bc\n"]) reducer.handle(msg("stream", { name: "stdout", text }), "a");
    }
    assert.deepEqual(live.texts("a"), ["epoch 3/3\nac\n"]);
    assert.deepEqual(raw.texts("a"), ["epoch 1/3\repoch 2/3\repoch 3/3\nab\bc\n"], "the runner keeps the kernel's text as nbformat stores it");
  });

  test("clear_output(wait) clears at the next output; an update is no output; a clear pending at the end is dropped", () => {
    const { reducer, log, texts } = recorder();
    reducer.begin("a");
    reducer.handle(display("old", "p"), "a");
    reducer.handle(msg("clear_output", { wait: true }), "a");
    reducer.handle(update("upd", "p"));
    assert.deepEqual(texts("a"), ["upd"], "still shown, and still updated, until new output arrives");
    reducer.handle(display("new", undefined, "execute_result"), "a");
    assert.deepEqual(texts("a"), ["new"]);
    reducer.handle(update("late", "p"));
    assert.deepEqual(texts("a"), ["new"], "a cleared output receives no more updates");
    reducer.handle(msg("clear_output", { wait: true }), "a");
    reducer.end("a");
    reducer.handle(msg("stream", { name: "stdout", text: "x" }), "a");
    assert.deepEqual(texts("a"), ["new", "x"], "the pending clear ended with the cell");
    reducer.handle(msg("clear_output", { wait: false }), "a");
    assert.deepEqual(texts("a"), []);
    assert.deepEqual(log, ["a:append:display_data=old", "a:replace:display_data=upd", "a:clear", "a:append:execute_result=new", 'a:append:stdout="x"', "a:clear"]);
  });

  test("update_display_data reaches every output under its id, in any cell, until that cell runs again", () => {
    const { reducer, log, texts } = recorder();
    reducer.begin("a");
    reducer.handle(display("a1", "d"), "a");
    reducer.begin("b");
    reducer.handle(display("b1", "d"), "b");
    reducer.handle(display("other", "e"), "b");
    reducer.handle(update("v2", "d"));
    assert.deepEqual([texts("a"), texts("b")], [["v2"], ["v2", "other"]]);
    const first = reducer.outputs("b")[0];
    assert.equal(first.type === "display_data" ? first.metadata.v : undefined, "v2", "metadata is replaced with the data");
    reducer.begin("a");
    reducer.handle(update("v3", "d"));
    assert.deepEqual([texts("a"), texts("b")], [[], ["v3", "other"]]);
    reducer.handle(update("nobody", "unknown"));
    reducer.reset();
    reducer.handle(update("after restart", "d"));
    assert.deepEqual(texts("b"), ["v3", "other"], "a restarted kernel's ids reach nothing");
    assert.deepEqual(log.filter((l) => l.includes("replace")), ["a:replace:display_data=v2", "b:replace:display_data=v2", "b:replace:display_data=v3"]);
  });

  test("errors are normalised whatever the kernel sent; messages without a cell or output are ignored", () => {
    const { reducer, texts } = recorder();
    reducer.begin("a");
    reducer.handle(msg("error", { ename: "TypeError", evalue: 3, traceback: ["line", 7] }), "a");
    reducer.handle(msg("error", null), "a");
    reducer.handle(msg("stream", { name: "stdout", text: "orphan" }));
    reducer.handle(msg("status", { execution_state: "idle" }), "a");
    reducer.handle(msg("execute_input", { code: "1" }), "a");
    assert.deepEqual(texts("a"), ["TypeError", "Error"]);
    assert.deepEqual(reducer.outputs("a")[0], { id: reducer.outputs("a")[0].id, type: "error", ename: "TypeError", evalue: "3", traceback: ["line", "7"] });
    assert.deepEqual(normalizeError({ ename: null, traceback: "x" }), { type: "error", ename: "Error", evalue: "", traceback: [] });
    assert.equal(errorText({ ename: "E", evalue: "v", traceback: [] }), "E: v");
    assert.equal(errorText({ ename: "E", evalue: "v", traceback: ["t1", "t2"] }), "t1\nt2");
  });

  test("push adds an output of the caller's own (a timeout), flushing a pending clear", () => {
    const { reducer, texts } = recorder();
    reducer.begin("a");
    reducer.handle(msg("stream", { name: "stdout", text: "x" }), "a");
    reducer.handle(msg("clear_output", { wait: true }), "a");
    const pushed = reducer.push("a", { type: "error", ename: "CellTimeoutError", evalue: "too slow", traceback: [] });
    assert.deepEqual(texts("a"), ["CellTimeoutError"]);
    assert.equal(reducer.outputs("a")[0].id, pushed.id);
  });
});
