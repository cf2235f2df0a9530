/**
 * What is alive in the notebook: every top-level binding of the cells (let/const/class from the
 * global lexical scope, var/function from the global object) with its kind, and for tensors their
 * shape, dtype, bytes and device, for models their parameter count, for plain values a short text.
 * One cheap snapshot serves `%vars` (text and HTML) and the VS Code Variables view (JSON, asked
 * with a silent execute_request's user_expressions: `__glassbox.variables()`).
 */
import { inspect } from "node:util";
import { runInThisContext } from "node:vm";
import type * as tfjs from "@tensorflow/tfjs";
import { escapeHtml } from "../display/escape";
import { JUPYTER_DISPLAY, type DisplayPayload } from "../display/mime";
import { lexicalNames } from "./evaluate";
import { formatBytes } from "../i18n";

export const VARIABLES_MIME = "application/vnd.glassbox.variables.v1+json";

export type BindingKind =
  | "tensor" | "variable" | "model" | "layer" | "function" | "class" | "array" | "object"
  | "number" | "string" | "boolean" | "bigint" | "symbol" | "undefined" | "null" | "uninitialized";

export interface Binding {
  name: string;
  kind: BindingKind;
  /** Constructor or type name: Tensor, Sequential, Map, Array(3)… */
  type: string;
  shape?: number[];
  dtype?: string;
  bytes?: number;
  device?: string;
  disposed?: boolean;
  params?: number;
  /** A one-line text of plain values (at most 80 characters). */
  value?: string;
}

export interface VariablesSnapshot {
  version: 1;
  /** Tensors sorted by bytes (largest first), then every other binding by name. */
  bindings: Binding[];
  /** All tensors alive in tfjs (bindings or not), and the change the last cell made. */
  memory: { numTensors: number; numBytes: number; deltaTensors: number; deltaBytes: number };
  /** Time to take the snapshot, for the view's budget. */
  elapsedMs: number;
}

