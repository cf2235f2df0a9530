// The full digits tutorial (not quick mode) on the native backend, through `glassbox run`, must reach
// its 97% test-accuracy floor within CI's time budget. Skipped, with the reason, where the addon is not built.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const ROOT = join(__dirname, "..", "..");
const ADDON = join(ROOT, "native", "build", "Release", "glassbox_native.node");
const skip = existsSync(ADDON) ? false : "the native addon is not built (npm run build:native; needs Debian's libtorch-dev)";

test("tutorial 3 in full trains the digits CNN to at least 97% on the native backend", { skip, timeout: 20 * 60_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), "glassbox-digits-"));
  try {
    const started = Date.now();
    const run = spawnSync(process.execPath, [join(ROOT, "bin", "glassbox.js"), "run", join(ROOT, "notebooks", "03-digits-cnn.ipynb"), "-o", join(out, "03.ipynb"), "--timeout", "900"], {
      // One intra-op thread unless told otherwise: on a shared CI machine OpenMP's barriers stall
      // whenever another process holds a core (measured at load 20: 2 threads ran 6x slower than 1,
      // for PyTorch too), and this test is about accuracy within CI's time, not thread scaling.
      env: { ...process.env, GLASSBOX_QUICK: "", GLASSBOX_BACKEND: "native", GLASSBOX_NATIVE_THREADS: process.env.GLASSBOX_NATIVE_THREADS ?? "1" },
      encoding: "utf8",
    });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`.slice(-4000));
    const text = JSON.stringify(JSON.parse(readFileSync(join(out, "03.ipynb"), "utf8")));
    assert.match(text, /Full run on the native backend/, "the full run used the native backend");
    const m = /Test accuracy: ([\d.]+)% .*?\(floor for this run: ([\d.]+)%\)/.exec(text);
    assert.ok(m, "the notebook prints its test accuracy and floor");
    assert.equal(Number(m[2]), 97, "the full run states the 97% floor");
    assert.ok(Number(m[1]) >= 97, `test accuracy ${m[1]}%`);
    process.stdout.write(`full digits tutorial on native: ${m[1]}% in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
