// The emitted scripts run in V8's REPL mode as the runtime runs them: re-declaration, top-level
// await, rewritten imports, and the last expression as the result.
import assert from "node:assert/strict";
import { Session } from "node:inspector/promises";
import { after, before, describe, it } from "node:test";
import { CellCompilerService } from "../../kernel/engine/compiler/service";
import { notebookDir } from "./helpers";

describe("cell compiler: scripts in V8 REPL mode", () => {
  const session = new Session();
  let service: CellCompilerService;
  let cell = 0;
  before(async () => {
    const dir = notebookDir({ "node_modules/esm-only/package.json": JSON.stringify({ name: "esm-only", type: "module", exports: { ".": { types: "./index.d.ts", import: "./index.js" } } }), "node_modules/esm-only/index.js": "export const greet = (n) => `hi ${n}`;\nexport default 42;\n", "node_modules/esm-only/index.d.ts": "export declare const greet: (name: string) => string;\ndeclare const _default: number;\nexport default _default;\n" });
    service = new CellCompilerService({ workingDirectory: dir });
    // The runtime's loader, reduced to what this test imports: node built-ins and one package.
    const { pathToFileURL } = await import("node:url");
    (globalThis as Record<string, unknown>).__glassbox = {
      import: (spec: string) => import(spec.startsWith("node:") ? spec : pathToFileURL(`${dir}/node_modules/${spec}/index.js`).href),
    };
    session.connect();
  });
  after(() => {
    session.disconnect();
    delete (globalThis as Record<string, unknown>).__glassbox;
  });

  /** Compiles, runs and commits a cell; returns its result value. */
  async function run(code: string): Promise<unknown> {
    const n = ++cell;
    const compiled = service.compileSync(code, { cell: n, reportOnly: false });
    assert.equal(compiled.ok, true, compiled.diagnostics.map((d) => d.message).join("\n"));
    const { result, exceptionDetails } = (await session.post("Runtime.evaluate", {
      expression: `${compiled.js}\n//# sourceURL=cell-${n}.ts`,
      replMode: true,
      awaitPromise: true,
      returnByValue: true,
    })) as unknown as { result: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } };
    if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
    service.commitSync(n);
    return result.value;
  }

  it("re-declares const, let and class across cells", async () => {
    await run("const rx = 1");
    await run('const rx = "s"');
    assert.equal(await run("rx.toUpperCase()"), "S");
    await run("let rcount: number = 1");
    await run("let rcount: string = 'one'");
    await run("class RThing { get v(): number { return 1 } }");
    await run("class RThing { get v(): string { return 'two' } }");
    assert.equal(await run("new RThing().v + rcount"), "twoone");
  });

  it("runs top-level await and keeps the last expression as the result", async () => {
    assert.equal(await run("const waited: number = await new Promise<number>((r) => setTimeout(() => r(41), 1));\ninterface After { x: number }\nwaited + 1"), 42);
  });

  it("runs rewritten imports, and imported names stay bound in later cells", async () => {
    assert.equal(await run('import { join as pjoin } from "node:path";\nimport type { ParsedPath } from "node:path";\npjoin("a", "b")'), "a/b");
    assert.equal(await run('import answer, { greet } from "esm-only";\ngreet("you") + answer'), "hi you42");
    assert.equal(await run("pjoin('x', greet('y'))"), "x/hi y");
    assert.equal(await run('const { sep } = await import("node:path");\nsep'), "/");
  });

  it("runs cells that TypeScript emits (enums) and drops export syntax", async () => {
    assert.equal(await run("export enum Dir { Up = 1, Down }\nexport const d: Dir = Dir.Down;\nd"), 2);
    assert.equal(await run("d + Dir.Up"), 3);
    assert.equal(await run("function twice(f: any, _c: ClassMethodDecoratorContext) { return function (this: unknown) { return 2 * f.call(this) } }\nclass Dec { @twice one() { return 1 } }\nnew Dec().one()"), 2);
  });
});
