// Temporary: runs cells as plain JavaScript until the TypeScript compiler worker lands.
import type { CellCompiler } from "./compiler/types";
export function startCompiler(): CellCompiler {
  return {
    compile: async (code) => ({ ok: true, js: code, diagnostics: [], sourceMap: "" }),
    commit: async () => undefined,
    complete: async (_code, cursorPos) => ({ matches: [], cursor_start: cursorPos, cursor_end: cursorPos, metadata: {} }),
    inspect: async () => ({ found: false, data: {} }),
    isComplete: async () => ({ status: "complete" }),
    setWorkingDirectory: async () => undefined,
  };
}
