// Finds the kernel's install (the repository root, or the installed package), from sources or dist/.
// Used by module resolution, the compiler and the native addon loader; it loads nothing heavy.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The kernel's own install: the nearest directory above `start` whose package.json is named "glassbox". */
export function findKernelRoot(start: string = __dirname): string | undefined {
  let dir = start;
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === "glassbox") return dir;
      } catch {
        // An unreadable manifest is not ours; keep walking.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
