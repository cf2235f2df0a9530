/**
 * The boundary between the cell runtime (main thread) and the TypeScript cell compiler
 * (a worker thread). The runtime never touches the `typescript` package itself.
 */

export interface CellDiagnostic {
  category: "error" | "warning";
  /** 1-based, relative to the cell's own text. */
  line: number;
  column: number;
  /** TypeScript's error code, e.g. 2322. */
  code: number;
  message: string;
}

export interface CompiledCell {
  /** False when type errors stop the cell (unless the report-and-run switch is on), and always on syntax errors. */
  ok: boolean;
  /**
   * A classic script for V8's REPL mode: top-level `await` allowed, no `import`/`export` statements.
   * Static imports are rewritten, on the same line, to `await __glassbox.import("spec")` forms;
   * dynamic `import(x)` becomes `__glassbox.import(x)`; `require` stays (the runtime defines a notebook-relative one).
   * The cell's last expression statement stays last, so V8 returns its value.
   */
  js: string;
  diagnostics: CellDiagnostic[];
  /** Maps a 1-based line/column in `js` back to the cell. Lines and columns are kept 1:1 where possible. */
  sourceMap: string; // a standard source map (JSON text); the runtime decodes it
}

export interface CompileOptions {
  /** The execution count: names the virtual file (`cell-<n>.ts`) in diagnostics and stack traces. */
  cell: number;
  /** Report type errors but run anyway (the teaching switch). */
  reportOnly: boolean;
  /** JavaScript cells and `%typecheck off`: only syntax errors are reported and stop the cell; types are never checked. */
  javascript?: boolean;
}

export interface CompletionResult {
  matches: string[];
  /** Offsets in Unicode code points, as the Jupyter protocol counts them. */
  cursor_start: number;
  cursor_end: number;
  metadata: { _jupyter_types_experimental?: { start: number; end: number; text: string; type: string; signature?: string }[] };
}

export interface InspectResult {
  found: boolean;
  /** text/plain always; text/markdown when documentation exists. */
  data: Record<string, string>;
}

export interface IsCompleteResult {
  status: "complete" | "incomplete" | "invalid" | "unknown";
  indent?: string;
}

/** What the compiler process offers; the runtime calls it over IPC (client.ts). */
export interface CellCompiler {
  compile(code: string, options: CompileOptions): Promise<CompiledCell>;
  /** Makes the declarations of a compiled cell visible to later cells (called once it has run). */
  commit(cell: number): Promise<void>;
  /**
   * With `ifWarm`, answers no matches at once while the libraries are still being parsed (the caller
   * has another source), instead of parsing them first and holding up the requests behind it.
   */
  complete(code: string, cursorPos: number, options?: { ifWarm?: boolean }): Promise<CompletionResult>;
  inspect(code: string, cursorPos: number, detailLevel: 0 | 1): Promise<InspectResult>;
  isComplete(code: string): Promise<IsCompleteResult>;
  /** The directory that holds the notebook: module resolution and tsconfig.json start here. */
  setWorkingDirectory(dir: string): Promise<void>;
}
