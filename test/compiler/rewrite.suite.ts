import assert from "node:assert/strict";
import { SourceMap, type SourceMapping } from "node:module";
import { before, describe, it } from "node:test";
import { CellCompilerService } from "../../kernel/engine/compiler/service";
import { notebookDir } from "./helpers";

/** An entry that must exist: findEntry returns {} when nothing maps there. */
function find(map: SourceMap, line: number, column: number): SourceMapping {
  const entry = map.findEntry(line, column);
  assert.ok("originalLine" in entry, `no mapping at ${line}:${column}`);
  return entry;
}

describe("cell compiler: emitted scripts", () => {
  let service: CellCompilerService;
  let n = 0;
  before(() => {
    const dir = notebookDir({
      "m.ts": "export default 1; export const a = 1; export const b = 2; export type T = number; export interface I { x: number }\n",
    });
    service = new CellCompilerService({ workingDirectory: dir });
  });
  const js = (code: string): string => service.compileSync(code, { cell: ++n, reportOnly: true }).js;
  const lines = (s: string): number => s.split("\n").length;

  it("rewrites each import form on its own line", () => {
    assert.equal(js('import x from "./m";'), 'const x = (await __glassbox.import("./m")).default;');
    assert.equal(js('import { a, b as c } from "./m";'), 'const { a, b: c } = await __glassbox.import("./m");');
    assert.equal(js('import * as ns from "./m";'), 'const ns = await __glassbox.import("./m");');
    assert.equal(js('import "./m";'), 'await __glassbox.import("./m");');
    assert.equal(js('import x, { a } from "./m";'), 'const { default: x, a } = await __glassbox.import("./m");');
    assert.equal(js('import x, * as ns from "./m";'), 'const ns = await __glassbox.import("./m"), x = ns.default;');
    assert.equal(js('import fs = require("node:fs");'), 'const fs = require("node:fs");');
    assert.equal(js('import data from "./d.json" with { type: "json" };'), 'const data = (await __glassbox.import("./d.json", { with: { type: "json" } })).default;');
  });

  it("drops imports of types only", () => {
    assert.equal(js('import type { T } from "./m";').trim(), "");
    assert.equal(js('import { type T, a } from "./m";'), 'const { a } = await __glassbox.import("./m");');
    // Named imports that are only types vanish, as tsc elides them.
    assert.equal(js('import { T, I } from "./m";\n1').trim(), "1");
  });

  it("rewrites dynamic import() and keeps require", () => {
    assert.equal(js('const m = await import("./m");\nconst r = require("node:path");'), 'const m = await __glassbox.import("./m");\nconst r = require("node:path");');
  });

  it("drops export syntax, keeping the declarations and the last expression", () => {
    assert.equal(js("export const k = 1;\nexport function f() { return k }\nexport { k as kk };\nexport default f();"),
      "       const k = 1;\n       function f() { return k }\n\n               f();");
  });

  it("has no import or export statement left, and keeps the line count", () => {
    const cell = [
      'import x, {',
      '  a,',
      '  b as c,',
      '} from "./m";',
      'import type { T } from "./m";',
      'import * as ns from "./m";',
      'export interface Local { v: T }',
      'export const sum: number = a + c + x;',
      "sum * 2",
    ].join("\n");
    const out = js(cell);
    assert.equal(lines(out), lines(cell));
    assert.doesNotMatch(out, /^\s*(import|export)\b/m);
    assert.doesNotMatch(out, /use strict/);
    assert.match(out.split("\n").at(-1)!, /^sum \* 2$/);
    assert.match(out.split("\n")[7]!, /^\s+const sum\s+= a \+ c \+ x;$/);
  });

  it("maps lines and columns back to the cell", () => {
    const cell = 'import { a } from "./m";\nconst v: number = a;\nthrow new Error(`v=${v}`);';
    const r = service.compileSync(cell, { cell: 90, reportOnly: false });
    const map = new SourceMap(JSON.parse(r.sourceMap));
    const line3 = r.js.split("\n")[2]!;
    // V8's 0-based positions of `new Error` on line 3.
    const entry = find(map, 2, line3.indexOf("new"));
    assert.equal(entry.originalSource, "cell-90.ts");
    assert.equal(entry.originalLine, 2);
    assert.equal(entry.originalColumn, 6);
    const first = find(map, 0, r.js.indexOf("__glassbox"));
    assert.equal(first.originalLine, 0);
  });

  it("lowers decorators, which V8 does not run yet", () => {
    const r = service.compileSync("function logged(f: any, c: ClassMethodDecoratorContext) { return f }\nclass Svc { @logged run() { return 1 } }", { cell: 92, reportOnly: false });
    assert.equal(r.ok, true);
    assert.doesNotMatch(r.js, /@logged/);
    assert.match(r.js, /__esDecorate/);
  });

  it("emits enums and namespaces through TypeScript, with a map", () => {
    const cell = 'import { a } from "./m";\nenum Color { Red, Green }\nnamespace N { export const z = 1 }\nColor.Green + N.z + a';
    const r = service.compileSync(cell, { cell: 91, reportOnly: false });
    assert.equal(r.ok, true);
    assert.doesNotMatch(r.js, /^\s*(import|export)\b/m);
    assert.match(r.js, /Color\[Color\["Green"\] = 1\] = "Green"/);
    assert.doesNotMatch(r.js, /sourceMappingURL|use strict/);
    const map = new SourceMap(JSON.parse(r.sourceMap));
    const lastLine = r.js.trimEnd().split("\n").length - 1;
    assert.equal(find(map, lastLine, 0).originalLine, 3);
  });
});
