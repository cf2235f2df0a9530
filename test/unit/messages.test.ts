// One content-parsing step: typed defaults, and a clear error naming the bad field.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ContentError, isRequestType, parseContent, replyType } from "../../kernel/protocol/messages";

test("execute_request gets the spec's defaults and silent implies no history", () => {
  assert.deepEqual(parseContent("execute_request", { code: "1" }), { code: "1", silent: false, store_history: true, user_expressions: {}, allow_stdin: true, stop_on_error: true });
  assert.equal(parseContent("execute_request", { code: "1", silent: true, store_history: true }).store_history, false);
});

test("fields of the wrong type are refused with the field's name", () => {
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ["execute_request", {}, /content\.code is required/],
    ["execute_request", { code: 5 }, /content\.code must be a string, not a number/],
    ["execute_request", { code: "", user_expressions: "abc" }, /user_expressions must be an object/],
    ["execute_request", { code: "", user_expressions: { a: 1 } }, /user_expressions\.a must be a string/],
    ["execute_request", { code: "", silent: "yes" }, /silent must be true or false/],
    ["comm_msg", { data: {} }, /comm_id is required/],
    ["history_request", { n: "ten" }, /n must be a number/],
  ];
  for (const [type, content, why] of bad) {
    assert.ok(isRequestType(type));
    assert.throws(() => parseContent(type, content), (e: unknown) => e instanceof ContentError && why.test(e.message), `${type} ${JSON.stringify(content)}`);
  }
});

test("cursor positions are clamped to the code, counted in code points", () => {
  assert.deepEqual(parseContent("complete_request", { code: "ab😀", cursor_pos: 99 }), { code: "ab😀", cursor_pos: 3 });
  assert.deepEqual(parseContent("complete_request", { code: "ab", cursor_pos: -4 }), { code: "ab", cursor_pos: 0 });
  assert.equal(parseContent("inspect_request", { code: "x", cursor_pos: 1, detail_level: 7 }).detail_level, 0);
});

test("input_reply with status error carries the front end's reason", () => {
  assert.deepEqual(parseContent("input_reply", { value: "typed" }), { value: "typed" });
  assert.deepEqual(parseContent("input_reply", { status: "error", ename: "InputError", evalue: "closed" }), { value: "", error: "InputError: closed" });
});

test("unknown types are not request types, and reply names follow the spec", () => {
  assert.equal(isRequestType("__proto__"), false);
  assert.equal(isRequestType("toString"), false);
  assert.equal(replyType("execute_request"), "execute_reply");
  assert.equal(replyType("comm_msg"), null);
});
