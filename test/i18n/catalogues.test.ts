// Every message exists in every language, with the same placeholders, so no learner meets a
// missing or half-filled message; and the language is chosen the way the docs say.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { CATALOGUES, LANGUAGES, languageFromEnvironment, normalizeLanguage } from "../../kernel/i18n";
import { CATALOGUES as RENDERER_CATALOGUES, LANGUAGES as RENDERER_LANGUAGES } from "../../renderers/shared/i18n";

type Tree = { [key: string]: string | Tree };

/** key → message, for every leaf of a nested catalogue. */
function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === "string") out.set(prefix + key, value);
    else for (const [k, v] of flatten(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}

function placeholders(message: string): string[] {
  return [...message.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
}

/** Fails naming every key that one language has and another lacks, and every placeholder mismatch. */
function assertSameMessages(catalogues: Record<string, Map<string, string>>, what: string): void {
  const [reference, ...others] = Object.entries(catalogues);
  const problems: string[] = [];
  for (const [lang, messages] of others) {
    for (const key of reference[1].keys()) if (!messages.has(key)) problems.push(`${lang} lacks ${key}`);
    for (const key of messages.keys()) if (!reference[1].has(key)) problems.push(`${reference[0]} lacks ${key} (present in ${lang})`);
    for (const [key, message] of messages) {
      const expected = reference[1].get(key);
      if (expected !== undefined && placeholders(expected).join() !== placeholders(message).join()) {
        problems.push(`${lang} ${key}: placeholders {${placeholders(message)}} differ from ${reference[0]}'s {${placeholders(expected)}}`);
      }
      if (message.trim() === "") problems.push(`${lang} ${key} is empty`);
    }
  }
  assert.deepEqual(problems, [], `${what}:\n${problems.join("\n")}`);
}

test("the kernel's catalogues have the same keys and placeholders in every language", () => {
  const flat = Object.fromEntries(LANGUAGES.map((lang) => [lang, flatten(CATALOGUES[lang] as Tree)]));
  assert.ok(flat.en.size >= 20, `the English catalogue has the kernel's messages (${flat.en.size})`);
  assertSameMessages(flat, "kernel/i18n");
});

test("the Chinese catalogue is really Chinese", () => {
  const zh = flatten(CATALOGUES["zh-CN"] as Tree);
  const untranslated = [...zh].filter(([, m]) => !/[\u4e00-\u9fff]/.test(m.replace(/\{\{\w+\}\}/g, ""))).map(([k]) => k);
  // A few messages are only a placeholder pattern, which needs no words.
  assert.deepEqual(untranslated.filter((k) => !/^(typecheck\.diagnostic)$/.test(k)), [], "messages without any Chinese text");
});

test("the language comes from GLASSBOX_LANG, then LC_ALL, LC_MESSAGES, LANG", () => {
  assert.equal(languageFromEnvironment({ LANG: "zh_CN.UTF-8" }), "zh-CN");
  assert.equal(languageFromEnvironment({ LANG: "en_US.UTF-8" }), "en");
  assert.equal(languageFromEnvironment({}), "en");
  assert.equal(languageFromEnvironment({ LANG: "C.UTF-8" }), "en");
  assert.equal(languageFromEnvironment({ LC_ALL: "en_GB.UTF-8", LANG: "zh_CN.UTF-8" }), "en", "LC_ALL wins over LANG");
  assert.equal(languageFromEnvironment({ LC_MESSAGES: "zh_CN", LANG: "en_US" }), "zh-CN");
  assert.equal(languageFromEnvironment({ GLASSBOX_LANG: "zh-cn", LC_ALL: "en_US.UTF-8" }), "zh-CN", "GLASSBOX_LANG wins");
  assert.equal(languageFromEnvironment({ GLASSBOX_LANG: "en", LANG: "zh_CN.UTF-8" }), "en");
  assert.equal(normalizeLanguage("zh-Hans"), "zh-CN");
  assert.equal(normalizeLanguage("fr_FR"), undefined);
});

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const readJson = (path: string) => JSON.parse(readFileSync(join(ROOT, path), "utf8")) as Record<string, string>;

test("package.json's contributed strings resolve in English and Chinese (package.nls files)", () => {
  const en = readJson("package.nls.json");
  const zh = readJson("package.nls.zh-cn.json");
  assertSameMessages({ en: new Map(Object.entries(en)), "zh-cn": new Map(Object.entries(zh)) }, "package.nls");
  const pkg = readFileSync(join(ROOT, "package.json"), "utf8");
  const refs = [...pkg.matchAll(/"%([\w.-]+)%"/g)].map((m) => m[1]);
  assert.ok(refs.length >= 8, `package.json refers to its strings by key (${refs.length})`);
  assert.deepEqual(refs.filter((k) => !(k in en) || !(k in zh)), [], "keys used in package.json but missing from a package.nls file");
  const contributes = (JSON.parse(pkg) as { contributes: Record<string, unknown> }).contributes;
  const literal: string[] = [];
  const visit = (value: unknown, key: string) => {
    if (typeof value === "string") {
      if (["title", "displayName", "markdownDescription", "description", "name"].includes(key) && !value.startsWith("%") && value !== "Glassbox") literal.push(value);
    } else if (Array.isArray(value)) value.forEach((v) => visit(v, key));
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(contributes, "");
  assert.deepEqual(literal, [], "contributed strings written in package.json instead of package.nls.json");
});

/** The messages the extension host passes to vscode.l10n.t, read from its sources. */
function l10nMessages(): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "renderers") walk(path);
      } else if (path.endsWith(".ts")) {
        const text = readFileSync(join(ROOT, path), "utf8");
        for (const m of text.matchAll(/l10n\.t\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|`([^`$]*)`)/g)) {
          const message = m[1] !== undefined ? (JSON.parse(`"${m[1]}"`) as string) : m[2] !== undefined ? m[2].replace(/\\'/g, "'") : m[3];
          found.set(message, path);
        }
        assert.doesNotMatch(text, /l10n\.t\(\s*[^"'`\s]/, `${path} passes vscode.l10n.t a computed message, which no bundle can translate`);
      }
    }
  };
  walk("extension");
  return found;
}

