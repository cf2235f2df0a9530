/**
 * Runs a cell's script in V8's REPL mode through the inspector, in this (the main) thread.
 * REPL mode is what lets a later cell re-declare `let`/`const`/`class`, and lets top-level
 * `await` run in a classic script; its completion value is the cell's result.
 */
import { Session } from "node:inspector";

interface RemoteObject {
  type: string;
  subtype?: string;
  value?: unknown;
  unserializableValue?: string;
  objectId?: string;
  description?: string;
}

interface EvaluateResult {
  result: RemoteObject;
  exceptionDetails?: { exception?: RemoteObject; text: string; lineNumber: number; columnNumber: number };
}

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown } | { ok: false; terminated: true };

const session = new Session();
session.connect();

/** Inspector sessions left open make Node wait for a debugger at exit. */
export function disconnectInspector(): void {
  session.disconnect();
}

/** Where `Runtime.callFunctionOn` drops a remote object so that we can hold the real value. */
const SINK = Symbol.for("glassbox.sink");

function materialize(remote: RemoteObject): unknown {
  if (remote.objectId) {
    let value: unknown;
    session.post("Runtime.callFunctionOn", { objectId: remote.objectId, functionDeclaration: `function () { "use strict"; globalThis[Symbol.for("glassbox.sink")] = this; }` /* strict: a thrown Symbol stays a primitive, not a wrapper */ }, () => {
      value = (globalThis as Record<symbol, unknown>)[SINK];
      delete (globalThis as Record<symbol, unknown>)[SINK];
    });
    return value; // callFunctionOn on this thread answers synchronously.
  }
  if (remote.type === "undefined") return undefined;
  if (remote.unserializableValue !== undefined) {
    const u = remote.unserializableValue;
    if (u.endsWith("n")) return BigInt(u.slice(0, -1));
    return u === "-0" ? -0 : Number(u);
  }
  return remote.value;
}

/** The script-scope names cells declared with `let`, `const` and `class` (not properties of globalThis). */
export function lexicalNames(): string[] {
  let names: string[] = [];
  // Answers synchronously on this thread, as callFunctionOn does.
  session.post("Runtime.globalLexicalScopeNames", {}, (error, result) => {
    if (!error) names = (result as { names: string[] }).names;
  });
  return names;
}

/** The value of a cell's `let`/`const`/`class` binding, read without running any code (no getters, no calls). */
export function lexicalValue(name: string): { found: boolean; value?: unknown } {
  if (!/^[A-Za-z_$][\w$]*$/.test(name) || !lexicalNames().includes(name)) return { found: false };
  let found: { found: boolean; value?: unknown } = { found: false };
  session.post("Runtime.evaluate", { expression: name, replMode: true, throwOnSideEffect: true, objectGroup: "completion" }, (error, raw) => {
    const result = raw as EvaluateResult | undefined;
    if (!error && result && !result.exceptionDetails) found = { found: true, value: materialize(result.result) };
  });
  session.post("Runtime.releaseObjectGroup", { objectGroup: "completion" });
  return found;
}

/**
 * Evaluates `source` (named `fileName` in stack traces). Resolves when the script, including its
 * top-level awaits, has finished. A script stopped by Runtime.terminateExecution never resolves
 * if it was inside an await; the caller races it with the interrupt.
 */
export function evaluate(source: string, fileName: string): Promise<Outcome> {
  const expression = `${source}\n//# sourceURL=${fileName}`;
  return new Promise((resolve) => {
    try {
      session.post("Runtime.evaluate", { expression, replMode: true, objectGroup: "cell", generatePreview: false }, (error, raw) => {
        if (error) {
          // The inspector reports a terminated synchronous run as a failed command.
          resolve({ ok: false, terminated: true });
          return;
        }
        const result = raw as EvaluateResult;
        const outcome: Outcome = result.exceptionDetails
          ? { ok: false, error: result.exceptionDetails.exception ? materialize(result.exceptionDetails.exception) : new Error(result.exceptionDetails.text) }
          : { ok: true, value: materialize(result.result) };
        session.post("Runtime.releaseObjectGroup", { objectGroup: "cell" });
        resolve(outcome);
      });
    } catch {
      resolve({ ok: false, terminated: true });
    }
  });
}
