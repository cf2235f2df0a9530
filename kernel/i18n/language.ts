/**
 * The languages Glassbox speaks and what both message catalogues (the kernel's, kernel/i18n, and the
 * renderers', renderers/shared/i18n.ts) share. Plain TypeScript with no Node.js or DOM, so the
 * browser bundles import it too.
 */
export const LANGUAGES = ["en", "zh-CN"] as const;
export type Language = (typeof LANGUAGES)[number];

type Leaves<T, P extends string = ""> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];
/** Every message key of a catalogue (nested objects joined with dots); `x_one`/`x_other` plural pairs are used as `x` with a `count`. */
export type CatalogueKey<T> = Leaves<T> extends infer K ? (K extends `${infer B}_${"one" | "other"}` ? B : K) : never;
export type MessageValues = Record<string, string | number>;

/** A BCP 47 tag or POSIX locale (`zh_CN.UTF-8`, `zh-Hans`, `en_US`) to a supported language. */
export function normalizeLanguage(tag: string | null | undefined): Language | undefined {
  const base = tag?.trim().split(/[.@]/)[0].replace(/_/g, "-").toLowerCase();
  if (!base || base === "c" || base === "posix") return undefined;
  if (base.startsWith("zh")) return "zh-CN";
  if (base.startsWith("en")) return "en";
  return undefined;
}
