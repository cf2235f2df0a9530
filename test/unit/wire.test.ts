// The wire decoder, in process: round trips, every malformed shape, and a seeded fuzz of random
// frames (it may only ever return a message or throw WireError).
import assert from "node:assert/strict";
import { test } from "node:test";
import { decode, encode, newHeader, Signer, WireError, type Message } from "../../kernel/protocol/wire";

const signer = new Signer("hmac-sha256", "secret");

function frames(content: unknown = { code: "1" }, extra: Partial<Message> = {}): Buffer[] {
  return encode({ identities: [Buffer.from("id")], header: newHeader("execute_request", "s"), parent_header: {}, metadata: {}, content, ...extra }, signer);
}

test("encode then decode gives the message back, identities and buffers included", () => {
  const buffers = [Buffer.from([1, 2, 3])];
  const msg = decode(frames({ code: "x", n: NaN }, { buffers }), signer);
  assert.deepEqual(msg.identities, [Buffer.from("id")]);
  assert.equal(msg.header.msg_type, "execute_request");
  assert.deepEqual(msg.content, { code: "x", n: null }, "non-finite numbers travel as null");
  assert.deepEqual(msg.buffers, buffers);
});

test("malformed or unsigned messages are refused with a WireError that says why", () => {
  const good = frames();
  const cases: [Buffer[], RegExp][] = [
    [good.filter((f) => f.toString() !== "<IDS|MSG>"), /delimiter/],
    [good.slice(0, 4), /at least 5 frames/],
    [good.map((f, i) => (i === 2 ? Buffer.from("0".repeat(64)) : f)), /signature/],
    [encode({ identities: [], header: { msg_id: 1 } as never, parent_header: {}, metadata: {}, content: {} }, signer), /msg_type or msg_id/],
  ];
  for (const [input, why] of cases) assert.throws(() => decode(input, signer), (e: unknown) => e instanceof WireError && why.test(e.message));
  const notJson = [Buffer.from("<IDS|MSG>"), Buffer.from(""), Buffer.from("{"), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("[]")];
  assert.throws(() => decode(notJson, new Signer("hmac-sha256", "")), /header is not valid JSON/);
  const array = [Buffer.from("<IDS|MSG>"), Buffer.from(""), Buffer.from('{"msg_id":"a","msg_type":"b"}'), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("[]")];
  assert.throws(() => decode(array, new Signer("hmac-sha256", "")), /content is not a JSON object/);
});

/** mulberry32: a seeded generator, so a failing case reproduces from its index. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ["<IDS|MSG>", "{}", "[]", "null", '{"msg_id":"a","msg_type":"execute_request"}', '{"msg_id":1}', "{", '"x"', "\u0000", "\uffff"];

test("fuzz: 100,000 seeded random frame sets decode or fail with WireError, never anything else", () => {
  const random = rng(20261130);
  const unsigned = new Signer("hmac-sha256", "");
  let decoded = 0;
  for (let i = 0; i < 100_000; i++) {
    const count = Math.floor(random() * 9);
    const input: Buffer[] = [];
    for (let f = 0; f < count; f++) {
      const r = random();
      if (r < 0.5) input.push(Buffer.from(PIECES[Math.floor(random() * PIECES.length)]));
      else {
        const bytes = Buffer.alloc(Math.floor(random() * 48));
        for (let b = 0; b < bytes.length; b++) bytes[b] = Math.floor(random() * 256);
        input.push(bytes);
      }
    }
    // Half the cases are validly signed, so the JSON checks behind the signature get fuzzed too.
    const useSigner = i % 2 ? signer : unsigned;
    const at = input.findIndex((f) => f.toString() === "<IDS|MSG>");
    if (i % 2 && at >= 0 && input.length >= at + 6) input[at + 1] = Buffer.from(signer.sign(input.slice(at + 2, at + 6)));
    try {
      decode(input, useSigner);
      decoded++;
    } catch (e) {
      if (!(e instanceof WireError)) assert.fail(`case ${i}: ${(e as Error).stack}`);
    }
  }
  assert.ok(decoded > 0, "some random cases were valid messages, so the success path was fuzzed too");
});
