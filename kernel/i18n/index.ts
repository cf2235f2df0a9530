/**
 * The kernel's messages in the learner's language. One catalogue per language (en.json, zh-CN.json,
 * same keys; test/i18n checks it), served by i18next. The language comes from GLASSBOX_LANG, else
 * the POSIX locale (LC_ALL, LC_MESSAGES, LANG), else English; the VS Code controller sets
 * GLASSBOX_LANG from VS Code's display language.
 */
import i18next, { type i18n } from "i18next";
import en from "./en.json";
import zhCN from "./zh-CN.json";
import { LANGUAGES, normalizeLanguage, type CatalogueKey, type Language, type MessageValues } from "./language";

export { LANGUAGES, normalizeLanguage, type Language, type MessageValues } from "./language";
/** Every message key, checked at compile time against the English catalogue (i18next plurals as `x` with a `count`). */
export type MessageKey = CatalogueKey<typeof en>;

export const CATALOGUES: Record<Language, object> = { en, "zh-CN": zhCN };

/** The language for this process: GLASSBOX_LANG, then LC_ALL, LC_MESSAGES, LANG (first one set wins, as POSIX does). */
export function languageFromEnvironment(env: NodeJS.ProcessEnv = process.env): Language {
  const explicit = normalizeLanguage(env.GLASSBOX_LANG);
  if (explicit) return explicit;
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v !== "");
  return normalizeLanguage(locale) ?? "en";
}

let translator: i18n | undefined;

function instance(): i18n {
  if (!translator) {
    translator = i18next.createInstance();
    void translator.init({
      lng: languageFromEnvironment(),
      fallbackLng: "en",
      supportedLngs: [...LANGUAGES],
      resources: { en: { translation: en }, "zh-CN": { translation: zhCN } },
      interpolation: { escapeValue: false }, // plain text: the display layer escapes where it renders HTML
      initAsync: false,
      showSupportNotice: false,
    } as Parameters<i18n["init"]>[0]);
  }
  return translator;
}

/** The message `key` in the current language, with `{{name}}` placeholders filled from `values`. */
export function t(key: MessageKey, values?: MessageValues): string {
  return instance().t(key, values) as string;
}

/** `t` fixed to one language, whatever the process's is (e.g. a report written in the `--lang` it was asked for). */
export function fixedTranslator(language: Language): (key: MessageKey, values?: MessageValues) => string {
  const fixed = instance().getFixedT(language);
  return (key, values) => fixed(key, values) as string;
}

export function currentLanguage(): Language {
  return (instance().language as Language) ?? "en";
}

export function setLanguage(language: Language): void {
  void instance().changeLanguage(language);
}

/** Numbers, sizes and durations through Intl, in the current language. */
export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(currentLanguage(), options).format(value);
}

// Unit symbols are the same in both languages (as Chinese technical writing uses them); the number
// itself (digits, grouping, decimal mark) is formatted by Intl for the language.
const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB"] as const;

/** Bytes in binary steps (1 KB = 1024 B, as memory tools show them), e.g. "1.5 GB". */
export function formatBytes(bytes: number): string {
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit ? 1 : 0;
  const text = formatNumber(value, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${bytes < 0 ? "-" : ""}${text} ${BYTE_UNITS[unit]}`;
}

/** "12.3 ms" below a second, "2.35 s" from one. */
export function formatDuration(ms: number): string {
  return ms < 1000
    ? `${formatNumber(ms, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} ms`
    : `${formatNumber(ms / 1000, { minimumFractionDigits: 2, maximumFractionDigits: 2 })} s`;
}

/** TypeScript's own diagnostics catalogue for the current language (`locale` option), or none for English. */
export function typescriptLocale(): string | undefined {
  return currentLanguage() === "zh-CN" ? "zh-cn" : undefined;
}
