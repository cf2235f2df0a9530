// The compiler in its worker thread, through the main-thread client, as the runtime uses it.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as esbuild from "esbuild";
import { startCompiler, type CompilerClient } from "../../kernel/engine/compiler/client";
import { notebookDir, removeNotebookDirs } from "./helpers";

/**
 * Bundles the worker as esbuild.mjs does for dist/ (CommonJS, typescript external), into a fresh
 * folder under the repository's node_modules/.cache, from where `typescript` resolves as it does from dist/.
 */
async function buildWorker(): Promise<string> {
  const cache = join(__dirname, "../../node_modules/.cache");
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(join(cache, "glassbox-compiler-worker-"));
  await esbuild.build({
    entryPoints: { "compiler.worker": join(__dirname, "../../kernel/engine/compiler/compiler.worker.ts") },
    outdir,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["typescript"],
    logLevel: "warning",
  });
  return join(outdir, "compiler.worker.js");
}

/** The real worker, plus a hook that makes it exit with code 7 on the cell "process.crash", once. */
function crashOnce(workerFile: string): string {
  const dir = notebookDir();
  const marker = join(dir, "crashed");
  const file = join(dir, "crashy.worker.js");
  writeFileSync(
    file,
    `const { parentPort } = require("node:worker_threads");
     const { existsSync, writeFileSync } = require("node:fs");
     parentPort.on("message", (m) => {
       if (m.method === "compile" && m.args[0] === "process.crash" && !existsSync(${JSON.stringify(marker)})) {
         writeFileSync(${JSON.stringify(marker)}, "");
         process.exit(7);
       }
     });
     require(${JSON.stringify(workerFile)});\n`,
  );
  return file;
}

describe("compiler worker through the client", () => {
  let workerFile: string;
  let compiler: CompilerClient;
  before(async () => {
    workerFile = await buildWorker();
    compiler = startCompiler({ workerFile: crashOnce(workerFile), workingDirectory: notebookDir() });
  });
  after(async () => {
    await compiler.close();
    rmSync(dirname(workerFile), { recursive: true, force: true });
    removeNotebookDirs();
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

  it("reports errors thrown in the worker to the caller", async () => {
    await assert.rejects(compiler.compile(undefined as unknown as string, { cell: 3, reportOnly: false }), (e: Error) => e instanceof Error && e.message.length > 0);
    // The worker is still serving.
    assert.equal((await compiler.isComplete("1")).status, "complete");
  });

  it("restarts a dead worker on the next call, with the folder and earlier cells' declarations", async () => {
    const dir = notebookDir({ "tsconfig.json": '{ "compilerOptions": { "strict": false } }' });
    await compiler.setWorkingDirectory(dir);
    assert.equal((await compiler.compile("const survivor = 1", { cell: 4, reportOnly: false })).ok, true);
    await compiler.commit(4);
    await assert.rejects(compiler.compile("process.crash", { cell: 5, reportOnly: false }), /compiler worker exited with code 7 during compile/);
    const after = await compiler.compile("survivor.toFixed(); model.fit; function id(a) { return a }", { cell: 6, reportOnly: false });
    assert.deepEqual(after.diagnostics, []);
    assert.ok((await compiler.complete("surv", 4)).matches.includes("survivor"));
  });
});
