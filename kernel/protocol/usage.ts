// What usage_request reports as the kernel's memory: its own resident memory and its child
// processes' (the TypeScript compiler, anything a cell started), as ipykernel counts it.
import { readFileSync, readdirSync } from "node:fs";

/** Resident bytes of a process from /proc (Linux; in kB there, whatever the page size), or null when it cannot be read. */
function resident(pid: number): number | null {
  try {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

/** The children of a process, from every one of its threads' `children` lists. */
function children(pid: number): number[] {
  const found: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      if (text) for (const child of text.split(/\s+/)) found.push(Number(child));
    }
  } catch {
    // Not Linux, or the process is gone.
  }
  return found;
}

/** This process's resident memory plus that of its descendants. */
export function residentMemoryWithChildren(): number {
  let total = process.memoryUsage.rss();
  const seen = new Set<number>([process.pid]);
  const queue = children(process.pid);
  while (queue.length) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    total += resident(pid) ?? 0;
    queue.push(...children(pid));
  }
  return total;
}
