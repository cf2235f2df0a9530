// Kernels started by launchKernel (glassbox run, the VS Code controller, the benches) interrupt a
// loop inside a promise continuation and keep serving timers and awaits afterwards.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { launchKernel } from "../../kernel/protocol/client";

test("a launched kernel keeps running after interrupting a loop that follows an await", { timeout: 120_000 }, async () => {
  const kernel = await launchKernel({ cli: join(__dirname, "..", "..", "dist", "cli.js") });
  try {
    const stuck = kernel.client.execute("await new Promise((r) => setTimeout(r, 10)); while (true) {}");
    await new Promise((r) => setTimeout(r, 1000));
    await kernel.client.request("control", "interrupt_request");
    assert.equal((await stuck).content.status, "error");
    // Timers and awaits after the interrupt: a corrupt async-id stack would abort the process here.
    const outputs: string[] = [];
    const next = await kernel.client.execute('setTimeout(() => console.log("tick"), 20); await new Promise((r) => setTimeout(r, 300)); "after"', {
      onIopub: (m) => m.header.msg_type === "stream" && outputs.push(String((m.content as { text: string }).text)),
    });
    assert.equal(next.content.status, "ok");
    assert.match(outputs.join(""), /tick/);
    assert.equal(kernel.process.exitCode, null, "the kernel process is still running");
  } finally {
    await kernel.shutdown();
  }
});
