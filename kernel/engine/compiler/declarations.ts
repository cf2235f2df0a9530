// The cross-cell declaration table. Every committed cell stays in the program as a module file
// (so its classes, functions and types keep their real declarations), and a generated
// `declare global { ... }` file makes its top-level names global for later cells:
//   - names whose declarations include a function, class, interface, type, enum, namespace or import
//     become `export import name = __gb_<cell>.name` (every meaning, generics included; a function's
//     return type follows the globals it uses, as the function itself does at run time);
//   - plain variables become `const|let|var name: <type printed when the cell ran>`, so a variable
//     keeps the type of the value it holds even when a name it was computed from is declared again.
// A name declared again in a later cell replaces its entry, value and type.
import ts from "typescript";

export type VariableKeyword = "const" | "let" | "var";

export interface TopLevelName {
  name: string;
  /** Set when every declaration of the name in the cell is a variable. */
  variable?: VariableKeyword;
  /** The identifier of the (last) variable declaration, to ask the checker for its type. */
  identifier?: ts.Identifier;
  /** Already exported by the cell's own `export` syntax. */
  exported: boolean;
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
}

function bindingIdentifiers(name: ts.BindingName, out: ts.Identifier[]): void {
  if (ts.isIdentifier(name)) {
    out.push(name);
    return;
  }
  for (const element of name.elements) if (!ts.isOmittedExpression(element)) bindingIdentifiers(element.name, out);
}

/** The names a cell declares at its top level (in statements before `end`), in the order they appear. */
export function topLevelNames(sf: ts.SourceFile, end = sf.text.length): TopLevelName[] {
  const names = new Map<string, TopLevelName>();
  const exportedLocally = new Set<string>();
  const add = (identifier: ts.Identifier, exported: boolean, variable?: VariableKeyword): void => {
    const name = identifier.text;
    const previous = names.get(name);
    const entry: TopLevelName = previous ?? { name, exported: false };
    entry.exported ||= exported;
    // A name that is also a function, class, type... is an alias; only pure variables are typed by value.
    if (variable && (!previous || previous.variable)) {
      entry.variable = variable;
      entry.identifier = identifier;
    } else {
      entry.variable = undefined;
      entry.identifier = undefined;
    }
    names.set(name, entry);
  };
  for (const statement of sf.statements) {
    if (statement.getStart(sf) >= end) break;
    const exported = hasModifier(statement, ts.SyntaxKind.ExportKeyword) && !hasModifier(statement, ts.SyntaxKind.DefaultKeyword);
    if (ts.isVariableStatement(statement)) {
      const flags = statement.declarationList.flags;
      const keyword: VariableKeyword = flags & ts.NodeFlags.Let ? "let" : flags & (ts.NodeFlags.Const | ts.NodeFlags.Using) ? "const" : "var";
      for (const declaration of statement.declarationList.declarations) {
        const ids: ts.Identifier[] = [];
        bindingIdentifiers(declaration.name, ids);
        for (const id of ids) add(id, exported, keyword);
      }
    } else if (
      ts.isFunctionDeclaration(statement) ||
      ts.isClassDeclaration(statement) ||
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) ||
      ts.isEnumDeclaration(statement)
    ) {
      if (statement.name) add(statement.name, exported);
    } else if (ts.isModuleDeclaration(statement)) {
      if (ts.isIdentifier(statement.name) && !(statement.flags & ts.NodeFlags.GlobalAugmentation)) add(statement.name, exported);
    } else if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (!clause) continue;
      if (clause.name) add(clause.name, false);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) add(bindings.name, false);
      else if (bindings) for (const element of bindings.elements) add(element.name, false);
    } else if (ts.isImportEqualsDeclaration(statement)) {
      add(statement.name, exported);
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) {
        if ((element.propertyName ?? element.name).getText(sf) === element.name.text) exportedLocally.add(element.name.text);
      }
    }
  }
  for (const name of exportedLocally) {
    const entry = names.get(name);
    if (entry) entry.exported = true;
  }
  return [...names.values()];
}

/** Text appended to a committed cell so that the declarations file can reach all its names. */
export function exportSuffix(names: TopLevelName[]): string {
  const missing = names.filter((n) => !n.exported).map((n) => n.name);
  return missing.length ? `\n;export { ${missing.join(", ")} };\n` : "\n";
}

/** `commit` numbers the committed cell files (a cell number may be run, and so committed, twice). */
export type DeclarationEntry = (
  | { name: string; commit: number; kind: "alias" }
  | { name: string; commit: number; kind: "variable"; keyword: VariableKeyword; type: string }
) & {
  /**
   * The name is also a global of the libraries (`console`, `process`): a global declaration
   * would merge with theirs or clash, so cells get it as a module-scope declaration instead.
   */
  shadowsLibrary?: boolean;
};

export class DeclarationTable {
  private readonly entries = new Map<string, DeclarationEntry>();

