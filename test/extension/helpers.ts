/** Shared helpers of the extension tests: the built CLI, and an OutputWriter that records. */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { CellOutput, OutputWriter } from "../../extension/kernel-session";

export const root = resolve(__dirname, "..", "..");
export const cli = join(root, "dist", "cli.js");

/** The tests run the kernel the extension ships: dist/cli.js, built once if missing. */
export function ensureBuilt(): void {
  if (!existsSync(cli) || !existsSync(join(root, "dist", "extension.js"))) {
    execFileSync(process.execPath, [join(root, "esbuild.mjs")], { cwd: root, stdio: "inherit" });
  }
}

export interface Op {
  op: "append" | "replace" | "clear";
  output?: CellOutput;
}

/** Records what the session asks the editor to do, and the outputs a cell would show. */
export class RecordingWriter implements OutputWriter {
  ops: Op[] = [];
  outputs: CellOutput[] = [];

  append(output: CellOutput): void {
    this.ops.push({ op: "append", output: structuredClone(output) });
    this.outputs.push(structuredClone(output));
  }

  replace(output: CellOutput): void {
    this.ops.push({ op: "replace", output: structuredClone(output) });
    const i = this.outputs.findIndex((o) => o.id === output.id);
    if (i >= 0) this.outputs[i] = structuredClone(output);
  }

  clear(): void {
    this.ops.push({ op: "clear" });
    this.outputs = [];
  }

  text(): string {
    return this.outputs
      .map((o) => {
        if (o.type === "stream") return o.text;
        if (o.type === "error") return `${o.ename}: ${o.evalue}\n`;
        return `${String(o.data["text/plain"] ?? "")}\n`;
      })
      .join("");
  }
}
