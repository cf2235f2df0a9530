/**
 * Structural checks for payloads at the renderer boundary. A notebook's saved JSON may come from any
 * version or be edited by hand, so each renderer's `check` walks the fields it reads and throws a
 * PayloadError naming the first bad one (the host then falls back to the next MIME type) instead of
 * failing halfway through drawing.
 */

export class PayloadError extends Error {
  constructor(path: string, expected: string, value: unknown) {
    super(`${path}: expected ${expected}, got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`);
    this.name = "PayloadError";
  }
}

export type Obj = Record<string, unknown>;

export function object(value: unknown, path: string): Obj {
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new PayloadError(path, "an object", value);
  return value as Obj;
}

export function number(value: unknown, path: string): number {
  if (typeof value !== "number") throw new PayloadError(path, "a number", value);
  return value;
}

export function numberOrNull(value: unknown, path: string): number | null {
  return value === null ? null : number(value, path);
}

export function string(value: unknown, path: string): string {
  if (typeof value !== "string") throw new PayloadError(path, "a string", value);
  return value;
}

export function boolean(value: unknown, path: string): boolean {
  if (typeof value !== "boolean") throw new PayloadError(path, "a boolean", value);
  return value;
}

export function oneOf<T extends string>(value: unknown, path: string, options: readonly T[]): T {
  if (!options.includes(value as T)) throw new PayloadError(path, `one of ${options.join(", ")}`, value);
  return value as T;
}

/** An array whose every item passes `item` (called with the item's path). */
export function array<T>(value: unknown, path: string, item?: (v: unknown, path: string) => T): T[] {
  if (!Array.isArray(value)) throw new PayloadError(path, "an array", value);
  if (item) value.forEach((v, i) => item(v, `${path}[${i}]`));
  return value as T[];
}

/** `check` applied to a field that may be absent (undefined). */
export function optional<T>(value: unknown, path: string, check: (v: unknown, path: string) => T): T | undefined {
  return value === undefined ? undefined : check(value, path);
}

/** `check` applied to a field that may be null. */
export function nullable<T>(value: unknown, path: string, check: (v: unknown, path: string) => T): T | null {
  return value === null ? null : check(value, path);
}

export const numbers = (value: unknown, path: string): number[] => array(value, path, number);
export const numbersOrNull = (value: unknown, path: string): (number | null)[] => array(value, path, numberOrNull);
export const strings = (value: unknown, path: string): string[] => array(value, path, string);
