/**
 * The VS Code controller's logic (extension/kernel-session.ts) against the real Glassbox kernel
 * (dist/cli.js over ZeroMQ): order, outputs, interrupt, restart, input prompts, start failures.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { launchKernel } from "../../kernel/protocol/client";
import { KernelSession, KernelStartError, type KernelState } from "../../extension/kernel-session";
import { cli, ensureBuilt, RecordingWriter, root } from "./helpers";

function newSession(extra: Partial<ConstructorParameters<typeof KernelSession>[0]> = {}): { session: KernelSession; states: KernelState[]; prompts: string[] } {
  const states: KernelState[] = [];
  const prompts: string[] = [];
  const session = new KernelSession({
    launch: launchKernel,
    launchOptions: { cli, cwd: root },
    onState: (s) => states.push(s),
    onInput: async (prompt, password) => {
      prompts.push(`${prompt}|${password}`);
      return password ? "s3cret" : "Ada";
    },
    ...extra,
  });
  return { session, states, prompts };
}

describe("KernelSession against the real kernel", { timeout: 180_000 }, () => {
  let s: ReturnType<typeof newSession>;
  before(async () => {
    ensureBuilt();
    s = newSession();
    const summary = await s.session.start();
    assert.ok(summary.backend, `kernel_info names a tensor backend (got ${JSON.stringify(summary)})`);
  });
  after(async () => {
    await s?.session.dispose();
  });

  test("runs queued cells in order and maps streams, results and errors", async () => {
    const a = new RecordingWriter();
    const b = new RecordingWriter();
    const c = new RecordingWriter();
    const d = new RecordingWriter();
    // Queued at once: the second must see the first's variable; the third fails; the fourth is aborted.
    const runs = [
      s.session.execute(`var order = []; order.push("a"); console.log("one"); console.log("two");`, a),
      s.session.execute(`order.push("b"); order.join(",")`, b),
      s.session.execute(`throw new Error("boom from cell c")`, c),
      s.session.execute(`order.push("d")`, d),
    ];
    const [ra, rb, rc, rd] = await Promise.all(runs);
    assert.equal(ra.status, "ok");
    assert.equal(rb.status, "ok");
    assert.equal(rc.status, "error");
    assert.equal(rd.status, "aborted", "a cell queued after a failing one is aborted (stop_on_error)");
    assert.ok(rb.executionCount! > ra.executionCount!, "execution counts increase in queue order");
    // Two console.log calls are one stdout output, as in Jupyter (the kernel may add a stderr note).
    const stdout = a.outputs.filter((o) => o.type === "stream" && o.name === "stdout");
    assert.equal(stdout.length, 1, JSON.stringify(a.outputs));
    assert.equal((stdout[0] as { text: string }).text, "one\ntwo\n");
    const result = b.outputs.find((o) => o.type === "execute_result");
    assert.ok(result && result.type === "execute_result");
    assert.match(String(result.data["text/plain"]), /a,b/);
    assert.equal(result.executionCount, rb.executionCount);
    const error = c.outputs.find((o) => o.type === "error");
    assert.ok(error && error.type === "error");
    assert.match(error.evalue, /boom from cell c/);
    assert.equal(d.ops.length, 0, "an aborted cell gets no output");
    const check = new RecordingWriter();
    await s.session.execute(`order.join(",")`, check);
    assert.match(check.text(), /a,b/);
    assert.doesNotMatch(check.text(), /d/, "the aborted cell never ran");
  });

  test("update_display_data replaces the output with that display id, even in an earlier cell", async () => {
    const first = new RecordingWriter();
    await s.session.execute(`var handle = display({ step: 0 }, { id: "progress-1" }); "shown"`, first);
    const shown = first.outputs.find((o) => o.type === "display_data");
    assert.ok(shown && shown.type === "display_data", `a display_data output (got ${JSON.stringify(first.outputs)})`);
    assert.equal(shown.displayId, "progress-1");
    const second = new RecordingWriter();
    await s.session.execute(`handle.update({ step: 1 }); handle.update({ step: 2 })`, second);
    const replaced = first.ops.filter((o) => o.op === "replace");
    assert.ok(replaced.length >= 1, "the first cell's display was replaced in place");
    assert.ok(replaced.every((r) => r.output!.id === shown.id), "same output, so the renderer keeps its DOM");
    const now = first.outputs.find((o) => o.id === shown.id);
    assert.ok(now && now.type === "display_data");
    assert.match(JSON.stringify(now.data), /step.{1,4}2/);
    assert.equal(second.outputs.filter((o) => o.type === "display_data").length, 0, "an update adds no output to the updating cell");
  });

  test("clear_output with wait clears only when the next output arrives", async () => {
    const w = new RecordingWriter();
    await s.session.execute(`console.log("old"); clearOutput({ wait: true }); await new Promise((r) => setTimeout(r, 200)); console.log("new");`, w);
    const kinds = w.ops.map((o) => o.op);
    const clear = kinds.indexOf("clear");
    assert.ok(clear > 0, `a clear after the first output (ops: ${kinds.join(",")})`);
    assert.equal(w.text(), "new\n");
  });

  test("interrupt stops `while (true) {}`, keeps earlier variables and aborts queued cells", async () => {
    await s.session.execute(`var kept = 41;`, new RecordingWriter());
    const loop = new RecordingWriter();
    const queued = new RecordingWriter();
    let started = false;
    const running = s.session.execute(`while (true) {}`, loop, () => (started = true));
    const next = s.session.execute(`kept = 0;`, queued);
    while (!started) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    await s.session.interrupt();
    const result = await running;
    assert.ok(Date.now() - t0 < 10_000, "the interrupt took effect promptly");
    assert.equal(result.status, "error");
    assert.match(loop.text(), /interrupt/i, "the cell says it was interrupted");
    assert.equal((await next).status, "aborted");
    const after = new RecordingWriter();
    await s.session.execute(`kept + 1`, after);
    assert.match(after.text(), /\b42\b/, "state before the interrupt is kept");
  });

  test("an input prompt round trip reaches the editor and back", async () => {
    const w = new RecordingWriter();
    const r = await s.session.execute(`const who = await input("Your name?"); const pw = await input.password("Key?"); console.log("hello " + who + " " + pw.length)`, w);
    assert.equal(r.status, "ok", w.text());
    assert.deepEqual(s.prompts, ["Your name?|false", "Key?|true"]);
    assert.match(w.text(), /hello Ada 6/);
  });

  test("restart drops all state, and the new kernel answers", async () => {
    await s.session.execute(`var survivor = "still here";`, new RecordingWriter());
    const before = new RecordingWriter();
    assert.equal((await s.session.execute(`survivor`, before)).status, "ok");
    assert.match(before.text(), /still here/);
    const oldPid = s.session.process?.pid;
    s.states.length = 0;
    await s.session.restart();
    assert.notEqual(s.session.process?.pid, oldPid, "a new kernel process");
    assert.ok(s.states.includes("restarting"), `restarting was reported (${s.states.join(",")})`);
    assert.equal(s.session.state, "idle");
    // The same cell now fails: the name is unknown (to the type checker, or at run time).
    const after = new RecordingWriter();
    const gone = await s.session.execute(`survivor`, after);
    assert.equal(gone.status, "error", after.text());
    assert.match(after.text(), /survivor/);
    assert.doesNotMatch(after.text(), /still here/);
    const w = new RecordingWriter();
    const r = await s.session.execute(`6 * 7`, w);
    assert.equal(r.status, "ok");
    assert.match(w.text(), /\b42\b/);
    assert.ok(r.executionCount !== null && r.executionCount <= 2, `execution counts start over (got ${r.executionCount})`);
  });

  test("a kernel that dies mid-cell is reported in the cell, and the next cell starts a new one", async () => {
    const w = new RecordingWriter();
    // A crash, as a native abort would look: the kernel refuses process.exit from cells.
    const r = await s.session.execute(`process.kill(process.pid, "SIGKILL")`, w);
    assert.equal(r.status, "error");
    assert.match(w.text(), /kernel process exited/i);
    assert.equal(s.session.state, "dead");
    assert.match(s.session.kernelLog, /kernel process exited \((code 7|SIG[A-Z]+)\)/);
    const again = new RecordingWriter();
    const r2 = await s.session.execute(`1 + 1`, again);
    assert.equal(r2.status, "ok");
    assert.match(again.text(), /\b2\b/);
  });
});

describe("KernelSession when the kernel cannot start", { timeout: 60_000 }, () => {
  let dir: string;
  before(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "glassbox-session-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a missing executable gives an actionable error, for every queued cell", async () => {
    const { session, states } = newSession({ launchOptions: { cli, executable: join(dir, "no-such-node") } });
    const a = session.execute("1", new RecordingWriter());
    const b = session.execute("2", new RecordingWriter());
    const [ea, eb] = await Promise.all([a.then(() => undefined, (e) => e), b.then(() => undefined, (e) => e)]);
    assert.ok(ea instanceof KernelStartError, `a KernelStartError (got ${ea})`);
    assert.equal(ea, eb, "one error for the whole run, so the editor shows one message");
    assert.match(ea.message, /could not start its kernel/);
    assert.match(ea.message, /ENOENT/);
    assert.match(ea.hint, /glassbox\.nodePath/, "says what to do");
    assert.equal(session.state, "dead");
    assert.deepEqual(states, ["starting", "dead"]);
  });

  test("a kernel that exits at once shows its log and what to do", async () => {
    const broken = join(dir, "broken-cli.js");
    writeFileSync(broken, `process.stderr.write("glassbox: cannot load the zeromq native module (test)\\n"); process.exit(3);\n`);
    chmodSync(broken, 0o644);
    const { session } = newSession({ launchOptions: { cli: broken } });
    const error = await session.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof KernelStartError, `a KernelStartError (got ${error})`);
    assert.match(error.reason, /exited during startup \(code 3\)/);
    assert.match(error.log, /cannot load the zeromq native module/, "the kernel's own words are in the error");
    assert.match(error.message, /Kernel log/);
    assert.match(error.hint, /Reinstall/, "a module problem points at reinstalling");
    // A second attempt tries again rather than caching the failure.
    const again = await session.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(again instanceof KernelStartError);
  });

  test("a kernel that never answers times out with a clear message", async () => {
    const silent = join(dir, "silent-cli.js");
    writeFileSync(silent, `setInterval(() => {}, 1000);\n`);
    const { session } = newSession({ launchOptions: { cli: silent, readyTimeoutMs: 2000 } });
    const error = await session.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof KernelStartError, `a KernelStartError (got ${error})`);
    assert.match(error.reason, /did not answer kernel_info/);
    assert.match(error.hint, /Restart Kernel/);
  });
});
