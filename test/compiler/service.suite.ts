import assert from "node:assert/strict";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { filterGlobals } from "../../kernel/engine/compiler/declarations";
import { CellCompilerService } from "../../kernel/engine/compiler/service";
import { errors, Notebook, notebookDir } from "./helpers";

describe("cell compiler: declarations across cells", () => {
  let nb: Notebook;
  before(() => {
    nb = new Notebook(new CellCompilerService({ workingDirectory: notebookDir() }));
  });

  it("re-declares const with a new type", () => {
    assert.equal(errors(nb.run("const x = 1")), "");
    assert.equal(errors(nb.run('const x = "s"')), "");
    assert.equal(errors(nb.run("x.toUpperCase()")), "");
    const stale = nb.run("x.toFixed()");
    assert.equal(stale.ok, false);
    assert.match(errors(stale), /TS2551 Property 'toFixed' does not exist on type '"s"'/);
  });

  it("keeps the type a variable had when it ran, after a name it came from changes", () => {
    nb.run("let base = 2");
    nb.run("const derived = base * 10");
    nb.run('let base = "two"');
    assert.equal(errors(nb.run("derived.toFixed(1); base.toUpperCase()")), "");
  });

  it("re-declares let, class and function (value and type)", () => {
    assert.equal(errors(nb.run("let counter = 0\ncounter += 1")), "");
    assert.equal(errors(nb.run("counter = 5")), "");
    assert.equal(errors(nb.run("let counter: string[] = []")), "");
    assert.equal(errors(nb.run('counter.push("a")')), "");

    nb.run("class Point { constructor(public x: number) {} }");
    assert.equal(errors(nb.run("const p1: Point = new Point(1)")), "");
    nb.run("class Point { constructor(public label: string) {} }");
    assert.equal(errors(nb.run('new Point("a").label.toUpperCase()')), "");
    assert.match(errors(nb.run("new Point(1)")), /TS2345/);

    nb.run("function area(r: number): number { return r * r }");
    nb.run("function area(w: number, h: number): string { return `${w * h}` }");
    assert.equal(errors(nb.run("area(2, 3).padStart(4)")), "");
    assert.match(errors(nb.run("area(2)")), /TS2554/);
  });

  it("re-declares interfaces, type aliases and generic classes", () => {
    nb.run("interface Shape { sides: number }\ntype Id<T> = { id: T }");
    assert.equal(errors(nb.run("const sq: Shape = { sides: 4 }; const i: Id<string> = { id: 'a' }")), "");
    nb.run("interface Shape { name: string }");
    assert.match(errors(nb.run("const tri: Shape = { sides: 3 }")), /TS2353|TS2741/);
    nb.run("class Box<T> { constructor(readonly value: T) {} }");
    assert.equal(errors(nb.run("const b = new Box(1);\nconst v: number = b.value")), "");
  });

  it("keeps earlier declarations when an execution count is committed twice (silent runs)", () => {
    const service = new CellCompilerService({ workingDirectory: notebookDir() });
    service.compileSync("class Kept { k = 1 }", { cell: 7, reportOnly: false });
    service.commitSync(7);
    service.compileSync("const other = 2", { cell: 7, reportOnly: false });
    service.commitSync(7);
    assert.deepEqual(service.compileSync("new Kept().k + other", { cell: 8, reportOnly: false }).diagnostics, []);
  });

  it("lets a cell declare the runtime's globals again", () => {
    const fresh = new Notebook(new CellCompilerService({ workingDirectory: notebookDir() }));
    assert.equal(errors(fresh.run("tf.tensor([1]).shape")), "");
    assert.equal(errors(fresh.run('import * as tf from "@tensorflow/tfjs";\ntf.layers.dense({ units: 1 })')), "");
    assert.equal(errors(fresh.run("tf.sequential()")), "");
    assert.equal(errors(fresh.run("const display = 5")), "");
    assert.equal(errors(fresh.run("display.toFixed(2)")), "");
  });
});

describe("cell compiler: names the libraries declare too", () => {
  it("gives later cells the cell's type for a redeclared library global", () => {
    const nb = new Notebook(new CellCompilerService({ workingDirectory: notebookDir() }));
    assert.equal(errors(nb.run("const console = { log: (n: number) => n * 2 }")), "");
    assert.equal(errors(nb.run("console.log(1).toFixed()")), "");
    assert.equal(errors(nb.run("const process = 5")), "");
    assert.equal(errors(nb.run("process.toFixed(); console.log(process)")), "");
    // The same names declared again, and imports of library names.
    assert.equal(errors(nb.run('const process = "p"; process.toUpperCase()')), "");
    assert.equal(errors(nb.run("process.toUpperCase()")), "");
    assert.equal(errors(nb.run('import { performance } from "node:perf_hooks"')), "");
    assert.equal(errors(nb.run("performance.now().toFixed()")), "");
    assert.match(errors(nb.run("process.toFixed()")), /TS2551/);
  });
});

