// Turns a type-checked cell into a classic script for V8's REPL mode. Types are replaced by spaces
// (ts-blank-space), so lines and columns stay where they were; import and export syntax, which a
// script cannot contain, is rewritten in place on the same lines. Cells using TypeScript syntax that
// has run-time semantics (enums, namespaces, parameter properties, decorators) go through
// `ts.transpileModule` instead, whose lines may move; the source map covers both.
import ts from "typescript";
import { blankSourceFile } from "ts-blank-space";

interface Edit {
  start: number;
  end: number;
  text: string;
}

export interface EmittedCell {
  js: string;
  sourceMap: string;
}

const LOADER = "__glassbox.import";

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): ts.Modifier | undefined {
  return ts.canHaveModifiers(node) ? ts.getModifiers(node)?.find((m) => m.kind === kind) : undefined;
}

/** Replacement text padded with the newlines of the range it replaces, so later lines do not move. */
function sameLines(sf: ts.SourceFile, start: number, end: number, text: string): Edit {
  const newlines = sf.text.slice(start, end).split("\n").length - 1;
  return { start, end, text: text + "\n".repeat(newlines) };
}

function importCall(sf: ts.SourceFile, node: ts.ImportDeclaration): string {
  const specifier = (node.moduleSpecifier as ts.StringLiteral).getText(sf);
  const attributes = node.attributes ? `, { with: ${node.attributes.elements.length ? `{ ${node.attributes.elements.map((e) => e.getText(sf)).join(", ")} }` : "{}"} }` : "";
  return `${LOADER}(${specifier}${attributes})`;
}

/** True when an imported name has a run-time value (names that are only types vanish, as tsc elides them). */
function isValueImport(checker: ts.TypeChecker | undefined, name: ts.Identifier): boolean {
  if (!checker) return true;
  const symbol = checker.getSymbolAtLocation(name);
  if (!symbol) return true;
  try {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    // An unresolved import resolves to the checker's "unknown" symbol, a value: it is kept, and the
    // run-time error is the useful one.
    return (target.flags & ts.SymbolFlags.Value) !== 0;
  } catch {
    return true;
  }
}

function importEdit(sf: ts.SourceFile, node: ts.ImportDeclaration, checker: ts.TypeChecker | undefined): Edit {
  const start = node.getStart(sf);
  const clause = node.importClause;
  const call = importCall(sf, node);
  if (!clause) return sameLines(sf, start, node.end, `await ${call};`);
  if (clause.isTypeOnly) return sameLines(sf, start, node.end, "");
  const bindings = clause.namedBindings;
  const defaultName = clause.name && isValueImport(checker, clause.name) ? clause.name.text : undefined;
  if (bindings && ts.isNamespaceImport(bindings)) {
    const ns = bindings.name.text;
    return sameLines(sf, start, node.end, `const ${ns} = await ${call}${defaultName ? `, ${defaultName} = ${ns}.default` : ""};`);
  }
  const parts: string[] = [];
  if (defaultName) parts.push(`default: ${defaultName}`);
  let named = 0;
  for (const element of bindings?.elements ?? []) {
    named++;
    if (element.isTypeOnly || !isValueImport(checker, element.name)) continue;
    const imported = element.propertyName ? element.propertyName.getText(sf) : undefined;
    parts.push(imported && imported !== element.name.text ? `${imported}: ${element.name.text}` : element.name.text);
  }
  if (parts.length === 0) {
    // Only types were imported: tsc drops such an import, and so do we. `import {} from "m"` keeps its side effect.
    return sameLines(sf, start, node.end, named === 0 && !clause.name ? `await ${call};` : "");
  }
  if (defaultName && parts.length === 1) return sameLines(sf, start, node.end, `const ${defaultName} = (await ${call}).default;`);
  return sameLines(sf, start, node.end, `const { ${parts.join(", ")} } = await ${call};`);
}

