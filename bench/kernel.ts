/**
 * Kernel latency against ipykernel, measured in the same run with the same client:
 *   startup (spawn → first kernel_info reply), trivial execute round trip,
 *   a one-line TypeScript cell fresh and after 50 earlier cells, the first completion, and the
 *   first cell after start (typed, JavaScript, and ipykernel's), each the median of RUNS starts.
 * Run: npx tsx bench/kernel.ts   (GLASSBOX_BENCH_RUNS sets the repetitions)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KernelClient, launchKernel } from "../kernel/protocol/client";
import { writeConnectionFile } from "../kernel/protocol/connection";

const CLI = join(__dirname, "..", "dist", "cli.js");
const RUNS = Number(process.env.GLASSBOX_BENCH_RUNS ?? 5);
const EXECUTES = 200;

// Kernels start in a notebook folder of their own, as users' do (not in this repository, whose
// tsconfig.json would make the compiler parse its libraries under other options).
const NOTEBOOK_DIR = mkdtempSync(join(tmpdir(), "glassbox-bench-kernel-"));
process.on("exit", () => rmSync(NOTEBOOK_DIR, { recursive: true, force: true }));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function startGlassbox(args?: string[]) {
  const t0 = performance.now();
  const kernel = await launchKernel({ cli: CLI, args, cwd: NOTEBOOK_DIR });
  return { client: kernel.client, startup: performance.now() - t0, stop: () => kernel.shutdown() };
}

async function startIpykernel() {
  const { path, info } = await writeConnectionFile();
  const t0 = performance.now();
  const child = spawn("/usr/bin/python3", ["-m", "ipykernel_launcher", "-f", path], { stdio: "ignore", cwd: NOTEBOOK_DIR });
  const client = new KernelClient(info);
  await client.waitReady();
  return {
    client,
    startup: performance.now() - t0,
    stop: async () => {
      await Promise.race([client.request("control", "shutdown_request", { restart: false }), new Promise((r) => setTimeout(r, 2000))]);
      child.kill("SIGKILL");
      client.close();
      rmSync(path, { force: true });
    },
  };
}

async function roundTrips(client: KernelClient, code: string, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await client.execute(code);
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** The first cell's round trip, sent as soon as the kernel has answered kernel_info: the median of RUNS starts. */
async function firstCell(start: () => Promise<{ client: KernelClient; stop: () => Promise<void> }>, code: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const k = await start();
    const t0 = performance.now();
    const reply = await k.client.execute(code);
    times.push(performance.now() - t0);
    const status = (reply.content as { status?: string }).status;
    await k.stop();
    if (status !== "ok") throw new Error(`the first cell failed: ${JSON.stringify(reply.content)}`);
  }
  return median(times);
}

async function measure(name: string, start: () => Promise<{ client: KernelClient; startup: number; stop: () => Promise<void> }>, trivial: string) {
  const startups: number[] = [];
  process.stderr.write(`measuring ${name}…\n`);
  for (let i = 0; i < RUNS; i++) {
    const k = await start();
    startups.push(k.startup);
    await k.stop();
  }
  const k = await start();
  await roundTrips(k.client, trivial, 20); // warm
  const execute = await roundTrips(k.client, trivial, EXECUTES);
  await k.stop();
  return { name, startup: median(startups), execute };
}

async function typescriptCells() {
  const k = await startGlassbox();
  const tc = performance.now();
  const completion = await k.client.request("shell", "complete_request", { code: "tf.lay", cursor_pos: 6 });
  const firstCompletion = performance.now() - tc;
  if (!(completion.content as { matches: string[] }).matches.includes("layers")) throw new Error("the first completion did not offer tf.layers");
  const fresh = await roundTrips(k.client, "const a: number = 1; a + 1", 30);
  for (let i = 0; i < 50; i++) await k.client.execute(`const v${i}: number[] = [${i}]; function f${i}(x: number) { return x + ${i}; }`);
  const after50 = await roundTrips(k.client, "const a: number = 1; a + 1", 30);
  await k.stop();
  return { firstCompletion, fresh, after50 };
}

(async () => {
  const glassbox = await measure("glassbox", startGlassbox, "1 + 1");
  const ipykernel = await measure("ipykernel", startIpykernel, "1 + 1");
  const ts = await typescriptCells();
  process.stderr.write("measuring first cells…\n");
  const first = await firstCell(() => startGlassbox(), "const first: number = 1; first");
  const firstJs = await firstCell(() => startGlassbox(["--language", "javascript"]), "const first = 1; first");
  const firstIpy = await firstCell(startIpykernel, "first = 1; first");
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  console.log(`\nKernel latency (median; ${RUNS} starts, ${EXECUTES} executes each)`);
  console.log(`| measure                          | glassbox | ipykernel | ratio | target |`);
  console.log(`|----------------------------------|----------|-----------|-------|--------|`);
  console.log(`| startup to first kernel_info     | ${ms(glassbox.startup)} | ${ms(ipykernel.startup)} | ${(glassbox.startup / ipykernel.startup).toFixed(2)} | ≤ 1.0 |`);
  console.log(`| trivial execute round trip       | ${ms(glassbox.execute)} | ${ms(ipykernel.execute)} | ${(glassbox.execute / ipykernel.execute).toFixed(2)} | ≤ 0.5 |`);
  console.log(`\nTypeScript cells (glassbox)`);
  console.log(`| one-line typed cell              | ${ms(ts.fresh)} | target ≤ 50 ms |`);
  console.log(`| same cell after 50 earlier cells | ${ms(ts.after50)} | target ≤ 50 ms |`);
  console.log(`| first completion once ready      | ${ms(ts.firstCompletion)} | target ≤ 1000 ms |`);
  console.log(`\nFirst cell after start (median of ${RUNS} starts; sent once kernel_info is answered)`);
  console.log(`| kernel                   | first cell | ipykernel's | ratio | target |`);
  console.log(`|--------------------------|------------|-------------|-------|--------|`);
  console.log(`| glassbox (typed)         | ${ms(first)} | ${ms(firstIpy)} | ${(first / firstIpy).toFixed(2)} | ≤ 1000 ms |`);
  console.log(`| glassbox-js (JavaScript) | ${ms(firstJs)} | ${ms(firstIpy)} | ${(firstJs / firstIpy).toFixed(2)} | |`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
