/**
 * The kernel's memory budget and what uses it. The guard watches the whole process's resident
 * memory (JS heap, tensor buffers, libtorch and other native allocations), because tensor data
 * lives outside V8's heap and a leak there would otherwise go unseen until the OS kills the kernel.
 */
import { readFileSync } from "node:fs";
import { totalmem } from "node:os";
import { formatBytes, formatNumber, t } from "./i18n";

const UNITS: Record<string, number> = { "": 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** `1610612736`, `1.5g`, `512m`, `2GiB`, `800MB` → bytes (binary units). Throws on anything else. */
export function parseMemoryLimit(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) throw new Error(`GLASSBOX_MEMORY_LIMIT="${text}" is not a size: use bytes or a number with k, m, g or t (e.g. 1.5g).`);
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2].toLowerCase()]);
  if (bytes <= 0) throw new Error(`GLASSBOX_MEMORY_LIMIT="${text}" must be more than zero.`);
  return bytes;
}

/** The container's memory limit (cgroup v2, then v1), or null when there is none. */
function cgroupLimit(): number | null {
  for (const file of ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]) {
    try {
      const text = readFileSync(file, "utf8").trim();
      const n = Number(text);
      // "max" or a huge sentinel (v1's 2^63 rounded to pages) means unlimited.
      if (Number.isFinite(n) && n > 0 && n < 2 ** 60) return n;
    } catch {
      // Not in a cgroup with a memory controller.
    }
  }
  return null;
}

export interface MemoryLimit {
  bytes: number;
  /** Where the number comes from, for messages. */
  source: string;
}

/** GLASSBOX_MEMORY_LIMIT, or 80% of the smaller of the cgroup limit and physical memory. */
export function memoryLimit(env: NodeJS.ProcessEnv = process.env): MemoryLimit {
  const given = env.GLASSBOX_MEMORY_LIMIT?.trim();
  if (given) return { bytes: parseMemoryLimit(given), source: `GLASSBOX_MEMORY_LIMIT=${given}` };
  const cgroup = cgroupLimit();
  const physical = totalmem();
  const base = cgroup !== null && cgroup < physical ? cgroup : physical;
  return { bytes: Math.floor(base * 0.8), source: cgroup !== null && cgroup < physical ? t("memory.defaultContainer") : t("memory.defaultMachine") };
}

/** What the process holds, by kind. */
export interface MemoryFigures {
  resident: number;
  jsHeap: number;
  /** Bytes of live tensors, as TensorFlow.js counts them (tf.memory().numBytes). */
  tensors: number;
  numTensors: number;
  limit: MemoryLimit;
}

/** One line per kind, the same in `%memory` and in a MemoryError. */
export function describeMemory(f: MemoryFigures): string {
  // Tensor buffers may live in the JS heap (cpu backend) or outside it (native, wasm): what is left is native/other.
  const other = Math.max(0, f.resident - f.jsHeap - f.tensors);
  const share = formatNumber((f.resident / f.limit.bytes) * 100, { maximumFractionDigits: 0 });
  return [
    t("memory.summary", { resident: formatBytes(f.resident), limit: formatBytes(f.limit.bytes), share, source: f.limit.source }),
    t("memory.tensors", { bytes: formatBytes(f.tensors), count: formatNumber(f.numTensors) }),
    t("memory.jsHeap", { bytes: formatBytes(f.jsHeap) }),
    t("memory.other", { bytes: formatBytes(other) }),
  ].join("\n");
}
