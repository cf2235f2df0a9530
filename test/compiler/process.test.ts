// The compiler in its own process, through the client, as the runtime uses it: started from the
// bundle, and from a start-up snapshot of that bundle.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as esbuild from "esbuild";
import { startCompiler, type CompilerClient } from "../../kernel/engine/compiler/client";
import { notebookDir, removeNotebookDirs } from "./helpers";

/**
 * Bundles the compiler process as esbuild.mjs does for dist/ (CommonJS, TypeScript inside), into a
 * fresh folder inside the repository, from where it finds the kernel's install as dist/ does.
 */
async function buildBundle(): Promise<string> {
  const cache = join(__dirname, "../../node_modules/.cache");
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(join(cache, "glassbox-compiler-process-"));
  await esbuild.build({
    entryPoints: { "compiler.process": join(__dirname, "../../kernel/engine/compiler/compiler.process.ts") },
    outdir,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    logLevel: "warning",
  });
  return join(outdir, "compiler.process.js");
}

/** `node --build-snapshot` on the bundle, as `glassbox snapshot` runs it. */
function buildSnapshot(bundle: string): string {
  const blob = join(dirname(bundle), "compiler.blob");
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const result = spawnSync(process.execPath, ["--snapshot-blob", blob, "--build-snapshot", bundle], { env, encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  return blob;
}

/** The real compiler, plus a hook that makes it exit with code 7 on the cell "process.crash", once. */
function crashOnce(bundle: string): string {
  const dir = notebookDir();
  const marker = join(dir, "crashed");
  const file = join(dirname(bundle), "crashy.process.js");
  writeFileSync(
    file,
    `const { existsSync, writeFileSync } = require("node:fs");
     process.on("message", (m) => {
       if (m.method === "compile" && m.args[0] === "process.crash" && !existsSync(${JSON.stringify(marker)})) {
         writeFileSync(${JSON.stringify(marker)}, "");
         process.exit(7);
       }
     });
     require(${JSON.stringify(bundle)});\n`,
  );
  return file;
}

let bundle: string;
before(async () => {
  bundle = await buildBundle();
});
after(() => {
  rmSync(dirname(bundle), { recursive: true, force: true });
  removeNotebookDirs();
});

describe("compiler process started from its bundle", () => {
  let compiler: CompilerClient;
  before(() => {
    compiler = startCompiler({ processFile: crashOnce(bundle), snapshot: null, workingDirectory: notebookDir() });
  });
  after(async () => {
    await compiler.close();
  });

  it("serves every CellCompiler method", async () => {
    assert.equal((await compiler.complete("tf.lay", 6)).matches[0], "layers");
    const model = await compiler.compile("const model = tf.sequential();\nmodel", { cell: 1, reportOnly: false });
    assert.equal(model.ok, true);
    assert.equal(model.js, "const model = tf.sequential();\nmodel");
    await compiler.commit(1);
    assert.ok((await compiler.complete("model.fi", 8)).matches.includes("fit"));
    const bad = await compiler.compile("model.fitt()", { cell: 2, reportOnly: false });
    assert.equal(bad.ok, false);
    assert.equal(bad.diagnostics[0]?.code, 2551);
    assert.equal((await compiler.inspect("model", 3, 0)).found, true);
    assert.deepEqual(await compiler.isComplete("for (;;) {"), { status: "incomplete", indent: "  " });
  });

  it("keeps typescript off the main thread: the client bundle does not require it", async () => {
    const out = await esbuild.build({
      entryPoints: [join(__dirname, "../../kernel/engine/compiler/client.ts")],
      bundle: true,
      platform: "node",
      format: "cjs",
      external: ["typescript"],
      write: false,
      logLevel: "warning",
    });
    assert.doesNotMatch(out.outputFiles[0]!.text, /require\("typescript"\)/);
  });

  it("reports errors thrown in the compiler to the caller", async () => {
    await assert.rejects(compiler.compile(undefined as unknown as string, { cell: 3, reportOnly: false }), (e: Error) => e instanceof Error && e.message.length > 0);
    // The compiler is still serving.
    assert.equal((await compiler.isComplete("1")).status, "complete");
  });

  it("restarts a dead compiler on the next call, with the folder and earlier cells' declarations", async () => {
    const dir = notebookDir({ "tsconfig.json": '{ "compilerOptions": { "strict": false } }' });
    await compiler.setWorkingDirectory(dir);
    assert.equal((await compiler.compile("const survivor = 1", { cell: 4, reportOnly: false })).ok, true);
    await compiler.commit(4);
    await assert.rejects(compiler.compile("process.crash", { cell: 5, reportOnly: false }), /TypeScript compiler exited with code 7 during compile/);
    const after = await compiler.compile("survivor.toFixed(); model.fit; function id(a) { return a }", { cell: 6, reportOnly: false });
    assert.deepEqual(after.diagnostics, []);
    assert.ok((await compiler.complete("surv", 4)).matches.includes("survivor"));
  });
});

describe("compiler process started from a snapshot", () => {
  let blob: string;
  const started: string[] = [];
  before(() => {
    blob = buildSnapshot(bundle);
  });

  it("checks cells in a folder other than the one it was built in, against every library", async () => {
    const dir = notebookDir({ "helpers/scale.ts": "export const scale = (x: number) => x * 2;\n" });
    const compiler = startCompiler({ processFile: bundle, snapshot: blob, workingDirectory: dir, onStart: (how) => started.push(how) });
    try {
      assert.match(started.at(-1)!, /from its snapshot/);
      // Lib (Math), Node's types (process), TensorFlow.js, and a module beside the notebook.
      const ok = await compiler.compile('import { scale } from "./helpers/scale";\nconst r: number = scale(Math.sqrt(2));\nprocess.cwd();\ntf.tensor([r]).print();\n', { cell: 1, reportOnly: false });
      assert.deepEqual(ok.diagnostics, []);
      assert.equal(ok.ok, true);
      const bad = await compiler.compile("const s: string = Math.PI;", { cell: 2, reportOnly: false });
      assert.deepEqual(bad.diagnostics.map((d) => d.code), [2322]);
      assert.deepEqual((await compiler.complete("Math.sq", 7)).matches.slice(0, 1), ["sqrt"]);
      // Declarations keep their documentation in the snapshot.
      const doc = await compiler.inspect("tf.sequential", 5, 0);
      assert.equal(doc.found, true);
      assert.match(doc.data["text/plain"] ?? "", /Sequential/);
      assert.ok((doc.data["text/markdown"] ?? "").length > 50, JSON.stringify(doc.data));
    } finally {
      await compiler.close();
    }
  });

  it("speaks the learner's language, and ignores the kernel's NODE_OPTIONS (V8 refuses a snapshot under other flags)", async () => {
    const saved = { lang: process.env.GLASSBOX_LANG, options: process.env.NODE_OPTIONS };
    process.env.GLASSBOX_LANG = "zh-CN";
    process.env.NODE_OPTIONS = "--max-semi-space-size=32";
    const compiler = startCompiler({ processFile: bundle, snapshot: blob, workingDirectory: notebookDir(), onStart: (how) => started.push(how) });
    try {
      const bad = await compiler.compile("const s: string = 1;", { cell: 1, reportOnly: false });
      assert.match(bad.diagnostics[0]?.message ?? "", /不能将类型/);
      assert.doesNotMatch(started.at(-1)!, /could not be loaded/);
    } finally {
      await compiler.close();
      for (const [key, value] of [["GLASSBOX_LANG", saved.lang], ["NODE_OPTIONS", saved.options]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it("falls back to the bundle when the snapshot cannot be loaded, answering the requests already sent", async () => {
    const damaged = join(dirname(bundle), "damaged.blob");
    writeFileSync(damaged, "not a snapshot");
    const compiler = startCompiler({ processFile: bundle, snapshot: damaged, workingDirectory: notebookDir(), onStart: (how) => started.push(how) });
    try {
      const [first, second] = await Promise.all([
        compiler.compile("const n: number = Math.max(1, 2);", { cell: 1, reportOnly: false }),
        compiler.complete("Math.ma", 7),
      ]);
      assert.equal(first.ok, true, JSON.stringify(first.diagnostics));
      assert.ok(second.matches.includes("max"));
      assert.match(started.at(-1)!, /again, without a snapshot: its snapshot could not be loaded/);
    } finally {
      await compiler.close();
    }
  });
});