describe("cell compiler: diagnostics", () => {
  let service: CellCompilerService;
  before(() => {
    service = new CellCompilerService({ workingDirectory: notebookDir() });
  });

  it("reports cell-relative line:column, code and message, and stops the cell", () => {
    const r = service.compileSync("const a = 1;\n\nconst b: string = a;", { cell: 1, reportOnly: false });
    assert.equal(r.ok, false);
    assert.deepEqual(r.diagnostics, [{ category: "error", line: 3, column: 7, code: 2322, message: "Type 'number' is not assignable to type 'string'." }]);
  });

  it("counts columns in code points", () => {
    const r = service.compileSync('const s = "🎉é"; const n: number = s;', { cell: 2, reportOnly: false });
    assert.equal(r.diagnostics[0]?.column, 23);
  });

  it("flattens message chains", () => {
    const r = service.compileSync("const o: { a: { b: number } } = { a: { b: 'x' } };", { cell: 3, reportOnly: false });
    assert.equal(r.diagnostics[0]?.code, 2322);
    assert.match(r.diagnostics[0]!.message, /string.*number/s);
  });

  it("runs anyway with reportOnly, with the errors reported", () => {
    const r = service.compileSync("const b: string = 1;\nb", { cell: 4, reportOnly: true });
    assert.equal(r.ok, true);
    assert.equal(r.diagnostics[0]?.code, 2322);
    assert.equal(r.js, "const b         = 1;\nb");
  });

  it("never runs a syntax error", () => {
    const r = service.compileSync("const = 5", { cell: 5, reportOnly: true });
    assert.equal(r.ok, false);
    assert.equal(r.diagnostics[0]?.line, 1);
  });

  it("accepts top-level await and for await", () => {
    const r = service.compileSync(
      "const v = await Promise.resolve(41);\nasync function* gen() { yield 1 }\nfor await (const x of gen()) console.log(x);\nv + 1",
      { cell: 6, reportOnly: false },
    );
    assert.equal(errors(r), "");
    assert.equal(r.ok, true);
  });

  it("knows Node's globals and the display API", () => {
    const r = service.compileSync('process.env.HOME; setTimeout(() => {}, 1); Buffer.from("a"); display.html("<b>x</b>").update(1); await input("?")', { cell: 7, reportOnly: false });
    assert.equal(errors(r), "");
  });
});