const BYTES_PER: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const UNINITIALIZED = Symbol("uninitialized");
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function short(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : inspect(value, { depth: 1, breakLength: Infinity, maxArrayLength: 8, maxStringLength: 60 });
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

export class VariablesInspector {
  /** Globals the kernel itself defines (tf, display…), left out of the listing. */
  private readonly builtin: Set<string>;

  constructor(
    private readonly tf: typeof tfjs,
    /** tfjs memory when the cell whose change is shown started: the latest cell, or (`duringCell`) the one before the running cell. */
    private readonly cellStart: (duringCell: boolean) => { numTensors: number; numBytes: number },
  ) {
    this.builtin = new Set(Object.getOwnPropertyNames(globalThis));
  }

  /** Reads every binding's current value: lexical ones in one compiled script, so 200 names cost one compile. */
  private values(): Array<[string, unknown]> {
    const lexical = lexicalNames().filter((n) => IDENTIFIER.test(n) && !n.startsWith("__"));
    const read = lexical.length
      ? (runInThisContext(`(() => { const u = globalThis[Symbol.for("glassbox.uninitialized")]; const o = []; ${lexical.map((n) => `try { o.push(${n}); } catch { o.push(u); }`).join(" ")} return o; })()`) as unknown[])
      : [];
    const out: Array<[string, unknown]> = lexical.map((n, i) => [n, read[i]]);
    for (const name of Object.getOwnPropertyNames(globalThis)) {
      if (this.builtin.has(name) || name.startsWith("__") || lexical.includes(name)) continue;
      const d = Object.getOwnPropertyDescriptor(globalThis, name);
      if (d && !d.get) out.push([name, d.value]); // getters are left alone: reading one could run code
    }
    return out;
  }

  describe(name: string, value: unknown): Binding {
    const tf = this.tf;
    if (value === UNINITIALIZED) return { name, kind: "uninitialized", type: "(not yet initialised)" };
    if (value instanceof tf.Tensor) {
      const t = value as tfjs.Tensor;
      const kind = value instanceof tf.Variable ? "variable" : "tensor";
      const base: Binding = { name, kind, type: kind === "variable" ? "Variable" : "Tensor", shape: [...t.shape], dtype: t.dtype };
      if (t.isDisposed) return { ...base, disposed: true, bytes: 0 };
      let device = tf.getBackend();
      try { device = (tf.engine() as unknown as { findBackendName?: (id: object) => string }).findBackendName?.(t.dataId) ?? device; } catch { /* the current one */ }
      return { ...base, bytes: t.size * (BYTES_PER[t.dtype] ?? 4), device };
    }
    if (value instanceof tf.LayersModel) {
      let params = 0;
      try { params = value.countParams(); } catch { /* not built */ }
      return { name, kind: "model", type: value.getClassName(), params, value: `${value.layers.length} layers` };
    }
    if (value instanceof tf.layers.Layer) {
      let params = 0;
      try { params = value.countParams(); } catch { /* not built */ }
      return { name, kind: "layer", type: value.getClassName(), params };
    }
    if (value === null) return { name, kind: "null", type: "null", value: "null" };
    switch (typeof value) {
      case "function": {
        const isClass = /^class[\s{]/.test(Function.prototype.toString.call(value));
        return { name, kind: isClass ? "class" : "function", type: isClass ? "class" : "function", value: isClass ? `class ${value.name}` : `${value.name || name}(${value.length ? `${value.length} parameter${value.length === 1 ? "" : "s"}` : ""})` };
      }
      case "object": {
        const type = Array.isArray(value) ? `Array(${value.length})` : ArrayBuffer.isView(value) ? `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length ?? value.byteLength})` : (value as object).constructor?.name ?? "Object";
        const b: Binding = { name, kind: Array.isArray(value) || ArrayBuffer.isView(value) ? "array" : "object", type, value: short(value) };
        if (ArrayBuffer.isView(value)) b.bytes = value.byteLength;
        return b;
      }
      default:
        return { name, kind: typeof value as BindingKind, type: typeof value, value: short(value) };
    }
  }

  snapshot(duringCell = false): VariablesSnapshot {
    const started = performance.now();
    const bindings = this.values().map(([n, v]) => {
      // A value whose own code throws when looked at (a hostile Proxy, a broken inspect) still gets a row.
      try { return this.describe(n, v); } catch (e) { return { name: n, kind: "object" as const, type: "?", value: `(could not be read: ${e instanceof Error ? e.message : String(e)})` }; }
    });
    const isTensor = (b: Binding) => b.kind === "tensor" || b.kind === "variable";
    bindings.sort((a, b) => (isTensor(a) !== isTensor(b) ? (isTensor(a) ? -1 : 1) : isTensor(a) ? (b.bytes ?? 0) - (a.bytes ?? 0) || a.name.localeCompare(b.name) : a.name.localeCompare(b.name)));
    const { numTensors, numBytes } = this.tf.memory();
    const last = this.cellStart(duringCell);
    return { version: 1, bindings, memory: { numTensors, numBytes, deltaTensors: numTensors - last.numTensors, deltaBytes: numBytes - last.numBytes }, elapsedMs: performance.now() - started };
  }

  /** The snapshot as a value user_expressions can return: application/json of it. */
  message(): object {
    const snapshot = this.snapshot();
    return { [JUPYTER_DISPLAY]: () => ({ [VARIABLES_MIME]: snapshot, "application/json": snapshot, "text/plain": variablesText(snapshot) }) };
  }

  /** `%vars`: a text table and an HTML table. */
  report(): DisplayPayload {
    const s = this.snapshot(true);
    return { data: { "text/plain": variablesText(s), "text/html": variablesHtml(s) }, metadata: {} };
  }
}

/** Names the evaluate script uses for a binding still in its temporal dead zone. */
(globalThis as Record<symbol, unknown>)[Symbol.for("glassbox.uninitialized")] = UNINITIALIZED;

const sign = (n: number, text = String(n)) => (n > 0 ? `+${text}` : n < 0 ? `-${text.replace(/^-/, "")}` : "±0");

function cells(b: Binding): string[] {
  const shape = b.shape ? `[${b.shape.join(",")}]` : "";
  const detail = b.disposed ? "disposed" : b.kind === "model" || b.kind === "layer" ? `${(b.params ?? 0).toLocaleString("en-US")} params` : b.value ?? "";
  return [b.name, b.kind, b.type, shape, b.dtype ?? "", b.bytes !== undefined ? formatBytes(b.bytes) : "", b.device ?? "", detail];
}
const HEAD = ["name", "kind", "type", "shape", "dtype", "bytes", "device", "value"];

function totals(s: VariablesSnapshot): string {
  const m = s.memory;
  return `${m.numTensors} tensors, ${formatBytes(m.numBytes)} alive (change in the last cell: ${sign(m.deltaTensors)} tensors, ${sign(m.deltaBytes, formatBytes(m.deltaBytes))})`;
}

export function variablesText(s: VariablesSnapshot): string {
  if (!s.bindings.length) return `No variables yet.\n${totals(s)}`;
  const rows = s.bindings.map(cells);
  const w = HEAD.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (r: string[]) => r.map((c, j) => c.padEnd(w[j])).join("  ").trimEnd();
  return [line(HEAD), ...rows.map(line), totals(s)].join("\n");
}

export function variablesHtml(s: VariablesSnapshot): string {
  const td = "padding:1px 8px;border-bottom:1px solid rgba(128,128,128,.3);text-align:left;white-space:nowrap";
  const rows = s.bindings.map((b) => `<tr${b.disposed ? ' style="opacity:.6"' : ""}>${cells(b).map((c, j) => `<td style="${td}${j === 0 || j === 3 ? ";font-family:monospace" : ""}">${escapeHtml(c)}</td>`).join("")}</tr>`).join("");
  return `<div><table style="border-collapse:collapse"><thead><tr>${HEAD.map((h) => `<th style="${td}">${h}</th>`).join("")}</tr></thead><tbody>${rows}</tbody></table><div style="margin-top:4px">${escapeHtml(totals(s))}</div></div>`;
}
