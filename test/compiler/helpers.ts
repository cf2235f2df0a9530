import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CellCompilerService } from "../../kernel/engine/compiler/service";
import type { CompiledCell } from "../../kernel/engine/compiler/types";

const made: string[] = [];

/** A notebook folder outside the repository (so `@tensorflow/tfjs` resolves only through the kernel fallback). */
export function notebookDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "glassbox-compiler-"));
  made.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Removes the folders `notebookDir` made (call once, when the file's tests are done). */
export function removeNotebookDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Runs cells in order the way the runtime does: compile, and commit what compiled. */
export class Notebook {
  cell = 0;
  constructor(readonly service: CellCompilerService) {}
  run(code: string, reportOnly = false): CompiledCell {
    const n = ++this.cell;
    const result = this.service.compileSync(code, { cell: n, reportOnly });
    if (result.ok) this.service.commitSync(n);
    return result;
  }
}

export function errors(result: CompiledCell): string {
  return result.diagnostics.map((d) => `${d.line}:${d.column} TS${d.code} ${d.message}`).join("\n");
}
