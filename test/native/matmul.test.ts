// Native BatchMatMul and _FusedMatMul against TensorFlow.js's cpu kernels.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { assertClose, compareKernel, fallbacksDuring, randomInput, skip, tf, useBackend } from "./helpers";

interface MatMulCase {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

const CASES: MatMulCase[] = [
  { a: [1, 1], b: [1, 1], transposeA: false, transposeB: false },
  { a: [5, 7], b: [7, 3], transposeA: false, transposeB: false },
  { a: [7, 5], b: [7, 3], transposeA: true, transposeB: false },
  { a: [5, 7], b: [3, 7], transposeA: false, transposeB: true },
  { a: [7, 5], b: [3, 7], transposeA: true, transposeB: true },
  { a: [3, 4, 6], b: [3, 6, 2], transposeA: false, transposeB: false },
  { a: [1, 4, 6], b: [3, 6, 2], transposeA: false, transposeB: false },
  { a: [2, 3, 6, 4], b: [3, 5, 6], transposeA: true, transposeB: true },
  { a: [64, 1600], b: [1600, 128], transposeA: false, transposeB: false },
];

const label = (c: MatMulCase) => `${c.a.join("×")}${c.transposeA ? "ᵀ" : ""} · ${c.b.join("×")}${c.transposeB ? "ᵀ" : ""}`;
const columns = (c: MatMulCase) => (c.transposeB ? c.b[c.b.length - 2] : c.b[c.b.length - 1]) as number;

describe("native BatchMatMul", { skip }, () => {
  for (const [i, c] of CASES.entries()) {
    test(label(c), async () => {
      await compareKernel("BatchMatMul", { a: randomInput(c.a, 600 + i), b: randomInput(c.b, 610 + i) },
        { transposeA: c.transposeA, transposeB: c.transposeB }, 1e-4);
    });
  }
});

describe("native _FusedMatMul", { skip }, () => {
  const activations = ["linear", "relu", "relu6", "sigmoid", "leakyrelu", "elu"];
  for (const [i, c] of CASES.entries()) {
    const activation = activations[i % activations.length] as string;
    test(`${activation}, bias, ${label(c)}`, async () => {
      await compareKernel("_FusedMatMul",
        { a: randomInput(c.a, 700 + i), b: randomInput(c.b, 710 + i), bias: randomInput([columns(c)], 720 + i) },
        { transposeA: c.transposeA, transposeB: c.transposeB, activation, leakyreluAlpha: 0.3 }, 1e-4);
    });
  }
  test("a full-matrix bias is added, and left as it was", async () => {
    await compareKernel("_FusedMatMul", { a: randomInput([5, 7], 732), b: randomInput([7, 3], 733), bias: randomInput([5, 3], 734) },
      { transposeA: false, transposeB: false, activation: "linear" });
    await useBackend("native");
    const bias = tf.tensor2d([[1, 2], [3, 4]]);
    const y = tf.fused.matMul({ a: tf.eye(2), b: tf.eye(2), bias });
    assert.deepEqual(Array.from(y.dataSync()), [2, 2, 3, 5]);
    assert.deepEqual(Array.from(bias.dataSync()), [1, 2, 3, 4]);
    tf.dispose([bias, y]);
  });
  test("relu without bias", async () => {
    await compareKernel("_FusedMatMul", { a: randomInput([4, 9], 730), b: randomInput([9, 5], 731) },
      { transposeA: false, transposeB: false, activation: "relu" });
  });
});

// Transposes and slices are views on the native backend, so a product can receive operands with row
// strides wider than their rows, or column-major ones; oneDNN's sgemm reads those in place.
describe("native matMul on views", { skip }, () => {
  const product = (x: tf.Tensor2D, w: tf.Tensor2D, bias: tf.Tensor1D) => [
    tf.matMul(tf.slice(x, [1, 2], [5, 6]), tf.slice(w, [1, 1], [6, 4])),
    tf.matMul(tf.transpose(x), tf.slice(x, [0, 3], [9, 2])),
    tf.fused.matMul({ a: tf.slice(x, [0, 0], [9, 7]), b: tf.slice(w, [0, 0], [7, 3]), bias: tf.slice(bias, [0], [3]), activation: "relu" }),
    tf.matMul(tf.slice(x, [2, 0], [1, 8]), tf.slice(tf.transpose(w), [0, 0], [5, 8]), false, true),
  ];
  test("sliced and transposed operands give the cpu backend's products", async () => {
    const x = randomInput([9, 8], 740);
    const w = randomInput([8, 5], 741);
    const b = randomInput([5], 742);
    const run = async (backend: string) => {
      await useBackend(backend);
      return tf.tidy(() => product(tf.tensor2d(x.values as Float32Array, [9, 8]), tf.tensor2d(w.values as Float32Array, [8, 5]),
        tf.tensor1d(b.values as Float32Array))).map((t) => {
        const values = { shape: t.shape, values: Array.from(t.dataSync()) };
        t.dispose();
        return values;
      });
    };
    const expected = await run("cpu");
    let actual: Awaited<ReturnType<typeof run>> = [];
    const fallbacks = await fallbacksDuring(async () => (actual = await run("native")));
    assert.deepEqual(fallbacks, []);
    expected.forEach((e, i) => {
      assert.deepEqual(actual[i]?.shape, e.shape, `product ${i}: shape`);
      assertClose(actual[i]?.values ?? [], e.values, 1e-5, `product ${i}`);
    });
  });
});

// oneDNN 2.6's sgemm corrupts the heap when a signal lands in it (native/src/matmul.cc). A child
// process multiplies dense-layer-sized matrices on 2 threads while V8's profiler samples it every
// 100 us (SIGPROF to the main thread) and this process sends it SIGUSR2 (to any thread) every 2 ms;
// unprotected, glibc aborts it within a second or two.
describe("native matMul under signals", { skip }, () => {
  test("profiler samples and process signals during products do not crash the process", async () => {
    const dir = mkdtempSync(join(tmpdir(), "glassbox-signals-"));
    const script = `const tf = require("@tensorflow/tfjs");
      const { registerNativeBackend } = require(${JSON.stringify(join(__dirname, "..", "..", "kernel", "backends", "native", "index.ts"))});
      process.on("SIGUSR2", () => {});
      const r = registerNativeBackend(tf); if (!r.ok) throw new Error(r.reason);
      tf.setBackend("native").then(() => {
        const a = tf.randomNormal([64, 1600]), w = tf.randomNormal([1600, 128]), dy = tf.randomNormal([64, 128]);
        console.log("ready");
        for (let i = 0; i < 800; i++) tf.tidy(() => [tf.matMul(a, w), tf.matMul(dy, w, false, true), tf.matMul(a, dy, true, false)]);
        console.log("done");
        // Exit only once the parent has stopped signalling (an exiting process drops its handlers).
        process.stdin.on("end", () => process.exit(0)).resume();
      });`;
    try {
      const child = spawn(process.execPath, ["--cpu-prof", "--cpu-prof-interval", "100", "--cpu-prof-dir", dir, "--import", "tsx", "-e", script], {
        env: { ...process.env, GLASSBOX_NATIVE_THREADS: "2" }, cwd: join(__dirname, "..", ".."),
      });
      let stdout = "";
      let stderr = "";
      let signals = 0;
      let timer: NodeJS.Timeout | undefined;
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("done")) {
          clearInterval(timer);
          child.stdin.end();
          return;
        }
        if (timer === undefined && stdout.includes("ready")) {
          timer = setInterval(() => {
            if (child.exitCode === null && child.signalCode === null && child.kill("SIGUSR2")) signals++;
          }, 2);
        }
      });
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on("exit", (c, s) => resolve([c, s])));
      clearInterval(timer);
      assert.equal(signal, null, `the child died of ${signal}: ${stderr.trim().split("\n").slice(-3).join(" / ")}`);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /done/);
      assert.ok(signals > 10, `only ${signals} signals were sent during the products`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("GLASSBOX_NATIVE_GEMM=aten", { skip }, () => {
  test("keeps products on ATen, says so in the banner, and gives the same values", () => {
    const script = `const tf = require("@tensorflow/tfjs");
      const native = require(${JSON.stringify(join(__dirname, "..", "..", "kernel", "backends", "native", "index.ts"))});
      const r = native.registerNativeBackend(tf); if (!r.ok) throw new Error(r.reason);
      tf.setBackend("native").then(() => {
        const y = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]]));
        console.log(JSON.stringify({ values: Array.from(y.dataSync()), gemm: native.nativeAddon().gemmLibrary(), banner: native.describeNative().join(" ") }));
      });`;
    const run = spawnSync(process.execPath, ["--import", "tsx", "-e", script], {
      env: { ...process.env, GLASSBOX_NATIVE_GEMM: "aten" }, encoding: "utf8", cwd: join(__dirname, "..", ".."),
    });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as { values: number[]; gemm: string; banner: string };
    assert.deepEqual(out.values, [19, 22, 43, 50]);
    assert.equal(out.gemm, "ATen");
    assert.match(out.banner, /matrix products: ATen \(system BLAS\)/);
  });
});
