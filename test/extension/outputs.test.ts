/** The editor-independent pieces of the extension: output items and tutorial helpers. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { summarizeKernelInfo } from "../../extension/kernel-session";
import { applyControlChars } from "../../kernel/outputs/text";
import { ERROR_MIME, STDERR_MIME, STDOUT_MIME, toOutputData } from "../../extension/output-items";
import { sampleFiles, tutorialTitle, uniqueName } from "../../extension/tutorials";
import type { Message } from "../../kernel/protocol/wire";

const decode = (data: Uint8Array) => new TextDecoder().decode(data);

describe("output items", () => {
  test("rich Glassbox types come first, text/plain last, and JSON types are serialized JSON", () => {
    const tensor = { shape: [2, 2], dtype: "float32" };
    const out = toOutputData({
      id: "1",
      type: "execute_result",
      executionCount: 3,
      metadata: { a: 1 },
      data: { "text/plain": "Tensor [2,2]", "image/png": Buffer.from("png!").toString("base64"), "application/vnd.glassbox.tensor.v1+json": tensor },
    });
    assert.deepEqual(
      out.items.map((i) => i.mime),
      ["application/vnd.glassbox.tensor.v1+json", "image/png", "text/plain"],
    );
    assert.deepEqual(JSON.parse(decode(out.items[0].data)), tensor);
    assert.equal(decode(out.items[1].data), "png!", "base64 images become bytes");
    assert.deepEqual(out.metadata, { outputType: "execute_result", executionCount: 3, metadata: { a: 1 } });
  });

  test("display ids are kept in metadata so a saved notebook keeps them", () => {
    const out = toOutputData({ id: "1", type: "display_data", data: { "text/plain": ["a", "b"] }, metadata: {}, displayId: "d1" });
    assert.equal(decode(out.items[0].data), "ab", "Jupyter's list-of-lines text is joined");
    assert.deepEqual(out.metadata.transient, { display_id: "d1" });
  });

  test("streams and errors use VS Code's own MIME types", () => {
    assert.equal(toOutputData({ id: "1", type: "stream", name: "stdout", text: "hi\n" }).items[0].mime, STDOUT_MIME);
    assert.equal(toOutputData({ id: "1", type: "stream", name: "stderr", text: "hi\n" }).items[0].mime, STDERR_MIME);
    const err = toOutputData({ id: "1", type: "error", ename: "TypeError", evalue: "x is not a function", traceback: ["TypeError: x is not a function", "    at cell 3:1"] });
    assert.equal(err.items[0].mime, ERROR_MIME);
    const payload = JSON.parse(decode(err.items[0].data));
    assert.equal(payload.name, "TypeError");
    assert.equal(payload.message, "x is not a function");
    assert.match(payload.stack, /at cell 3:1/);
  });

  test("carriage returns overwrite the line, as progress bars expect", () => {
    assert.equal(applyControlChars("epoch 1/3\repoch 2/3\repoch 3/3\ndone\n"), "epoch 3/3\ndone\n");
    assert.equal(applyControlChars("abc\b\bX"), "aX");
    assert.equal(applyControlChars("plain\n"), "plain\n");
  });

  test("the tensor backend is read from kernel_info (glassbox field, else the banner)", () => {
    const reply = (content: object) => ({ content }) as unknown as Message;
    assert.equal(summarizeKernelInfo(reply({ glassbox: { backend: "tensorflow" }, banner: "x" })).backend, "tensorflow");
    assert.equal(summarizeKernelInfo(reply({ banner: "Glassbox 0.1\nTensor backend: wasm\n" })).backend, "wasm");
    assert.equal(summarizeKernelInfo(reply({ banner: "no backend named" })).backend, undefined);
  });
});

describe("tutorial helpers", () => {
  test("the title is the first Markdown heading, else the file name", () => {
    const nb = JSON.stringify({ cells: [{ cell_type: "code", source: "# not a title" }, { cell_type: "markdown", source: ["Intro\n", "## Tensors, up close\n"] }] });
    assert.equal(tutorialTitle(nb, "01-tensors.ipynb"), "Tensors, up close");
    assert.equal(tutorialTitle("{not json", "02-backprop_by-hand.ipynb"), "02 backprop by hand");
  });

  test("a copy never overwrites an existing file", () => {
    assert.equal(uniqueName("a.ipynb", new Set()), "a.ipynb");
    assert.equal(uniqueName("a.ipynb", new Set(["a.ipynb", "a-2.ipynb"])), "a-3.ipynb");
  });

  test("the sample data a tutorial reads is found in its source", () => {
    const nb = JSON.stringify({ cells: [{ cell_type: "code", source: ['const csv = readFileSync("../samples/digits-0-1.csv", "utf8");\n', 'load("../samples/a.json", "../samples/digits-0-1.csv")'] }] });
    assert.deepEqual(sampleFiles(nb), ["a.json", "digits-0-1.csv"]);
    assert.deepEqual(sampleFiles(JSON.stringify({ cells: [] })), []);
  });
});
