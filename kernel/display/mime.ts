/**
 * The display layer's one entry point: turning any value into a Jupyter MIME bundle.
 * Order: objects that describe themselves with Symbol.for("Jupyter.display"), then the
 * formatters registered for rich kinds (tensors, models…), then text/plain.
 * An object whose Jupyter.display method returns null shows nothing (e.g. a display handle).
 */
import { inspect } from "node:util";

export type MimeBundle = Record<string, unknown>;

export interface DisplayPayload {
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

export const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");

/** A formatter returns a payload for values it recognises and undefined otherwise. */
export type Formatter = (value: unknown) => DisplayPayload | undefined;

const formatters: Formatter[] = [];

export function registerFormatter(formatter: Formatter): void {
  formatters.push(formatter);
}

export function plainText(value: unknown): string {
  // Strings stay on one line, quoted, however long (inspect would split them with `+`).
  return typeof value === "string" ? inspect(value, { breakLength: Infinity }) : inspect(value, { depth: 4, colors: false, maxArrayLength: 100, breakLength: 100 });
}

export function toDisplay(value: unknown): DisplayPayload | undefined {
  if (value !== null && (typeof value === "object" || typeof value === "function")) {
    const own = (value as { [JUPYTER_DISPLAY]?: () => unknown })[JUPYTER_DISPLAY];
    if (typeof own === "function") {
      const bundle = own.call(value) as MimeBundle | DisplayPayload | null;
      if (bundle === null) return undefined;
      if (typeof bundle === "object") {
        if ("data" in bundle && typeof bundle.data === "object") return bundle as DisplayPayload;
        return { data: { "text/plain": plainText(value), ...bundle }, metadata: {} };
      }
    }
  }
  for (const formatter of formatters) {
    const payload = formatter(value);
    if (payload) return payload;
  }
  return { data: { "text/plain": plainText(value) }, metadata: {} };
}
