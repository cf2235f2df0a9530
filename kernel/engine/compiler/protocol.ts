// Messages between the compiler client (main thread) and the compiler worker.
import type { CellCompiler } from "./types";

export type CompilerMethod = keyof CellCompiler | "restore";

export interface CompilerRequest {
  id: number;
  method: CompilerMethod;
  args: unknown[];
}

export type CompilerResponse = { id: number; result: unknown } | { id: number; error: { message: string; stack?: string } };

export interface CompilerWorkerData {
  workingDirectory: string;
}

/** A restarted worker gets the committed cells again, so later cells still see their declarations. */
export interface RestoreCell {
  cell: number;
  code: string;
}
