// Shared by the display tests: the cpu backend, and a sink that records what the kernel would send.
import * as tf from "@tensorflow/tfjs";
import type { DisplayPayload } from "../../kernel/display/mime";
import type { DisplaySink } from "../../kernel/display/sink";

export { tf };

export async function cpu(): Promise<void> {
  await tf.setBackend("cpu");
}

export interface Sent { kind: "show" | "update"; payload: DisplayPayload; displayId?: string; at: number }

export class RecordingSink implements DisplaySink {
  readonly sent: Sent[] = [];
  show(payload: DisplayPayload, displayId?: string): void { this.sent.push({ kind: "show", payload, displayId, at: Date.now() }); }
  update(payload: DisplayPayload, displayId: string): void { this.sent.push({ kind: "update", payload, displayId, at: Date.now() }); }
}

/** Decodes a PNG's width and height from its IHDR chunk, to check images are real. */
export function pngSize(base64: string): { width: number; height: number } {
  const bytes = Buffer.from(base64, "base64");
  if (bytes.subarray(1, 4).toString("ascii") !== "PNG") throw new Error("not a PNG");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