/** The edits that remove module syntax; `handled` collects nodes ts-blank-space may report that we rewrite. */
function moduleEdits(sf: ts.SourceFile, checker: ts.TypeChecker | undefined, handled: Set<ts.Node>, end: number): Edit[] {
  const edits: Edit[] = [];
  for (const statement of sf.statements) {
    if (statement.getStart(sf) >= end) break;
    if (ts.isImportDeclaration(statement)) {
      edits.push(importEdit(sf, statement, checker));
    } else if (ts.isImportEqualsDeclaration(statement)) {
      handled.add(statement);
      const start = statement.getStart(sf);
      if (statement.isTypeOnly) {
        edits.push(sameLines(sf, start, statement.end, ""));
      } else if (ts.isExternalModuleReference(statement.moduleReference)) {
        edits.push(sameLines(sf, start, statement.end, `const ${statement.name.text} = require(${statement.moduleReference.expression.getText(sf)});`));
      } else {
        // `import x = N.y`: an alias of a value.
        edits.push(sameLines(sf, start, statement.end, `const ${statement.name.text} = ${statement.moduleReference.getText(sf)};`));
      }
    } else if (ts.isExportDeclaration(statement)) {
      // `export { a }`, `export * from "m"`: nothing to export to in a notebook.
      edits.push(sameLines(sf, statement.getStart(sf), statement.end, ""));
    } else if (ts.isExportAssignment(statement)) {
      // `export default expr` / `export = expr` keep the expression (it may be the cell's result).
      handled.add(statement);
      const exprStart = statement.expression.getStart(sf);
      const start = statement.getStart(sf);
      edits.push({ start, end: exprStart, text: sf.text.slice(start, exprStart).replace(/[^\n]/g, " ") });
    } else {
      const exportKeyword = hasModifier(statement, ts.SyntaxKind.ExportKeyword);
      if (!exportKeyword) continue;
      const defaultKeyword = hasModifier(statement, ts.SyntaxKind.DefaultKeyword);
      const end = (defaultKeyword ?? exportKeyword).end;
      const anonymous = (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && !statement.name;
      // `export default function () {}` has no name to declare: keep it as an expression.
      const start = exportKeyword.getStart(sf);
      edits.push({ start, end, text: anonymous ? "void" + " ".repeat(Math.max(0, end - start - 4)) : " ".repeat(end - start) });
    }
  }
  // Dynamic `import(x)` anywhere in the cell.
  const visit = (node: ts.Node): void => {
    if (node.pos >= end) return;
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      edits.push({ start: node.expression.getStart(sf), end: node.expression.end, text: LOADER });
    }
    if (!ts.isImportDeclaration(node) && !ts.isImportEqualsDeclaration(node)) ts.forEachChild(node, visit);
  };
  visit(sf);
  return edits.sort((a, b) => a.start - b.start);
}

function applyEdits(text: string, edits: Edit[]): string {
  let out = "";
  let at = 0;
  for (const edit of edits) {
    out += text.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + text.slice(at);
}

// --- source maps -----------------------------------------------------------------------------

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function vlq(value: number): string {
  let v = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = "";
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += BASE64[digit];
  } while (v > 0);
  return out;
}

/** Encodes [generated line, generated column, source line, source column] points (0-based). */
function encodeMappings(points: [number, number, number, number][]): string {
  const lines: string[] = [];
  let segments: string[] = [];
  let currentLine = 0;
  let prevColumn = 0;
  let prevSourceLine = 0;
  let prevSourceColumn = 0;
  for (const [line, column, sourceLine, sourceColumn] of points) {
    while (currentLine < line) {
      lines.push(segments.join(","));
      segments = [];
      currentLine++;
      prevColumn = 0;
    }
    segments.push(vlq(column - prevColumn) + vlq(0) + vlq(sourceLine - prevSourceLine) + vlq(sourceColumn - prevSourceColumn));
    prevColumn = column;
    prevSourceLine = sourceLine;
    prevSourceColumn = sourceColumn;
  }
  lines.push(segments.join(","));
  return lines.join(";");
}

function sourceMapJson(cell: number, source: string, mappings: string): string {
  return JSON.stringify({ version: 3, file: `cell-${cell}.js`, sources: [`cell-${cell}.ts`], sourcesContent: [source], names: [], mappings });
}

