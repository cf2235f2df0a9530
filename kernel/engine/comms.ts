/**
 * Jupyter comms, kernel side: a registry of targets that kernel-side code (and cells, through the
 * global `comms`) can use to talk to front-end widgets. Unknown targets are closed, as the spec asks.
 */
import { randomUUID } from "node:crypto";
import type { JSONObject } from "../protocol/wire";

export interface Comm {
  readonly id: string;
  readonly targetName: string;
  send(data: JSONObject, metadata?: JSONObject, buffers?: Uint8Array[]): void;
  close(data?: JSONObject): void;
  onMessage(handler: (data: JSONObject, buffers: Uint8Array[]) => void): void;
  onClose(handler: (data: JSONObject) => void): void;
}

export type CommTarget = (comm: Comm, openData: JSONObject) => void;

export type CommSend = (msgType: "comm_open" | "comm_msg" | "comm_close", content: JSONObject, metadata?: JSONObject, buffers?: Uint8Array[]) => void;

interface Entry {
  comm: Comm;
  messageHandlers: ((data: JSONObject, buffers: Uint8Array[]) => void)[];
  closeHandlers: ((data: JSONObject) => void)[];
}

export class CommRegistry {
  private readonly targets = new Map<string, CommTarget>();
  private readonly comms = new Map<string, Entry>();

  constructor(private readonly send: CommSend) {}

  registerTarget(targetName: string, target: CommTarget): void {
    this.targets.set(targetName, target);
  }

  unregisterTarget(targetName: string): void {
    this.targets.delete(targetName);
  }

  private create(id: string, targetName: string): Entry {
    const entry: Entry = {
      messageHandlers: [],
      closeHandlers: [],
      comm: {
        id,
        targetName,
        send: (data, metadata, buffers) => this.send("comm_msg", { comm_id: id, data }, metadata, buffers),
        close: (data = {}) => {
          if (!this.comms.delete(id)) return;
          this.send("comm_close", { comm_id: id, data });
        },
        onMessage: (handler) => void entry.messageHandlers.push(handler),
        onClose: (handler) => void entry.closeHandlers.push(handler),
      },
    };
    this.comms.set(id, entry);
    return entry;
  }

  /** Opens a comm from the kernel side. */
  open(targetName: string, data: JSONObject = {}, metadata: JSONObject = {}): Comm {
    const entry = this.create(randomUUID(), targetName);
    this.send("comm_open", { comm_id: entry.comm.id, target_name: targetName, data }, metadata);
    return entry.comm;
  }

  /** A front end opened a comm. */
  opened(commId: string, targetName: string, data: JSONObject): void {
    const target = this.targets.get(targetName);
    if (!target) {
      this.send("comm_close", { comm_id: commId, data: { error: `No comm target named "${targetName}" is registered in this kernel.` } });
      return;
    }
    target(this.create(commId, targetName).comm, data);
  }

  message(commId: string, data: JSONObject, buffers: Uint8Array[]): void {
    for (const handler of this.comms.get(commId)?.messageHandlers ?? []) handler(data, buffers);
  }

  closed(commId: string, data: JSONObject): void {
    const entry = this.comms.get(commId);
    if (!entry) return;
    this.comms.delete(commId);
    for (const handler of entry.closeHandlers) handler(data);
  }

  info(targetName?: string): Record<string, { target_name: string }> {
    const out: Record<string, { target_name: string }> = {};
    for (const [id, { comm }] of this.comms) if (!targetName || comm.targetName === targetName) out[id] = { target_name: comm.targetName };
    return out;
  }
}
