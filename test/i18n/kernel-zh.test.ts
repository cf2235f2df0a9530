// A kernel started in a Chinese locale speaks Chinese to the learner: the type-error guidance (with
// TypeScript's own diagnostic in Chinese), %backend, %memory and a MemoryError — and the same kernel
// in an English locale does not.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { launchKernel, type RunningKernel } from "../../kernel/protocol/client";
import type { Message } from "../../kernel/protocol/wire";

const CLI = join(__dirname, "..", "..", "dist", "cli.js");

async function run(kernel: RunningKernel, code: string): Promise<{ reply: Message; text: string }> {
  let text = "";
  const reply = await kernel.client.execute(code, {
    onIopub: (m) => {
      if (m.header.msg_type === "stream") text += String((m.content as { text: string }).text);
    },
  });
  return { reply, text };
}

const evalue = (reply: Message) => String((reply.content as { evalue?: string }).evalue ?? "");

describe("a kernel started with LANG=zh_CN.UTF-8", { timeout: 240_000 }, () => {
  let kernel: RunningKernel;
  before(async () => {
    const env = { ...process.env, LANG: "zh_CN.UTF-8", LC_ALL: "", LC_MESSAGES: "", GLASSBOX_LANG: "", GLASSBOX_BACKEND: "cpu", GLASSBOX_MEMORY_LIMIT: "1g" };
    kernel = await launchKernel({ cli: CLI, env });
  });
  after(() => kernel?.shutdown());

  test("type errors: TypeScript's message and Glassbox's guidance in Chinese", async () => {
    const { reply } = await run(kernel, 'const n: number = "five";');
    assert.equal((reply.content as { ename?: string }).ename, "TypeScriptError");
    const text = evalue(reply);
    assert.match(text, /第 1 行第 \d+ 列/, text);
    assert.match(text, /错误 TS2322/, text);
    assert.match(text, /不能将类型“string”分配给类型“number”/, "TypeScript's own diagnostic comes from its Chinese catalogue");
    assert.match(text, /单元格没有运行/, text);
  });

  test("%backend and %memory", async () => {
    assert.match((await run(kernel, "%backend")).text, /张量后端：/);
    const memory = (await run(kernel, "%memory")).text;
    assert.match(memory, /内核内存：常驻 [\d.,]+ [KMG]?B，上限 1\.0 GB/, memory);
    assert.match(memory, /上一个单元格的变化/);
  });

  test("a MemoryError says what happened and what to do in Chinese, and the kernel goes on", async () => {
    await run(kernel, "const kept: tf.Tensor[] = [];");
    const { reply } = await run(kernel, "while (true) kept.push(tf.zeros([1024, 1024]).add(1));");
    assert.equal((reply.content as { ename?: string }).ename, "MemoryError", evalue(reply));
    assert.match(evalue(reply), /内核达到了内存上限/);
    assert.match(evalue(reply), /tf\.tidy/);
    assert.match(evalue(reply), /张量：/);
    await run(kernel, "tf.dispose(kept); kept.length = 0;");
    const { reply: alive } = await run(kernel, "1 + 1");
    assert.equal((alive.content as { status: string }).status, "ok");
  });
});

test("the same messages stay English in an English locale", { timeout: 120_000 }, async () => {
  const kernel = await launchKernel({ cli: CLI, env: { ...process.env, LANG: "en_US.UTF-8", LC_ALL: "", GLASSBOX_LANG: "", GLASSBOX_BACKEND: "cpu" } });
  try {
    const { reply } = await run(kernel, 'const n: number = "five";');
    assert.match(evalue(reply), /line 1:\d+: error TS2322: Type 'string' is not assignable to type 'number'/);
    assert.match(evalue(reply), /The cell did not run/);
    assert.match((await run(kernel, "%backend")).text, /Tensor backend: /);
  } finally {
    await kernel.shutdown();
  }
});