function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 36 || code === 95 || code > 127;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** The first character of a word or a punctuation mark (not whitespace, not inside a word). */
function isTokenStart(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  if (isSpace(code)) return false;
  const prev = text.charCodeAt(i - 1);
  return !isWordChar(code) || !isWordChar(prev);
}

/** A map for `applyEdits(text, edits)` over a text whose positions equal the source's. */
function editsSourceMap(sf: ts.SourceFile, edits: Edit[], cell: number, end: number): string {
  const points: [number, number, number, number][] = [];
  let genLine = 0;
  let genColumn = 0;
  const source = (offset: number): [number, number] => {
    const { line, character } = sf.getLineAndCharacterOfPosition(offset);
    return [line, character];
  };
  // Walks copied text: a point at its start and at every token start inside it, since a stack
  // frame's column is looked up, not interpolated.
  const copy = (from: number, to: number): void => {
    if (from >= to) return;
    points.push([genLine, genColumn, ...source(from)]);
    for (let i = from; i < to; i++) {
      const code = sf.text.charCodeAt(i);
      if (code === 10) {
        genLine++;
        genColumn = 0;
        if (i + 1 < to) points.push([genLine, 0, ...source(i + 1)]);
        continue;
      }
      if (i > from && isTokenStart(sf.text, i)) points.push([genLine, genColumn, ...source(i)]);
      genColumn++;
    }
  };
  let at = 0;
  for (const edit of edits) {
    copy(at, edit.start);
    points.push([genLine, genColumn, ...source(edit.start)]);
    for (const ch of edit.text) {
      if (ch === "\n") {
        genLine++;
        genColumn = 0;
      } else {
        genColumn += ch.length;
      }
    }
    at = edit.end;
  }
  copy(at, end);
  return sourceMapJson(cell, sf.text.slice(0, end), encodeMappings(points));
}

/** Decorators are JavaScript syntax that V8 does not run yet: TypeScript must lower them. */
function hasDecorators(node: ts.Node): boolean {
  return ts.isDecorator(node) || (ts.forEachChild(node, hasDecorators) ?? false);
}

/**
 * The script for a cell: the statements of `sf` before `end` (what follows is declarations the
 * compiler appended). `checker` (optional) lets imports of types only vanish; without it every
 * imported name is kept.
 */
export function emitCell(sf: ts.SourceFile, checker: ts.TypeChecker | undefined, cell: number, options: ts.CompilerOptions, end = sf.text.length): EmittedCell {
  const handled = new Set<ts.Node>();
  const edits = moduleEdits(sf, checker, handled, end);
  let unsupported = sf.text.includes("@") && hasDecorators(sf);
  const blanked = blankSourceFile(sf, (node) => {
    if (node.getStart(sf) < end && !handled.has(node)) unsupported = true;
  }).slice(0, end);
  if (!unsupported) {
    return { js: applyEdits(blanked, edits), sourceMap: editsSourceMap(sf, edits, cell, end) };
  }
  // Syntax with run-time semantics: let TypeScript emit it. The module edits are applied to the
  // TypeScript text first (they are valid TypeScript), which leaves a script with no imports.
  const rewritten = applyEdits(sf.text.slice(0, end), edits);
  const out = ts.transpileModule(rewritten, {
    fileName: `cell-${cell}.ts`,
    compilerOptions: {
      target: options.target,
      module: ts.ModuleKind.ESNext,
      moduleDetection: ts.ModuleDetectionKind.Legacy,
      sourceMap: true,
      alwaysStrict: false,
      experimentalDecorators: options.experimentalDecorators,
      emitDecoratorMetadata: options.emitDecoratorMetadata,
      useDefineForClassFields: options.useDefineForClassFields,
      jsx: options.jsx,
    },
  });
  const js = out.outputText
    .replace(/\n?\/\/# sourceMappingURL=.*\s*$/, "")
    .replace(/^export \{\};\s*$/m, "");
  const map = JSON.parse(out.sourceMapText ?? "{}") as { sources?: string[]; sourcesContent?: string[]; file?: string };
  map.file = `cell-${cell}.js`;
  map.sources = [`cell-${cell}.ts`];
  map.sourcesContent = [sf.text.slice(0, end)];
  return { js, sourceMap: JSON.stringify(map) };
}
