// The error formatter, in process: whatever a cell throws, it returns a Jupyter error and never throws.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CellRegistry, describeThrown, formatError, KernelMessageError } from "../../kernel/engine/errors";

const cells = new CellRegistry();

test("hostile thrown values are described, not rethrown", () => {
  const circular: Record<string, unknown> = { name: "loop" };
  circular.self = circular;
  const throwingMessage = new Error("x");
  Object.defineProperty(throwingMessage, "message", { get: () => { throw new Error("getter"); } });
  const trap = () => { throw new Error("trap"); };
  const hostile = new Proxy({}, { get: trap, has: trap, getPrototypeOf: trap, ownKeys: trap, getOwnPropertyDescriptor: trap });
  const cases: [unknown, RegExp][] = [
    [circular, /self: \[Circular \*1\]/],
    [10n, /^10n$/],
    [Symbol("odd"), /^Symbol\(odd\)$/],
    [null, /^null$/],
    [undefined, /^undefined$/],
    [Object.create(null), /^\{\}$|\[Object: null prototype\]/],
    [{ big: 1n }, /big: 1n/],
    [throwingMessage, /^$/],
    [hostile, /./],
  ];
  for (const [value, shown] of cases) {
    const error = formatError(value, cells);
    assert.match(error.evalue, shown, String(describeThrown(value)));
    assert.ok(error.ename && error.traceback.length >= 1);
  }
});

test("errors keep their name and message; kernel messages show without a stack", () => {
  const e = formatError(new RangeError("too far"), cells);
  assert.equal(e.ename, "RangeError");
  assert.equal(e.evalue, "too far");
  const k = formatError(new KernelMessageError("MemoryError", "stopped"), cells);
  assert.deepEqual([k.ename, k.evalue, k.traceback.length], ["MemoryError", "stopped", 1]);
});

test("a traceback maps generated lines back to the cell and shows its code", () => {
  const registry = new CellRegistry();
  registry.add("cell-3.ts", "Cell In[3]", "const a = 1;\nthrow new Error('boom');");
  const error = new Error("boom");
  error.stack = "Error: boom\n    at cell-3.ts:2:7\n    at internal/evaluate.js:1:1";
  const { traceback } = formatError(error, registry);
  assert.ok(traceback.some((l) => l.includes("Cell In[3], line 2:7")), traceback.join("\n"));
  assert.ok(traceback.some((l) => l.includes("throw new Error('boom');")));
  assert.ok(!traceback.some((l) => l.includes("internal/evaluate")), "the kernel's frames are hidden");
});
