/**
 * The exercise helpers every cell sees as globals: `check(condition, message, { hint })` and
 * `expect(value).toBeCloseTo(...)`-style matchers. A passing check prints "✓ message"; a failing one
 * throws a CheckFailed error whose message states what was expected and, on its own line, the hint.
 * `glassbox course grade` reads that error back from the notebook for the feedback page.
 */

export interface CheckOptions {
  /** Shown under the failure: what to look at, without giving the answer away. */
  hint?: string;
}

export interface CloseOptions extends CheckOptions {
  /** Largest allowed absolute difference per element (default 1e-5). */
  tolerance?: number;
}

/** The error a failing check throws. Its message ends with "\nHint: …" when a hint was given. */
export class CheckFailed extends Error {
  override name = "CheckFailed";
  constructor(
    readonly check: string,
    readonly hint?: string,
  ) {
    super(hint ? `${check}\nHint: ${hint}` : check);
  }
}

/** Splits a CheckFailed message back into the failed check and its hint. */
export function splitHint(message: string): { message: string; hint?: string } {
  const at = message.lastIndexOf("\nHint: ");
  return at < 0 ? { message } : { message: message.slice(0, at), hint: message.slice(at + "\nHint: ".length) };
}

/** Passes silently-but-visibly (prints ✓) when `condition` is truthy; otherwise throws CheckFailed. */
export function check(condition: unknown, message: string, options: CheckOptions = {}): void {
  if (typeof message !== "string" || message === "") throw new TypeError("check(condition, message): say in the message what should be true.");
  if (!condition) throw new CheckFailed(`Check failed: ${message}`, options.hint);
  console.log(`✓ ${message}`);
}

interface TensorLike {
  shape: number[];
  dataSync(): ArrayLike<number>;
}

function isTensor(value: unknown): value is TensorLike {
  return typeof value === "object" && value !== null && Array.isArray((value as TensorLike).shape) && typeof (value as TensorLike).dataSync === "function";
}

/** Numbers out of a number, an array (nested too), a typed array or a tensor; undefined for anything else. */
function numbers(value: unknown): number[] | undefined {
  if (typeof value === "number") return [value];
  if (isTensor(value)) return Array.from(value.dataSync());
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) {
    const out: number[] = [];
    for (const v of value) {
      const inner = numbers(v);
      if (!inner) return undefined;
      out.push(...inner);
    }
    return out;
  }
  return undefined;
}

