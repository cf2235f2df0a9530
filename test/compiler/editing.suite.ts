import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { CellCompilerService } from "../../kernel/engine/compiler/service";
import { Notebook, notebookDir } from "./helpers";

/** Code-point length, as Jupyter counts cursor positions. */
const cp = (s: string): number => [...s].length;

describe("cell compiler: completion and inspection", () => {
  let service: CellCompilerService;
  before(() => {
    service = new CellCompilerService({ workingDirectory: notebookDir() });
    const nb = new Notebook(service);
    nb.run("const model = tf.sequential();");
    nb.run("const learningRate = 0.01;\nfunction lossCurve(epochs: number): number[] { return [] }");
  });

  it("completes tf members", () => {
    const r = service.completeSync("tf.lay", 6);
    assert.equal(r.matches[0], "layers");
    assert.equal(r.cursor_start, 3);
    assert.equal(r.cursor_end, 6);
    assert.ok(r.matches.every((m) => m.toLowerCase().startsWith("lay")));
    const types = r.metadata._jupyter_types_experimental ?? [];
    // The kernel's tf types declare `layers` as a value whose factories are narrowed (kernel/node-api/tf.d.ts).
    assert.deepEqual(types[0], { start: 3, end: 6, text: "layers", type: "instance" });
  });

  it("completes members of a value from an earlier cell", () => {
    const r = service.completeSync("model.fi", 8);
    assert.ok(r.matches.includes("fit"), r.matches.join());
    assert.ok(!r.matches.includes("predict"));
    assert.equal(r.cursor_start, 6);
  });

  it("completes earlier cells' names", () => {
    const r = service.completeSync("learn", 5);
    assert.deepEqual(r.matches.slice(0, 1), ["learningRate"]);
    assert.ok(service.completeSync("x = lossC", 9).matches.includes("lossCurve"));
  });

  it("lists all members after a dot", () => {
    const r = service.completeSync("model.", 6);
    assert.ok(r.matches.includes("fit") && r.matches.includes("compile") && r.matches.includes("summary"));
    assert.equal(r.cursor_start, 6);
    assert.equal(r.cursor_end, 6);
  });

  it("counts cursor offsets in code points around non-ASCII text", () => {
    const before = 'const s = "héllo 🎉"; tf.lay';
    const code = `${before}\nconst t = 1;`;
    const r = service.completeSync(code, cp(before));
    assert.equal(r.matches[0], "layers");
    assert.equal(r.cursor_start, cp(before) - 3);
    assert.equal(r.cursor_end, cp(before));
    // An identifier with non-ASCII letters is one word.
    const r2 = service.completeSync("const größe = 1; grö", cp("const größe = 1; grö"));
    assert.ok(r2.matches.includes("größe"));
    assert.equal(r2.cursor_start, cp("const größe = 1; "));
  });

  it("inspects tf.sequential: signature and docs", () => {
    const r = service.inspectSync("tf.sequential", 13, 0);
    assert.equal(r.found, true);
    assert.match(r.data["text/plain"]!, /sequential\(config\?: .*SequentialArgs\): .*Sequential/);
    assert.match(r.data["text/markdown"]!, /^```typescript\n.*sequential/);
    assert.match(r.data["text/markdown"]!, /model/i);
  });

  it("inspects inside a call, and earlier cells' functions", () => {
    const inCall = service.inspectSync("tf.sequential(", 14, 0);
    assert.equal(inCall.found, true);
    assert.match(inCall.data["text/plain"]!, /sequential\(config/);
    const own = service.inspectSync("lossCurve", 4, 1);
    assert.match(own.data["text/plain"]!, /function lossCurve\(epochs: number\): number\[\]/);
  });

  it("inspects non-ASCII positions", () => {
    const code = "const café = 1; café";
    const r = service.inspectSync(code, cp(code) - 1, 0);
    assert.match(r.data["text/plain"]!, /const café: 1/);
    assert.deepEqual(service.inspectSync("   ", 1, 0), { found: false, data: {} });
  });
});

describe("cell compiler: completion while a cell runs", () => {
  it("knows the names of the cell that compiled and has not finished, and not of one that failed to compile", () => {
    const service = new CellCompilerService({ workingDirectory: notebookDir() });
    const running = service.compileSync("const trainingLoss = [0.5];\nclass Classifier { fitAll() {} }", { cell: 1, reportOnly: false });
    assert.equal(running.ok, true);
    // Before its commit (the cell is still running): names, members and positions after a multi-line prelude.
    assert.deepEqual(service.completeSync("trainingL", 9).matches, ["trainingLoss"]);
    const members = service.completeSync("new Classifier().fit", 20);
    assert.deepEqual([members.matches[0], members.cursor_start, members.cursor_end], ["fitAll", 17, 20]);
    assert.match(service.inspectSync("trainingLoss", 3, 0).data["text/plain"] ?? "", /const trainingLoss: number\[\]/);
    service.commitSync(1);
    assert.deepEqual(service.completeSync("trainingL", 9).matches, ["trainingLoss"]);
    const failed = service.compileSync("const brokenValue: string = 1;", { cell: 2, reportOnly: false });
    assert.equal(failed.ok, false);
    assert.deepEqual(service.completeSync("brokenV", 7).matches, []);
  });
});

describe("cell compiler: start-up", () => {
  it("answers completion during the warm-up, and compiles with Node's types at any point of it", () => {
    const service = new CellCompilerService({ workingDirectory: notebookDir() });
    const steps = service.warmUpSteps();
    steps.shift()!();
    assert.equal(service.completeSync("tf.lay", 6).matches[0], "layers");
    // A cell compiled in the middle of the warm-up sees every type.
    assert.deepEqual(service.compileSync("console.log(process.argv.length)", { cell: 1, reportOnly: false }).diagnostics, []);
    for (const step of steps) step();
    assert.ok(service.completeSync("process.ar", 10).matches.includes("argv"));
  });

  it("answers a completion that comes before the warm-up's first step, and survives a folder change", () => {
    const service = new CellCompilerService({ workingDirectory: notebookDir() });
    const steps = service.warmUpSteps();
    assert.equal(service.completeSync("tf.lay", 6).matches[0], "layers");
    service.setWorkingDirectorySync(notebookDir({ "tsconfig.json": '{ "compilerOptions": { "strict": false } }' }));
    assert.equal(service.completeSync("tf.seq", 6).matches[0], "sequential");
    for (const step of steps) step();
    assert.deepEqual(service.compileSync("function loose(a) { return process.argv[a] }", { cell: 1, reportOnly: false }).diagnostics, []);
  });
});

describe("cell compiler: is_complete", () => {
  const service = new CellCompilerService({ workingDirectory: notebookDir(), globalsFile: null });
  const check = (code: string) => service.isCompleteSync(code);

  it("complete code", () => {
    assert.deepEqual(check("const a = 1"), { status: "complete" });
    assert.deepEqual(check("function f() {\n  return 1;\n}\n"), { status: "complete" });
    assert.deepEqual(check("const s = `a ${1} b`;"), { status: "complete" });
    assert.deepEqual(check(""), { status: "complete" });
  });

  it("incomplete code, with an indent", () => {
    assert.deepEqual(check("function f() {"), { status: "incomplete", indent: "  " });
    assert.deepEqual(check("if (a) {\n  for (const x of xs) {"), { status: "incomplete", indent: "    " });
    assert.equal(check("foo(1,").status, "incomplete");
    assert.equal(check("const xs = [1, 2,").status, "incomplete");
    assert.equal(check("const s = `abc ${x} and").status, "incomplete");
    assert.equal(check("const s = `abc ${").status, "incomplete");
    assert.equal(check("/* a comment").status, "incomplete");
    assert.equal(check("const a =").status, "incomplete");
    assert.equal(check('const s = "abc').status, "incomplete");
  });

  it("invalid code", () => {
    assert.deepEqual(check("const = 5;"), { status: "invalid" });
    assert.deepEqual(check("let 1a = 2;\nfoo("), { status: "invalid" });
    assert.deepEqual(check("a ) b"), { status: "invalid" });
  });
});
