/**
 * Turns a kernel output (kernel-session's CellOutput) into the items and metadata of a VS Code
 * notebook output, without importing `vscode` (the controller wraps the result). The metadata
 * follows the shape VS Code's built-in ipynb serializer reads back, so saved notebooks keep
 * output types, execution counts and display ids.
 */
import { errorText, type CellOutput, type MimeBundle } from "../kernel/outputs/reducer";

export interface OutputItemData {
  mime: string;
  data: Uint8Array;
}

export interface OutputData {
  items: OutputItemData[];
  metadata: Record<string, unknown>;
}

/** VS Code's own MIME types for streams and errors, rendered by its built-in renderers. */
export const STDOUT_MIME = "application/vnd.code.notebook.stdout";
export const STDERR_MIME = "application/vnd.code.notebook.stderr";
export const ERROR_MIME = "application/vnd.code.notebook.error";

// Richest first: VS Code shows the first item it can render unless the user picks another.
const PREFERENCE = [
  "application/vnd.glassbox.tensor.v1+json",
  "application/vnd.glassbox.training.v1+json",
  "application/vnd.glassbox.",
  "application/vnd.jupyter.widget-view+json",
  "application/vnd.plotly.v1+json",
  "text/html",
  "image/svg+xml",
  "image/png",
  "image/jpeg",
  "image/gif",
  "text/markdown",
  "text/latex",
  "application/json",
  "application/javascript",
  "text/plain",
];

function rank(mime: string): number {
  const exact = PREFERENCE.indexOf(mime);
  if (exact >= 0) return exact;
  const prefix = PREFERENCE.findIndex((p) => p.endsWith(".") && mime.startsWith(p));
  return prefix >= 0 ? prefix : PREFERENCE.length - 1.5; // unknown types go just before text/plain
}

const encoder = new TextEncoder();

function isJsonMime(mime: string): boolean {
  return mime === "application/json" || mime.endsWith("+json");
}

const BASE64_MIMES = new Set(["image/png", "image/jpeg", "image/gif", "image/bmp", "image/webp", "application/pdf"]);

/** Jupyter sends text either as a string or as a list of lines. */
function joinText(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join("");
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function bundleItems(data: MimeBundle): OutputItemData[] {
  return Object.keys(data)
    .sort((a, b) => rank(a) - rank(b))
    .map((mime) => {
      const value = data[mime];
      if (isJsonMime(mime)) {
        // Renderers read these with item.json(); a string here is already serialized JSON.
        return { mime, data: encoder.encode(typeof value === "string" ? value : JSON.stringify(value)) };
      }
      if (BASE64_MIMES.has(mime) && typeof value === "string") {
        return { mime, data: new Uint8Array(Buffer.from(value.replace(/\s/g, ""), "base64")) };
      }
      return { mime, data: encoder.encode(joinText(value)) };
    });
}

export function toOutputData(output: CellOutput): OutputData {
  switch (output.type) {
    case "stream":
      return {
        items: [{ mime: output.name === "stderr" ? STDERR_MIME : STDOUT_MIME, data: encoder.encode(output.text) }],
        metadata: { outputType: "stream" },
      };
    case "error": {
      // The traceback already holds the message (often with ANSI colours); it is what users read.
      const stack = errorText(output);
      return {
        items: [{ mime: ERROR_MIME, data: encoder.encode(JSON.stringify({ name: output.ename, message: output.evalue, stack })) }],
        metadata: { outputType: "error", originalError: { output_type: "error", ename: output.ename, evalue: output.evalue, traceback: output.traceback } },
      };
    }
    case "display_data":
      return {
        items: bundleItems(output.data),
        metadata: {
          outputType: "display_data",
          metadata: output.metadata,
          ...(output.displayId ? { transient: { display_id: output.displayId } } : {}),
        },
      };
    case "execute_result":
      return {
        items: bundleItems(output.data),
        metadata: { outputType: "execute_result", executionCount: output.executionCount, metadata: output.metadata },
      };
  }
}
