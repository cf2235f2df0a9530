/**
 * The one way Glassbox replaces a tfjs method: patchMethod keeps the original reachable, patches a
 * prototype at most once per purpose (a second kernel start, or a second tfjs load, is a no-op) and
 * only where the class itself defines the method. The patches: keeping models trainable across
 * interrupts (engine/training-guard.ts), the native fused Adam step (backends/native/adam.ts) and
 * live training curves (display/fit.ts, which keeps its own marker for now).
 */
type Method = (this: unknown, ...args: never[]) => unknown;

/**
 * Replaces `proto[name]` with `make(original)` unless `marker` says this patch is already in
 * place. Returns false when the prototype does not define the method itself (it inherits it, so
 * patching the parent covers it) or the patch was already applied.
 */
export function patchMethod<P extends object, K extends keyof P & string>(proto: P, name: K, marker: symbol, make: (original: P[K]) => P[K]): boolean {
  const current = proto[name] as P[K] & { [key: symbol]: unknown };
  if (!Object.prototype.hasOwnProperty.call(proto, name) || typeof current !== "function" || current[marker]) return false;
  const patched = make(current) as P[K] & { [key: symbol]: unknown };
  Object.defineProperty(patched, marker, { value: current });
  proto[name] = patched;
  return true;
}
