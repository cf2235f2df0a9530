/**
 * The renderers' words in the learner's language: one JSON catalogue per language
 * (locales/en.json, locales/zh-CN.json, same keys; test/i18n checks it), typed keys, and Intl
 * formatting of numbers, durations and bytes.
 *
 * Not i18next (which the kernel uses): these modules run in every notebook webview and are inlined
 * into every report, and all they need is a lookup, `{{name}}` placeholders (the kernel's syntax,
 * so one test checks both) and a plural choice, which Intl.PluralRules already gives. A few lines
 * here against ~40 KB of minified library in each bundle.
 *
 * The language: `<html data-glassbox-lang>` when the host page sets it (the `glassbox run` report
 * does, from `--lang`), else `navigator.language`, which in VS Code's webviews is VS Code's display
 * language. `<html lang>` is not read: VS Code's notebook webview hard-codes `lang="en"`.
 */
import en from "./locales/en.json";
import zhCN from "./locales/zh-CN.json";
import { normalizeLanguage, type CatalogueKey, type Language, type MessageValues } from "../../kernel/i18n/language";

export { LANGUAGES, normalizeLanguage, type Language, type MessageValues } from "../../kernel/i18n/language";
/** Every message key, checked at compile time against the English catalogue. */
export type MessageKey = CatalogueKey<typeof en>;

export const CATALOGUES: Record<Language, object> = { en, "zh-CN": zhCN };

/** The language of this document (see the module comment). */
export function language(): Language {
  const explicit = typeof document === "undefined" ? undefined : document.documentElement.dataset.glassboxLang;
  return normalizeLanguage(explicit) ?? normalizeLanguage(typeof navigator === "undefined" ? undefined : navigator.language) ?? "en";
}

function lookup(catalogue: object, key: string): string | undefined {
  let node: unknown = catalogue;
  for (const part of key.split(".")) node = (node as Record<string, unknown> | undefined)?.[part];
  return typeof node === "string" ? node : undefined;
}

const pluralRules = new Map<Language, Intl.PluralRules>();

/** The message `key` in the document's language, `{{name}}` filled from `values`; numbers are formatted with Intl. */
export function t(key: MessageKey, values: MessageValues = {}): string {
  const lang = language();
  const find = (k: string) => lookup(CATALOGUES[lang], k) ?? lookup(en, k);
  let message = find(key);
  if (message === undefined && typeof values.count === "number") {
    let rules = pluralRules.get(lang);
    if (!rules) pluralRules.set(lang, (rules = new Intl.PluralRules(lang)));
    message = find(`${key}_${rules.select(values.count) === "one" ? "one" : "other"}`) ?? find(`${key}_other`);
  }
  if (message === undefined) return key;
  return message.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => {
    const v = values[name];
    return v === undefined ? whole : typeof v === "number" ? formatInteger(v) : v;
  });
}

const formatters = new Map<string, Intl.NumberFormat>();

/** A cached Intl.NumberFormat: tables format thousands of cells. */
function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const lang = language();
  const key = `${lang}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = new Intl.NumberFormat(lang, options)));
  return f;
}

/** Non-finite values as the notebook prints them (the same in every language). */
function special(v: number | null | undefined): string | undefined {
  if (v === null || v === undefined) return "–";
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "−Inf";
  return undefined;
}

/** Counts: grouped digits ("12,345"). */
export function formatInteger(v: number | null | undefined): string {
  return special(v) ?? numberFormat({ maximumFractionDigits: 0 }).format(v as number);
}

/** Values in tables and stats: 5 significant digits, scientific notation for very large or small magnitudes. */
export function formatNumber(v: number | null | undefined, integer = false): string {
  const s = special(v);
  if (s !== undefined) return s;
  if (integer) return formatInteger(v);
  const a = Math.abs(v as number);
  const scientific = a !== 0 && (a >= 1e6 || a < 1e-4);
  return numberFormat({ maximumSignificantDigits: 5, useGrouping: false, ...(scientific ? { notation: "scientific", maximumSignificantDigits: 4 } : {}) }).format(v as number);
}

/** A fixed number of decimals (slider values). */
export function formatFixed(v: number, digits: number): string {
  return numberFormat({ minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
}

/** An ISO timestamp as a local date and time ("Nov 30, 2026, 3:10 AM", "2026年11月30日 03:10"); other text as written. */
export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language(), { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/** A share as a percentage with two significant digits ("0.12%"). */
export function formatPercent(share: number): string {
  return numberFormat({ style: "percent", maximumSignificantDigits: 2 }).format(share);
}

/** Short timings ("12.5 ms", "12.5毫秒"). */
export function formatMilliseconds(ms: number): string {
  return numberFormat({ style: "unit", unit: "millisecond", unitDisplay: "short", maximumFractionDigits: 1 }).format(ms);
}

/** Elapsed times and ETAs, in at most two units: "5 sec", "1 min, 5 sec", "1小时2分钟". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const parts: [number, "hour" | "minute" | "second"][] = [[Math.floor(total / 3600), "hour"], [Math.floor((total % 3600) / 60), "minute"], [total % 60, "second"]];
  const first = parts.findIndex(([n]) => n > 0);
  const shown = first < 0 ? [parts[2]] : parts.slice(first, first + 2).filter(([n], i) => i === 0 || n > 0);
  const texts = shown.map(([n, unit]) => numberFormat({ style: "unit", unit, unitDisplay: "short" }).format(n));
  return new Intl.ListFormat(language(), { type: "unit", style: "narrow" }).format(texts);
}
