/**
 * The Jupyter wire format (messaging spec 5.3+): routing identities, the `<IDS|MSG>` delimiter,
 * an HMAC signature over header/parent_header/metadata/content, then binary buffers.
 * Shared by the kernel and by every client in this repository (runner, VS Code controller, benches).
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

export const PROTOCOL_VERSION = "5.3";
const DELIMITER = Buffer.from("<IDS|MSG>");

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
  [extra: string]: unknown;
}

export type JSONObject = { [key: string]: unknown };

export interface Message<C = JSONObject> {
  identities: Buffer[];
  header: Header;
  /** Empty object when the message answers nothing. */
  parent_header: Header | Record<string, never>;
  metadata: JSONObject;
  content: C;
  buffers: Buffer[];
}

/** Signs and verifies messages; an empty key means signing is off (the spec's rule). */
export class Signer {
  private readonly algorithm: string | null;
  constructor(
    scheme: string,
    private readonly key: string,
  ) {
    if (!key) {
      this.algorithm = null;
      return;
    }
    const match = /^hmac-(sha\d+)$/.exec(scheme);
    if (!match) throw new Error(`Unsupported signature_scheme "${scheme}": expected hmac-sha256 or another hmac-shaN.`);
    this.algorithm = match[1];
  }

  sign(parts: Buffer[]): string {
    if (!this.algorithm) return "";
    const hmac = createHmac(this.algorithm, this.key);
    for (const part of parts) hmac.update(part);
    return hmac.digest("hex");
  }

  verify(signature: Buffer, parts: Buffer[]): boolean {
    if (!this.algorithm) return true;
    const expected = Buffer.from(this.sign(parts));
    return signature.length === expected.length && timingSafeEqual(signature, expected);
  }
}

export class WireError extends Error {}

/** Parses the frames of one multipart message. Throws WireError for anything malformed or unsigned. */
export function decode(frames: Buffer[], signer: Signer): Message {
  const split = frames.findIndex((f) => f.equals(DELIMITER));
  if (split < 0) throw new WireError("no <IDS|MSG> delimiter");
  if (frames.length < split + 6) throw new WireError(`expected at least 5 frames after the delimiter, got ${frames.length - split - 1}`);
  const [signature, header, parent, metadata, content] = frames.slice(split + 1, split + 6);
  if (!signer.verify(signature, [header, parent, metadata, content])) throw new WireError("invalid signature");
  const parse = (frame: Buffer, what: string): JSONObject => {
    let value: unknown;
    try {
      value = JSON.parse(frame.toString("utf8"));
    } catch (e) {
      throw new WireError(`${what} is not valid JSON: ${(e as Error).message}`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new WireError(`${what} is not a JSON object`);
    return value as JSONObject;
  };
  const h = parse(header, "header");
  if (typeof h.msg_type !== "string" || typeof h.msg_id !== "string") throw new WireError("header lacks msg_type or msg_id");
  return {
    identities: frames.slice(0, split),
    header: h as unknown as Header,
    parent_header: parse(parent, "parent_header") as Message["parent_header"],
    metadata: parse(metadata, "metadata"),
    content: parse(content, "content"),
    buffers: frames.slice(split + 6),
  };
}

/** JSON.stringify that never throws on values the spec cannot carry (NaN, Infinity become null). */
function toJSON(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value ?? {}, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v)));
}

export function encode(msg: Omit<Message<unknown>, "buffers"> & { buffers?: Buffer[] }, signer: Signer): Buffer[] {
  const body = [toJSON(msg.header), toJSON(msg.parent_header), toJSON(msg.metadata), toJSON(msg.content)];
  return [...msg.identities, DELIMITER, Buffer.from(signer.sign(body)), ...body, ...(msg.buffers ?? [])];
}

export function newHeader(msg_type: string, session: string, username = "glassbox"): Header {
  return { msg_id: randomUUID(), session, username, date: new Date().toISOString(), msg_type, version: PROTOCOL_VERSION };
}
