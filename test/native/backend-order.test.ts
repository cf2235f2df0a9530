// Where the native backend sits in the kernel's backend order, and what the banner says about it.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { chooseBackend, defaultCandidates, describeBackend } from "../../kernel/engine/backends";

const native = (gpu: boolean) => ({ load: async () => "not here", likely: () => false, gpu: () => gpu, describe: () => ["  device: test"] });

test("on a GPU the native backend is tried first; on the CPU after TensorFlow's", () => {
  const labels = (gpu: boolean) => defaultCandidates({ native: native(gpu) }).map((c) => c.label);
  assert.deepEqual(labels(true).slice(0, 2), ["native (libtorch)", "tensorflow (CUDA)"]);
  assert.deepEqual(labels(false).slice(0, 3), ["tensorflow (CUDA)", "tensorflow (CPU)", "native (libtorch)"]);
});

test("the chosen backend's own lines follow the banner's first line, asked afresh each time", async () => {
  let calls = 0;
  const choice = await chooseBackend(tf, [
    { name: "cpu", label: "cpu (pure JavaScript)", likely: () => true, load: async () => null, describe: () => [`  call ${++calls}`] },
  ]);
  assert.equal(describeBackend(choice), "Tensor backend: cpu (pure JavaScript)\n  call 1");
  assert.equal(describeBackend(choice), "Tensor backend: cpu (pure JavaScript)\n  call 2");
});
