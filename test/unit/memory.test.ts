// The memory budget: GLASSBOX_MEMORY_LIMIT's forms and the default.
import assert from "node:assert/strict";
import { totalmem } from "node:os";
import { test } from "node:test";
import { describeMemory, memoryLimit, parseMemoryLimit } from "../../kernel/memory";

test("sizes in bytes or with binary units", () => {
  assert.equal(parseMemoryLimit("1610612736"), 1.5 * 2 ** 30);
  assert.equal(parseMemoryLimit("1.5g"), 1.5 * 2 ** 30);
  assert.equal(parseMemoryLimit("512M"), 512 * 2 ** 20);
  assert.equal(parseMemoryLimit("2GiB"), 2 * 2 ** 30);
  for (const bad of ["", "lots", "-1g", "0", "1.5 x"]) assert.throws(() => parseMemoryLimit(bad), /GLASSBOX_MEMORY_LIMIT/);
});

test("the default is 80% of the smaller of the container's limit and physical memory", () => {
  const { bytes, source } = memoryLimit({});
  assert.ok(bytes <= totalmem() * 0.8 + 1 && bytes > 0);
  assert.match(source, /^80% of the/);
  assert.deepEqual(memoryLimit({ GLASSBOX_MEMORY_LIMIT: "1g" }), { bytes: 2 ** 30, source: "GLASSBOX_MEMORY_LIMIT=1g" });
});

test("the description names each kind of memory", () => {
  const text = describeMemory({ resident: 3 * 2 ** 30, jsHeap: 2 ** 29, tensors: 2 ** 31, numTensors: 4, limit: { bytes: 4 * 2 ** 30, source: "test" } });
  assert.match(text, /3\.0 GB resident of a 4\.0 GB limit \(75%; test\)/);
  assert.match(text, /tensors: +2\.0 GB in 4 tensors/);
  assert.match(text, /JS heap: +512\.0 MB/);
  assert.match(text, /native\/other: +512\.0 MB/);
});