test("every message the extension shows has a Chinese translation (l10n bundle), and none is stale", () => {
  const messages = l10nMessages();
  assert.ok(messages.size >= 20, `the extension's runtime messages go through vscode.l10n.t (${messages.size})`);
  const bundle = readJson("l10n/bundle.l10n.zh-cn.json");
  const missing = [...messages.keys()].filter((m) => !(m in bundle)).map((m) => `${messages.get(m)}: ${m}`);
  assert.deepEqual(missing, [], "messages without a zh-cn translation");
  assert.deepEqual(Object.keys(bundle).filter((m) => !messages.has(m)), [], "translations of messages no longer in the code");
  const slots = (m: string) => [...m.matchAll(/\{(\d+)\}/g)].map((x) => x[1]).sort().join();
  assert.deepEqual(Object.entries(bundle).filter(([en, zh]) => slots(en) !== slots(zh)).map(([en]) => en), [], "placeholders differ");
  assert.equal((JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { l10n?: string }).l10n, "./l10n", "package.json points VS Code at the bundles");
});

/** Every file under `dir` ending in .ts, as text. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [readFileSync(join(ROOT, dir, e.name), "utf8")] : []);
}

test("the renderers' catalogues have the same keys and placeholders, in real Chinese, and every key is used", () => {
  const flat = Object.fromEntries(RENDERER_LANGUAGES.map((lang) => [lang, flatten(RENDERER_CATALOGUES[lang] as Tree)]));
  assert.ok(flat.en.size >= 100, `the English catalogue has the renderers' words (${flat.en.size})`);
  assertSameMessages(flat, "renderers/shared/locales");
  const untranslated = [...flat["zh-CN"]].filter(([, m]) => !/[\u4e00-\u9fff]/.test(m.replace(/\{\{\w+\}\}/g, ""))).map(([k]) => k);
  // Formulas read the same in every language.
  assert.deepEqual(untranslated.filter((k) => k !== "explanation.prediction"), [], "renderer messages without any Chinese text");
  // Keys are used as literals (t("tensor.title")) or through a template prefix (t(`tensor.view.${view}`)).
  const code = sources("renderers").join("\n");
  const literals = new Set([...code.matchAll(/["'`]((?:host|plot|tensor|training|explanation|control|runs|model)\.[\w.]+)["'`]/g)].map((m) => m[1]));
  const prefixes = [...code.matchAll(/`((?:host|plot|tensor|training|explanation|control|runs|model)\.[\w.]*)\$\{/g)].map((m) => m[1]);
  const unused = [...flat.en.keys()].map((k) => k.replace(/_(one|other)$/, "")).filter((k) => !literals.has(k) && !prefixes.some((p) => k.startsWith(p)));
  assert.deepEqual([...new Set(unused)], [], "catalogue keys no renderer uses");
});