  /** Replaces the entries of every name in `entries` (a later cell wins). */
  update(entries: DeclarationEntry[]): void {
    for (const entry of entries) {
      // Delete first so that iteration order follows the latest declaration.
      this.entries.delete(entry.name);
      this.entries.set(entry.name, entry);
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Entries that shadow library globals (see `DeclarationEntry.shadowsLibrary`). */
  shadowing(): DeclarationEntry[] {
    return [...this.entries.values()].filter((e) => e.shadowsLibrary);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The declarations file: `cellModule(n)` is the module specifier of commit n's cell file. */
  text(cellModule: (commit: number) => string): string {
    const imports = new Set<number>();
    const body: string[] = [];
    for (const entry of this.entries.values()) {
      if (entry.shadowsLibrary) continue;
      if (entry.kind === "alias") {
        imports.add(entry.commit);
        body.push(`  export import ${entry.name} = __gb_${entry.commit}.${entry.name};`);
      } else {
        body.push(`  ${entry.keyword} ${entry.name}: ${entry.type};`);
      }
    }
    const head = [...imports].sort((a, b) => a - b).map((commit) => `import * as __gb_${commit} from ${JSON.stringify(cellModule(commit))};`);
    return `${head.join("\n")}\ndeclare global {\n${body.join("\n")}\n}\nexport {};\n`;
  }
}

/**
 * Module-scope declarations, appended to a cell, of the entries that shadow library globals
 * (except names the cell declares itself, whose own declaration wins).
 */
export function shadowSuffix(entries: DeclarationEntry[], own: Set<string>, cellModule: (commit: number) => string): string {
  const lines: string[] = [];
  for (const entry of entries) {
    if (own.has(entry.name)) continue;
    lines.push(
      entry.kind === "alias"
        ? `import { ${entry.name} } from ${JSON.stringify(cellModule(entry.commit))};`
        : `declare ${entry.keyword} ${entry.name}: ${entry.type};`,
    );
  }
  return lines.length ? `\n;${lines.join("\n")}\n` : "";
}

/** The names that `declare global` in the kernel's globals file declares as values. */
export function globalsNames(text: string): Set<string> {
  const names = new Set<string>();
  forEachGlobalValue(ts.createSourceFile("globals.d.ts", text, ts.ScriptTarget.Latest, true), (name) => names.add(name));
  return names;
}

function forEachGlobalValue(sf: ts.SourceFile, visit: (name: string, node: ts.Node, statement: ts.Statement) => void): void {
  for (const statement of sf.statements) {
    if (!ts.isModuleDeclaration(statement) || !(statement.flags & ts.NodeFlags.GlobalAugmentation) || !statement.body || !ts.isModuleBlock(statement.body)) continue;
    for (const inner of statement.body.statements) {
      if (ts.isVariableStatement(inner)) {
        for (const declaration of inner.declarationList.declarations) {
          if (ts.isIdentifier(declaration.name)) visit(declaration.name.text, declaration, inner);
        }
      } else if ((ts.isFunctionDeclaration(inner) || ts.isClassDeclaration(inner)) && inner.name) {
        visit(inner.name.text, inner, inner);
      }
    }
  }
}

/**
 * The kernel's globals file without the values a cell has declared again (`const tf = ...`,
 * `import * as tf from ...`): the table's entry replaces the kernel's, as the cell's binding
 * replaces the kernel's global at run time. Removed text becomes spaces, so positions hold.
 */
export function filterGlobals(text: string, shadowed: (name: string) => boolean): string {
  const sf = ts.createSourceFile("globals.d.ts", text, ts.ScriptTarget.Latest, true);
  const byStatement = new Map<ts.Statement, { total: number; removed: ts.Node[] }>();
  forEachGlobalValue(sf, (name, node, statement) => {
    const entry = byStatement.get(statement) ?? { total: 0, removed: [] };
    entry.total++;
    if (shadowed(name)) entry.removed.push(node);
    byStatement.set(statement, entry);
  });
  // Same-length replacements, so that positions after them hold.
  const edits: { start: number; end: number; text: string }[] = [];
  for (const [statement, { total, removed }] of byStatement) {
    if (removed.length === 0) continue;
    if (removed.length === total || !ts.isVariableStatement(statement)) {
      const start = statement.getStart(sf);
      edits.push({ start, end: statement.end, text: text.slice(start, statement.end).replace(/[^\n]/g, " ") });
    } else {
      // `const a: A, b: B;` with only some shadowed: keep the others.
      const declarations = statement.declarationList.declarations;
      const start = declarations[0]!.getStart(sf);
      const end = declarations[declarations.length - 1]!.end;
      const kept = declarations.filter((d) => !removed.includes(d)).map((d) => d.getText(sf)).join(", ");
      edits.push({ start, end, text: kept.padEnd(end - start, " ") });
    }
  }
  let out = text;
  for (const { start, end, text: replacement } of edits.sort((a, b) => b.start - a.start)) {
    out = out.slice(0, start) + replacement + out.slice(end);
  }
  return out;
}
