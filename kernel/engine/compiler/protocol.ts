// Messages between the compiler client (the kernel) and the compiler process: one typed call per
// CellCompiler method (plus `restore`), so neither side casts arguments or results.
import type { CompiledCell, CompileOptions, CompletionResult, InspectResult, IsCompleteResult } from "./types";

/** A restarted compiler gets the committed cells again, so later cells still see their declarations. */
export interface RestoreCell {
  cell: number;
  code: string;
}

/** Each call's arguments and result. */
export interface CompilerCalls {
  compile: { args: [code: string, options: CompileOptions]; result: CompiledCell };
  commit: { args: [cell: number]; result: void };
  complete: { args: [code: string, cursorPos: number, options: { ifWarm?: boolean }]; result: CompletionResult };
  inspect: { args: [code: string, cursorPos: number, detailLevel: 0 | 1]; result: InspectResult };
  isComplete: { args: [code: string]; result: IsCompleteResult };
  setWorkingDirectory: { args: [dir: string]; result: void };
  restore: { args: [cells: RestoreCell[]]; result: void };
}

export type CompilerMethod = keyof CompilerCalls;

/** One variant per method: `args` is that method's argument tuple. */
export type CompilerRequest = { [M in CompilerMethod]: { id: number; method: M; args: CompilerCalls[M]["args"] } }[CompilerMethod];

export type CompilerResponse =
  | { [M in CompilerMethod]: { id: number; method: M; result: CompilerCalls[M]["result"] } }[CompilerMethod]
  | { id: number; method: CompilerMethod; error: { message: string; stack?: string } };

/** The compiler process's side: one synchronous handler per call. */
export type CompilerHandlers = { [M in CompilerMethod]: (...args: CompilerCalls[M]["args"]) => CompilerCalls[M]["result"] };
