// No English words in the renderers' sources where a learner would read them: every label, tab,
// tooltip, badge, button, title and status goes through the renderer catalogue
// (renderers/shared/i18n.ts). A static check over the TypeScript syntax tree: string and template
// literals that are text children of `el(...)` or `.append/.prepend/.replaceChildren(...)`, or the
// value of a `title`, `text`, `name`, `label`, `hovertemplate`, `placeholder` or `textContent`
// (element properties and Plotly labels), must not hold a word in Latin letters. Technical tokens
// that read the same in every language (NaN, Inf, f(x), PSI, SHAP, Captum) are allowed.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const TEXT_CALLS = new Set(["el", "append", "prepend", "replaceChildren"]);
const TEXT_PROPERTIES = new Set(["title", "text", "name", "label", "hovertemplate", "placeholder", "textContent"]);
/** Element properties assigned directly (`node.title = …`); not `name`, which errors use for their kind. */
const ASSIGNED_PROPERTIES = new Set(["title", "textContent", "innerText", "placeholder"]);
const ALLOWED = /NaN|[+−-]?Inf\b|f\(x\)|PSI|SHAP|Captum/g;

/** The literal text pieces of an expression that end up on screen as they are (not those inside calls such as t()). */
function literalPieces(node: ts.Node, out: { text: string; node: ts.Node }[] = []): { text: string; node: ts.Node }[] {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) out.push({ text: node.text, node });
  else if (ts.isTemplateExpression(node)) {
    out.push({ text: node.head.text, node });
    for (const span of node.templateSpans) {
      literalPieces(span.expression, out);
      out.push({ text: span.literal.text, node });
    }
  } else if (ts.isConditionalExpression(node)) {
    literalPieces(node.whenTrue, out);
    literalPieces(node.whenFalse, out);
  } else if (ts.isBinaryExpression(node)) {
    // What the expression can evaluate to: both sides of + ?? ||, the right of &&; comparisons are not shown.
    const op = node.operatorToken.kind;
    if (op === ts.SyntaxKind.PlusToken || op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) literalPieces(node.left, out);
    if (op === ts.SyntaxKind.PlusToken || op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.AmpersandAmpersandToken) literalPieces(node.right, out);
  } else if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node)) literalPieces(node.expression, out);
  else if (ts.isArrayLiteralExpression(node)) node.elements.forEach((e) => literalPieces(e, out));
  return out;
}

function isEnglish(text: string): boolean {
  const rest = text.replace(/%\{[^}]*\}/g, "").replace(/<\/?\w+>/g, "").replace(ALLOWED, "");
  return /[A-Za-z]{2,}/.test(rest);
}

/** "file:line: text" for every English UI string in `source`. */
export function englishUiStrings(source: string, file: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const report = (expression: ts.Node) => {
    for (const piece of literalPieces(expression)) {
      if (isEnglish(piece.text)) found.push(`${file}:${sf.getLineAndCharacterOfPosition(piece.node.getStart()).line + 1}: ${JSON.stringify(piece.text)}`);
    }
  };
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node)) {
      const callee = ts.isIdentifier(node.expression) ? node.expression.text : ts.isPropertyAccessExpression(node.expression) ? node.expression.name.text : "";
      const styleSheet = callee === "el" && ts.isStringLiteral(node.arguments[0]) && node.arguments[0].text === "style";
      if (TEXT_CALLS.has(callee) && !styleSheet) node.arguments.slice(callee === "el" ? 2 : 0).forEach(report);
    } else if (ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) && TEXT_PROPERTIES.has(node.name.text)) {
      report(node.initializer);
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left) && ASSIGNED_PROPERTIES.has(node.left.name.text)) {
      report(node.right);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function rendererSources(dir = join(ROOT, "renderers")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? rendererSources(path) : path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
  });
}

test("the check finds English UI strings where they would be shown", () => {
  const bad = [
    'el("span", { class: "gb-badge" }, "all finite")',
    'el("span", {}, `${n} elements`)',
    'el("label", { title: "the model\'s score" }, x)',
    'el("div", {}, ok ? t("a.b") : "no alerts")',
    'row.append(`showing ${a} of ${b}`)',
    'drawPlot(host, data, { xaxis: { title: { text: "epoch" } } })',
    'traces.push({ hovertemplate: `best ${name} %{y}<extra></extra>` })',
    'this.summary.textContent = "Done"',
  ];
  for (const snippet of bad) assert.ok(englishUiStrings(snippet, "snippet.ts").length > 0, `flags ${snippet}`);
  const fine = [
    'el("span", { class: "gb-badge gb-badge-ok", dataset: { badge: "finite" } }, t("tensor.allFinite"))',
    'el("span", {}, `[${p.shape.join(", ")}]`, "NaN", " · ", `${label} ${n}`)',
    'el("style", {}, ".gb-x { color: red }")',
    'el("div", {}, review && review.status !== "pending" && t("a.b"))',
    'error.name = "vscode.fallbackToNextRenderer"',
    '({ type: "scatter", mode: "lines+markers", hovertemplate: "%{y}: %{x}<extra></extra>", text: `<b>f(x) ${v}</b>` })',
  ];
  for (const snippet of fine) assert.deepEqual(englishUiStrings(snippet, "snippet.ts"), [], `accepts ${snippet}`);
});

test("no renderer source shows an English string outside the catalogue", () => {
  const files = rendererSources();
  assert.ok(files.length >= 15, `renderer sources found (${files.length})`);
  const found = files.flatMap((f) => englishUiStrings(readFileSync(f, "utf8"), relative(ROOT, f)));
  assert.deepEqual(found, [], `English UI text in renderer sources; add it to renderers/shared/locales/*.json and use t():\n${found.join("\n")}`);
});
