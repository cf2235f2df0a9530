/** The protocol worker thread: owns the sockets so they answer while user code runs on the main thread. */
import { parentPort, workerData } from "node:worker_threads";
import type { ConnectionInfo } from "./connection";
import type { EngineEvent } from "./engine-link";
import { KernelServer } from "./server";

export interface ProtocolWorkerData {
  info: ConnectionInfo;
  kernelName: string;
  version: string;
  historyFile: string;
  verbose: boolean;
  /** Resident-memory limit of the kernel process in bytes (kernel/memory.ts). */
  memoryLimit: number;
}

const data = workerData as ProtocolWorkerData;
const port = parentPort!;
let onEvent: (event: EngineEvent) => void = () => undefined;
port.on("message", (event: EngineEvent) => onEvent(event));

const server = new KernelServer({
  ...data,
  engine: { post: (m) => port.postMessage(m), onEvent: (h) => (onEvent = h) },
  log: (line) => process.stderr.write(`[glassbox] ${line}\n`),
});
server.start().catch((e) => {
  process.stderr.write(`[glassbox] cannot bind the kernel's sockets: ${(e as Error).message}\n`);
  process.exit(1);
});
