// History on disk: bounded, read from its tail at start, a torn line skipped.
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { History } from "../../kernel/protocol/history";

const dir = mkdtempSync(join(tmpdir(), "glassbox-history-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("the file stays under its bound and keeps the newest cells", () => {
  const file = join(dir, "bounded.jsonl");
  const history = new History(file, 20_000);
  for (let i = 1; i <= 2000; i++) history.add(i, `const cell${i} = ${"x".repeat(50)}`);
  assert.ok(statSync(file).size <= 20_000, `history file is ${statSync(file).size} bytes`);
  const tail = history.tail(3);
  assert.deepEqual(tail.map(([, line]) => line), [1998, 1999, 2000]);
  const reopened = new History(file, 20_000);
  assert.deepEqual(reopened.tail(1)[0]?.[2], "const cell2000 = " + "x".repeat(50));
  assert.equal(reopened.session, 2, "a new session follows the one on disk");
});

test("only the tail of a large file is read, from its first whole line, and a torn last line is skipped", () => {
  const file = join(dir, "large.jsonl");
  const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify({ session: 1, line: i + 1, source: `cell ${i + 1}` }) + "\n");
  appendFileSync(file, lines.join("") + '{"session": 1, "line": 501, "sou');
  const history = new History(file, 1000);
  const read = history.search("*", null, false);
  assert.ok(read.length > 0 && read.length < 40, `read ${read.length} entries from the last 1000 bytes`);
  assert.deepEqual(read.at(-1), [1, 500, "cell 500"]);
  assert.ok(read.every(([, line, source]) => source === `cell ${line}`), "no entry was cut in the middle");
});