function show(value: unknown): string {
  if (isTensor(value)) {
    const data = Array.from(value.dataSync());
    return `tensor of shape [${value.shape}] ${JSON.stringify(data.length > 8 ? [...data.slice(0, 8), "…"] : data)}`;
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return `[${Array.from(value as unknown as ArrayLike<number>).slice(0, 8).join(", ")}]`;
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  try {
    const text = JSON.stringify(value);
    if (text !== undefined) return text.length > 120 ? `${text.slice(0, 119)}…` : text;
  } catch {
    // circular: fall through
  }
  return String(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  const na = isTensor(a) || ArrayBuffer.isView(a) ? numbers(a) : undefined;
  const nb = isTensor(b) || ArrayBuffer.isView(b) ? numbers(b) : undefined;
  if (na || nb) return !!na && !!nb && na.length === nb.length && na.every((v, i) => Object.is(v, nb[i]));
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export interface Matchers {
  /** Same value (Object.is). */
  toBe(expected: unknown, options?: CheckOptions): void;
  /** Same structure and values (arrays, objects, typed arrays, tensors by their values). */
  toEqual(expected: unknown, options?: CheckOptions): void;
  /** Numbers, arrays, typed arrays or tensors agree element by element within `tolerance` (default 1e-5). */
  toBeCloseTo(expected: number | ArrayLike<number> | number[][] | TensorLike, options?: CloseOptions): void;
  toBeGreaterThan(limit: number, options?: CheckOptions): void;
  toBeLessThan(limit: number, options?: CheckOptions): void;
  /** A tensor (or anything with a `shape`) has exactly this shape. */
  toHaveShape(shape: number[], options?: CheckOptions): void;
  /** The value is a function that throws when called (optionally, with a message matching `pattern`). */
  toThrow(pattern?: string | RegExp, options?: CheckOptions): void;
}

function pass(message: string): void {
  console.log(`✓ ${message}`);
}

/** `expect(value).toBeCloseTo(expected)` and friends: each passing matcher prints ✓, a failing one throws CheckFailed. */
export function expect(actual: unknown): Matchers {
  const fail = (message: string, options?: CheckOptions): never => {
    throw new CheckFailed(`Check failed: ${message}`, options?.hint);
  };
  const scalar = (what: string): number => {
    const n = numbers(actual);
    if (!n || n.length !== 1) fail(`expected a single number ${what}, got ${show(actual)}`);
    return n![0];
  };
  return {
    toBe(expected, options) {
      if (!Object.is(actual, expected)) fail(`expected ${show(expected)}, got ${show(actual)}`, options);
      pass(`${show(actual)} is ${show(expected)}`);
    },
    toEqual(expected, options) {
      if (!deepEqual(actual, expected)) fail(`expected ${show(expected)}, got ${show(actual)}`, options);
      pass(`equals ${show(expected)}`);
    },
    toBeCloseTo(expected, options = {}) {
      const tolerance = options.tolerance ?? 1e-5;
      const want = numbers(expected);
      const got = numbers(actual);
      if (!want) throw new TypeError(`toBeCloseTo takes numbers, arrays of numbers or a tensor, not ${show(expected)}.`);
      if (!got) fail(`expected numbers close to ${show(expected)}, got ${show(actual)}`, options);
      if (got!.length !== want.length) fail(`expected ${want.length} number${want.length === 1 ? "" : "s"} close to ${show(expected)}, got ${got!.length}: ${show(actual)}`, options);
      const i = got!.findIndex((v, k) => !(Math.abs(v - want[k]) <= tolerance));
      if (i >= 0) {
        const where = want.length === 1 ? "" : ` (element ${i}: ${got![i]} vs ${want[i]})`;
        fail(`expected ${show(actual)} to be within ${tolerance} of ${show(expected)}${where}`, options);
      }
      pass(`close to ${show(expected)}`);
    },
    toBeGreaterThan(limit, options) {
      const v = scalar(`greater than ${limit}`);
      if (!(v > limit)) fail(`expected a number greater than ${limit}, got ${v}`, options);
      pass(`${v} > ${limit}`);
    },
    toBeLessThan(limit, options) {
      const v = scalar(`less than ${limit}`);
      if (!(v < limit)) fail(`expected a number less than ${limit}, got ${v}`, options);
      pass(`${v} < ${limit}`);
    },
    toHaveShape(shape, options) {
      const got = typeof actual === "object" && actual !== null ? (actual as { shape?: unknown }).shape : undefined;
      if (!Array.isArray(got)) fail(`expected something with shape [${shape}], got ${show(actual)}`, options);
      if ((got as number[]).join() !== shape.join()) fail(`expected shape [${shape}], got [${got as number[]}]`, options);
      pass(`shape [${shape}]`);
    },
    toThrow(pattern, options) {
      if (typeof actual !== "function") throw new TypeError("expect(fn).toThrow() takes a function to call, e.g. expect(() => f(x)).toThrow().");
      let thrown: unknown;
      let threw = false;
      try {
        (actual as () => unknown)();
      } catch (e) {
        threw = true;
        thrown = e;
      }
      if (!threw) fail(`expected ${show(actual)} to throw`, options);
      const message = thrown instanceof Error ? thrown.message : String(thrown);
      if (pattern !== undefined && !(typeof pattern === "string" ? message.includes(pattern) : pattern.test(message))) {
        fail(`expected an error matching ${String(pattern)}, got "${message}"`, options);
      }
      pass(`throws${pattern === undefined ? "" : ` ${String(pattern)}`}`);
    },
  };
}
