// Magic parsing, in process: line numbers stay the user's, and only leading lines are magics.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseMagics } from "../../kernel/engine/magics";

test("leading magics and shell lines are taken out, blanked so line numbers stay", () => {
  const parsed = parseMagics("%backend cpu\n!ls -l\n\nconst a = 1\n%memory");
  assert.deepEqual(parsed.magics, [
    { kind: "line", name: "backend", args: "cpu" },
    { kind: "shell", name: "!", args: "ls -l" },
  ]);
  assert.equal(parsed.code, "\n\n\nconst a = 1\n%memory", "a % line after code is code (and a compile error), not a magic");
  assert.equal(parsed.timeCell, false);
});

test("%%time times the cell; %time times the rest of its line", () => {
  assert.deepEqual(parseMagics("%%time\nwork()"), { magics: [], code: "\nwork()", timeCell: true });
  const line = parseMagics("%time work()\nmore()");
  assert.deepEqual(line.magics, [{ kind: "line", name: "time", args: "" }]);
  assert.equal(line.code, "work()\nmore()");
  assert.equal(line.timeCell, true);
});

test("cells without magics pass through untouched", () => {
  const code = "const x = 5 % 2\n// %memory in a comment";
  assert.deepEqual(parseMagics(code), { magics: [], code, timeCell: false });
});
