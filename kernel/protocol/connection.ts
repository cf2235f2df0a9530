/** Connection files: the JSON a Jupyter client writes to tell a kernel where to listen. */
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  key: string;
  signature_scheme: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  kernel_name?: string;
}

export type Channel = "shell" | "iopub" | "stdin" | "control" | "hb";

export function readConnectionFile(path: string): ConnectionInfo {
  let raw: string;
  try {
    raw = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`Cannot read the connection file ${path}: ${(e as Error).message}`);
  }
  let info: Partial<ConnectionInfo>;
  try {
    info = JSON.parse(raw);
  } catch {
    throw new Error(`The connection file ${path} is not valid JSON.`);
  }
  for (const port of ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"] as const) {
    if (typeof info[port] !== "number") throw new Error(`The connection file ${path} has no ${port}.`);
  }
  return { transport: "tcp", ip: "127.0.0.1", key: "", signature_scheme: "hmac-sha256", ...info } as ConnectionInfo;
}

export function endpoint(info: ConnectionInfo, channel: Channel): string {
  const port = info[`${channel}_port`];
  return info.transport === "ipc" ? `ipc://${info.ip}-${port}` : `tcp://${info.ip}:${port}`;
}

async function freePort(ip: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, ip, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Picks five free loopback ports and a fresh key, and writes them (mode 0600: the file holds the key). */
export async function writeConnectionFile(path = join(tmpdir(), `glassbox-${randomUUID()}.json`), ip = "127.0.0.1"): Promise<{ path: string; info: ConnectionInfo }> {
  const ports = new Set<number>();
  while (ports.size < 5) ports.add(await freePort(ip));
  const [shell_port, iopub_port, stdin_port, control_port, hb_port] = [...ports];
  const info: ConnectionInfo = {
    transport: "tcp",
    ip,
    key: randomBytes(32).toString("hex"),
    signature_scheme: "hmac-sha256",
    shell_port,
    iopub_port,
    stdin_port,
    control_port,
    hb_port,
    kernel_name: "glassbox",
  };
  writeFileSync(path, JSON.stringify(info, null, 2), { mode: 0o600 });
  return { path, info };
}
