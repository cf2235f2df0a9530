// The native backend's storage (tensors held by libtorch, named by dataIds): round trips, reference
// counts of clones, reshapes and variables, in-place optimizer updates that other tensors never see,
// no leaks, the counted host fallback, what the banner says, and the device choice.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import { describeNative, nativeAddon } from "../../kernel/backends/native/index";
import { assertRegistered, fallbacksDuring, random, skip, tf, useBackend } from "./helpers";

async function onNative(): Promise<void> {
  await useBackend("native");
}

/** Tensors the engine tracks, and slots the addon holds, must move together. */
function counts(): { tensors: number; slots: number; dataIds: number } {
  return { tensors: tf.memory().numTensors, slots: nativeAddon()!.live(), dataIds: tf.backend().numDataIds() };
}

describe("native backend storage", { skip }, () => {
  test("float32, int32, bool and string tensors round-trip", async () => {
    await onNative();
    const f = tf.tensor([1.5, -2, 3e-8], [3]);
    const i = tf.tensor([7, -8], [2], "int32");
    const b = tf.tensor([true, false, true], [3], "bool");
    const s = tf.tensor(["a", "bc"]);
    assert.deepEqual(Array.from(f.dataSync()), [1.5, -2, Math.fround(3e-8)]);
    assert.ok(i.dataSync() instanceof Int32Array);
    assert.deepEqual(Array.from(i.dataSync()), [7, -8]);
    assert.deepEqual(Array.from(await b.data()), [1, 0, 1]);
    assert.deepEqual(s.dataSync(), ["a", "bc"]);
    assert.deepEqual(tf.tensor([], [0, 4]).arraySync(), []);
    tf.dispose([f, i, b, s]);
  });

  test("clones, reshapes and variables keep their data until the last user is disposed", async () => {
    await onNative();
    const before = counts();
    const x = tf.tensor(random(12, 1), [3, 4]);
    const clone = x.clone();
    const view = x.reshape([4, 3]);
    const slice = x.slice([1, 0], [2, 4]);
    const v = tf.variable(x);
    const expected = Array.from(x.dataSync());
    x.dispose();
    assert.deepEqual(Array.from(clone.dataSync()), expected);
    assert.deepEqual(Array.from(view.dataSync()), expected);
    assert.deepEqual(Array.from(slice.dataSync()), expected.slice(4, 12));
    assert.deepEqual(Array.from(v.dataSync()), expected);
    const zeros = tf.zeros([3, 4]);
    v.assign(zeros);
    zeros.dispose();
    assert.deepEqual(Array.from(clone.dataSync()), expected, "assigning a variable leaves a clone of its old value alone");
    tf.dispose([clone, view, slice, v]);
    assert.deepEqual(counts(), before);
  });

  test("adam updates variables in place only where no other tensor sees their memory", async () => {
    await onNative();
    const w = tf.variable(tf.tensor(random(6, 2), [2, 3]));
    const snapshot = w.clone();
    const view = w.reshape([6]);
    const kept = Array.from(snapshot.dataSync());
    const optimizer = tf.train.adam(0.1);
    for (let step = 0; step < 3; step++) optimizer.minimize(() => tf.sum(tf.square(w)) as tf.Scalar);
    assert.deepEqual(Array.from(snapshot.dataSync()), kept, "a clone taken before training is unchanged");
    assert.deepEqual(Array.from(view.dataSync()), kept, "a reshape taken before training is unchanged");
    assert.notDeepEqual(Array.from(w.dataSync()), kept, "the variable itself moved");
    tf.dispose([w, snapshot, view]);
    optimizer.dispose();
  });

  test("many ops in a tidy leave no tensor and no libtorch slot behind", async () => {
    await onNative();
    const before = counts();
    const x = tf.tensor(random(64, 3), [8, 8]);
    for (let i = 0; i < 20; i++) {
      tf.tidy(() => {
        const y = tf.concat([x.slice([0, 0], [4, 8]), x.transpose().slice([4, 0], [4, 8])], 0);
        return tf.softmax(tf.matMul(y, x).add(1).relu()).sum(1).argMax();
      }).dispose();
    }
    x.dispose();
    assert.deepEqual(counts(), before);
  });

  test("a kernel without a native implementation runs through the counted host fallback", async () => {
    await onNative();
    const x = tf.tensor4d(random(2 * 3 * 3 * 4, 4), [2, 3, 3, 4]);
    let native: number[] = [];
    const fallbacks = await fallbacksDuring(() => {
      const y = tf.localResponseNormalization(x, 2);
      native = Array.from(y.dataSync());
      y.dispose();
    });
    assert.deepEqual(fallbacks, ["LRN x1"]);
    assert.match(describeNative().join("\n"), /host fallbacks .*LRN x\d+/);
    await useBackend("cpu");
    const cx = tf.tensor4d(random(2 * 3 * 3 * 4, 4), [2, 3, 3, 4]);
    const expected = tf.localResponseNormalization(cx, 2);
    assert.deepEqual(native, Array.from(expected.dataSync()));
    tf.dispose([cx, expected]);
    await useBackend("native");
    x.dispose();
  });

  test("the banner names the device, threads and libtorch version", async () => {
    await onNative();
    const text = describeNative().join("\n");
    assert.match(text, /device: (cpu, \d+ threads?|cuda:0 .+, \d+ GB); libtorch \d+\.\d+/);
    const memory = tf.memory() as { numBytesInDevice?: number };
    assert.equal(typeof memory.numBytesInDevice, "number");
  });

  test("GLASSBOX_DEVICE=cuda either runs on the GPU or says why it cannot", () => {
    assertRegistered();
    const script = `const tf = require("@tensorflow/tfjs"); const { registerNativeBackend, nativeStatus } = require(${JSON.stringify(join(__dirname, "..", "..", "kernel", "backends", "native", "index.ts"))});
      const r = registerNativeBackend(tf); console.log(JSON.stringify({ r, device: nativeStatus()?.device.device }));`;
    const run = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { env: { ...process.env, GLASSBOX_DEVICE: "cuda" }, encoding: "utf8", cwd: join(__dirname, "..", "..") });
    const line = run.stdout.trim().split("\n").pop() ?? "";
    const { r, device } = JSON.parse(line) as { r: { ok: boolean; reason?: string }; device?: string };
    if (r.ok) assert.equal(device, "cuda:0");
    else assert.match(r.reason ?? "", /^GLASSBOX_DEVICE=cuda, but (the linked libtorch has no CUDA|no NVIDIA driver|no GPU|libtorch has CUDA but|the NVIDIA driver)/);
  });
});