describe("cell compiler: modules", () => {
  it("type-checks imports of local .ts modules", () => {
    const dir = notebookDir({ "lib/helper.ts": "export function double(n: number): number { return n * 2 }\nexport interface Pair { a: number; b: number }\n" });
    const nb = new Notebook(new CellCompilerService({ workingDirectory: dir }));
    const bad = nb.run('import { double, type Pair } from "./lib/helper";\nconst s: string = double(2);');
    assert.equal(bad.ok, false);
    assert.match(errors(bad), /^2:7 TS2322/);
    assert.equal(errors(nb.run('import { double, type Pair } from "./lib/helper";\nconst p: Pair = { a: double(1), b: 2 };')), "");
    // Imports of earlier cells stay visible.
    assert.equal(errors(nb.run("double(p.a).toFixed()")), "");
    assert.match(errors(nb.run('import { triple } from "./lib/helper"')), /TS2305/);
  });

  it("resolves an ESM-only package's types from the notebook's node_modules", () => {
    const dir = notebookDir({
      "node_modules/esm-only/package.json": JSON.stringify({ name: "esm-only", type: "module", exports: { ".": { types: "./index.d.ts", import: "./index.js" } } }),
      "node_modules/esm-only/index.js": "export const greet = (n) => `hi ${n}`;\n",
      "node_modules/esm-only/index.d.ts": "export declare const greet: (name: string) => string;\n",
    });
    const service = new CellCompilerService({ workingDirectory: dir });
    assert.equal(errors(service.compileSync('import { greet } from "esm-only";\ngreet("a").toUpperCase()', { cell: 1, reportOnly: false })), "");
    assert.match(errors(service.compileSync('import { greet } from "esm-only";\ngreet(1)', { cell: 2, reportOnly: false })), /^2:7 TS2345/);
    assert.match(errors(service.compileSync('import { nope } from "not-installed-anywhere"', { cell: 3, reportOnly: false })), /TS2307/);
  });

  it("sees a local module's changes on disk", () => {
    const dir = notebookDir({ "util.ts": "export const unit = 1;\n" });
    const service = new CellCompilerService({ workingDirectory: dir });
    assert.equal(errors(service.compileSync('import { unit } from "./util";\nunit.toFixed()', { cell: 1, reportOnly: false })), "");
    writeFileSync(join(dir, "util.ts"), 'export const unit = "one";\n');
    utimesSync(join(dir, "util.ts"), new Date(), new Date(Date.now() + 5000));
    assert.equal(errors(service.compileSync('import { unit } from "./util";\nunit.toUpperCase()', { cell: 2, reportOnly: false })), "");
  });

  it("finds a package installed after a cell failed to import it (%install)", () => {
    const dir = notebookDir();
    const service = new CellCompilerService({ workingDirectory: dir });
    assert.match(errors(service.compileSync('import { late } from "late-pkg";\nlate(1)', { cell: 1, reportOnly: false })), /TS2307/);
    mkdirSync(join(dir, "node_modules", "late-pkg"), { recursive: true });
    writeFileSync(join(dir, "node_modules", "late-pkg", "package.json"), JSON.stringify({ name: "late-pkg", types: "index.d.ts", main: "index.js" }));
    writeFileSync(join(dir, "node_modules", "late-pkg", "index.d.ts"), "export declare function late(n: number): string;\n");
    assert.equal(errors(service.compileSync('import { late } from "late-pkg";\nlate(1).toUpperCase()', { cell: 2, reportOnly: false })), "");
  });

  it("honours a tsconfig.json next to the notebook", () => {
    const strict = new CellCompilerService({ workingDirectory: notebookDir() });
    assert.match(errors(strict.compileSync("function id(a) { return a }", { cell: 1, reportOnly: false })), /TS7006/);
    const loose = new CellCompilerService({ workingDirectory: notebookDir({ "tsconfig.json": '{ "compilerOptions": { "strict": false } }' }) });
    assert.equal(errors(loose.compileSync("function id(a) { return a }", { cell: 1, reportOnly: false })), "");
    // Switching folders reads the new folder's tsconfig.json.
    const dir = notebookDir({ "tsconfig.json": '{ "compilerOptions": { "noImplicitAny": false } }' });
    strict.setWorkingDirectorySync(dir);
    assert.equal(errors(strict.compileSync("function id(a) { return a }", { cell: 2, reportOnly: false })), "");
  });
});

describe("cell compiler: the runtime's globals file", () => {
  it("drops exactly the names that cells declared again, keeping positions", () => {
    const text = 'import type * as t from "m";\ndeclare global {\n  const tf: number;\n  const a: A, b: B, c: C;\n  function f(): void;\n}\nexport {};\n';
    const out = filterGlobals(text, (n) => ["tf", "b", "c", "f"].includes(n));
    assert.equal(out.length, text.length);
    const lines = out.split("\n").map((l) => l.trimEnd());
    assert.deepEqual(lines, ['import type * as t from "m";', "declare global {", "", "  const a: A            ;", "", "}", "export {};", ""]);
    assert.equal(filterGlobals(text, () => false), text);
  });
});

describe("cell compiler: cache of clean cells that declare nothing", () => {
  let nb: Notebook;
  before(() => {
    nb = new Notebook(new CellCompilerService({ workingDirectory: notebookDir() }));
  });

  it("gives the same result for the same clean cell, and never a stale one after declarations change", () => {
    const first = nb.run("1 + 1");
    assert.equal(nb.run("1 + 1"), first, "the second run of an unchanged clean cell is served from the cache");
    // An erroring cell is never cached: once the name exists, the same text checks clean.
    assert.match(errors(nb.run("later + 1")), /TS2304/);
    nb.run("const later = 41");
    assert.equal(errors(nb.run("later + 1")), "");
    // A clean cell cached before a declaration changed is checked again against the new one.
    nb.run("let shape = 1");
    assert.equal(errors(nb.run("shape.toFixed()")), "");
    nb.run('let shape = "round"');
    assert.match(errors(nb.run("shape.toFixed()")), /TS2551|TS2339/);
  });
});
