// The TypeScript cell compiler, on the stock `typescript` LanguageService. It runs inside the
// compiler process (compiler.process.ts); tests use it in-process.
//
// Files the language service sees (all virtual except the globals and whatever cells import):
//   <dir>/__glassbox_cell_<n>__.ts  a cell: the one being compiled, and every committed one (each a
//                                   module, `export { ... }` of its top-level names appended)
//   <dir>/__glassbox_decls__.d.ts   `declare global { ... }` of the committed cells' names
//   <dir>/__glassbox_edit__.ts      the cell being edited, for completion and inspection
//   kernel/engine/globals.d.ts      the runtime's globals, less the names cells declared again
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { basename, dirname, join } from "node:path";
import ts from "typescript";
import { DeclarationTable, exportSuffix, filterGlobals, globalsNames, shadowSuffix, topLevelNames, type DeclarationEntry } from "./declarations";
import { codePointToUtf16, utf16ToCodePoint } from "./positions";
import { emitCell } from "./rewrite";
import { findKernelRoot } from "../../root";
import { cellCompilerOptions } from "./tsconfig";
import type { CellCompiler, CellDiagnostic, CompiledCell, CompileOptions, CompletionResult, InspectResult, IsCompleteResult } from "./types";

export interface CellCompilerServiceOptions {
  /** The notebook's directory (default: the process's working directory). */
  workingDirectory?: string;
  /** The kernel's install, for fallback module resolution (default: found from this file). */
  kernelRoot?: string;
  /** The runtime's globals declarations (default: `<kernelRoot>/kernel/engine/globals.d.ts`); null for none. */
  globalsFile?: string | null;
}

interface VirtualFile {
  text: string;
  version: number;
  snapshot: ts.IScriptSnapshot;
}

/** Packages the kernel stands in for (kernel/engine/modules.ts maps them at run time), by specifier. */
const PROVIDED_MODULE_TYPES: Record<string, string> = { "@tensorflow/tfjs-vis": "kernel/display/vis/index.ts" };

/** Diagnostics that are artefacts of compiling cells as modules, not the user's mistakes. */
const IGNORED_CODES = new Set([
  1375, // 'await' expressions are only allowed at the top level of a file when that file is a module
  1378, // Top-level 'await' expressions are only allowed when the 'module' option is set to ...
  1431, // 'for await' loops are only allowed at the top level of a file when that file is a module
  1432, // Top-level 'for await' loops are only allowed when the 'module' option is set to ...
  1208, // '...' cannot be compiled under '--isolatedModules' because it is considered a global script file
  2669, // Augmentations for the global scope can only be directly nested in external modules
  // (Unused top-level names are for later cells: noUnusedLocals is forced off in tsconfig.ts.)
]);

/** Specifiers whose types are the kernel's TensorFlow.js (see `kernelTfTypes`). */
const KERNEL_TF_TYPES = new Set(["@tensorflow/tfjs", "@tensorflow/tfjs-node", "@tensorflow/tfjs-node-gpu"]);

const TYPE_FORMAT = ts.NodeBuilderFlags.NoTruncation | ts.NodeBuilderFlags.UseFullyQualifiedType | ts.NodeBuilderFlags.AllowUniqueESSymbolType;

function isIdentifierChar(ch: string): boolean {
  return ts.isIdentifierPart(ch.codePointAt(0)!, ts.ScriptTarget.Latest);
}

const KIND_TO_JUPYTER: Partial<Record<string, string>> = {
  [ts.ScriptElementKind.functionElement]: "function",
  [ts.ScriptElementKind.localFunctionElement]: "function",
  [ts.ScriptElementKind.memberFunctionElement]: "function",
  [ts.ScriptElementKind.constructSignatureElement]: "function",
  [ts.ScriptElementKind.classElement]: "class",
  [ts.ScriptElementKind.localClassElement]: "class",
  [ts.ScriptElementKind.interfaceElement]: "class",
  [ts.ScriptElementKind.typeElement]: "class",
  [ts.ScriptElementKind.enumElement]: "class",
  [ts.ScriptElementKind.moduleElement]: "module",
  [ts.ScriptElementKind.alias]: "module",
  [ts.ScriptElementKind.keyword]: "keyword",
  [ts.ScriptElementKind.memberVariableElement]: "property",
  [ts.ScriptElementKind.memberGetAccessorElement]: "property",
  [ts.ScriptElementKind.memberSetAccessorElement]: "property",
  [ts.ScriptElementKind.enumMemberElement]: "property",
  [ts.ScriptElementKind.variableElement]: "instance",
  [ts.ScriptElementKind.localVariableElement]: "instance",
  [ts.ScriptElementKind.letElement]: "instance",
  [ts.ScriptElementKind.constElement]: "instance",
  [ts.ScriptElementKind.parameterElement]: "instance",
};

// Parsed library and node_modules files, shared by every service in the process (and kept across
// working-directory changes): parsing them is most of the start-up cost.
const registry = ts.createDocumentRegistry(ts.sys.useCaseSensitiveFileNames);
const snapshots = new Map<string, { version: string; snapshot: ts.IScriptSnapshot }>();

export class CellCompilerService implements CellCompiler {
  private readonly kernelRoot: string | undefined;
  private readonly globalsFile: string | undefined;
  private readonly globalsText: string | undefined;
  private readonly globalsValueNames: Set<string>;
  private readonly virtual = new Map<string, VirtualFile>();
  private readonly snapshots = snapshots;
  private versionCounter = 0;
  private dir = "";
  private options: ts.CompilerOptions = {};
  private configErrors: string[] = [];
  private ls!: ts.LanguageService;
  private resolutionCache!: ts.ModuleResolutionCache;
  private resolutionFailed = false;
  private readonly table = new DeclarationTable();
  private readonly printer = ts.createPrinter({ removeComments: true });
  /** Committed cell files by commit number. */
  private readonly committed = new Map<number, string>();
  private commits = 0;
  /** The cell compiled last and not yet committed (`ok`: it compiled, so it is about to run). */
  private pending: { cell: number; code: string; text: string; declaresNothing?: boolean; ok?: boolean } | undefined;
  /** Changes whenever what a cell is checked against changes (a commit that declares, a new configuration). */
  private stateEpoch = 0;
  private readonly cleanCells = new Map<string, CompiledCell>();
  private readonly moduleHost: ts.ModuleResolutionHost;
  /**
   * At start-up only: a service without Node's types (a third of the parsing), which answers
   * completion and inspection until the full program is built. See `warmUpSteps`.
   */
  private quick: ts.LanguageService | undefined;
  /** The full program has been built: the quick service is no longer used. */
  private fullReady = false;
  /** A full program has been built in this process (in any folder): the libraries are in the registry. */
  private librariesParsed = false;
  /** Services of an earlier folder, disposed once the current one has built its program. */
  private readonly retired: ts.LanguageService[] = [];
  /** The warm-up is planned with a quick service (see `warmUpSteps`). */
  private quickPlanned = false;

  constructor(options: CellCompilerServiceOptions = {}) {
    this.kernelRoot = options.kernelRoot ?? findKernelRoot(__dirname);
    const globalsFile = options.globalsFile === undefined ? (this.kernelRoot ? join(this.kernelRoot, "kernel", "engine", "globals.d.ts") : undefined) : options.globalsFile ?? undefined;
    if (globalsFile && existsSync(globalsFile)) {
      this.globalsFile = globalsFile;
      this.globalsText = readFileSync(globalsFile, "utf8");
    }
    this.globalsValueNames = this.globalsText ? globalsNames(this.globalsText) : new Set();
    this.moduleHost = {
      fileExists: (f) => this.virtual.has(f) || ts.sys.fileExists(f),
      readFile: (f) => this.virtual.get(f)?.text ?? ts.sys.readFile(f),
      directoryExists: (d) => ts.sys.directoryExists(d),
      getDirectories: (d) => ts.sys.getDirectories(d),
      realpath: ts.sys.realpath,
      getCurrentDirectory: () => this.dir,
      useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
    };
    this.configure(options.workingDirectory ?? process.cwd());
  }

  // --- files ----------------------------------------------------------------------------------

  private setVirtual(file: string, text: string): void {
    const existing = this.virtual.get(file);
    if (existing?.text === text) return;
    this.virtual.set(file, { text, version: ++this.versionCounter, snapshot: ts.ScriptSnapshot.fromString(text) });
  }

  private cellFile(cell: number, commit: number): string {
    return join(this.dir, `__glassbox_cell_${cell < 0 ? `m${-cell}` : cell}_${commit}__.ts`);
  }

  private get declsFile(): string {
    return join(this.dir, "__glassbox_decls__.d.ts");
  }

  private get editFile(): string {
    return join(this.dir, "__glassbox_edit__.ts");
  }

  /** The cell being compiled. One name for every cell: a change of root names would stop the program's reuse. */
  private get currentFile(): string {
    return join(this.dir, "__glassbox_current__.ts");
  }

  private rootFiles(): string[] {
    const roots = [this.declsFile, this.currentFile, this.editFile];
    if (this.globalsFile) roots.unshift(this.globalsFile);
    return roots;
  }

  /**
   * The language service asks for every file's snapshot on every new program: without this cache
   * it would read all ~800 declaration files from disk for each cell.
   */
  private diskSnapshot(file: string): ts.IScriptSnapshot | undefined {
    const version = this.diskVersion(file);
    const cached = this.snapshots.get(file);
    if (cached?.version === version) return cached.snapshot;
    const text = ts.sys.readFile(file);
    if (text === undefined) return undefined;
    const snapshot = ts.ScriptSnapshot.fromString(text);
    this.snapshots.set(file, { version, snapshot });
    return snapshot;
  }

  /** Versions of files on disk: library files never change under a running kernel; others by mtime. */
  private diskVersion(file: string): string {
    if (file.includes("/node_modules/") || file.startsWith(this.libDir)) return "0";
    try {
      return String(statSync(file).mtimeMs);
    } catch {
      return "missing";
    }
  }

  private readonly libDir = dirname(ts.getDefaultLibFilePath({}));

  private configure(dir: string): void {
    this.stateEpoch++;
    this.dir = dir;
    const { options, configErrors } = cellCompilerOptions(dir, this.kernelRoot);
    this.options = options;
    this.configErrors = configErrors;
    this.resolutionCache = ts.createModuleResolutionCache(dir, (f) => (ts.sys.useCaseSensitiveFileNames ? f : f.toLowerCase()), options);
    // Cells committed before a directory change stay where they were (their relative imports
    // resolved from there); the declarations file follows the new directory.
    this.writeDecls();
    // Both exist from the start: a root file that appears later would stop the program's reuse.
    this.setVirtual(this.currentFile, "");
    this.setVirtual(this.editFile, "");
    // A folder set during the warm-up keeps its plan (the steps read the current state).
    this.quickPlanned &&= !this.fullReady;
    if (this.quick) this.retired.push(this.quick);
    this.quick = undefined;
    this.fullReady = false;
    this.ls = ts.createLanguageService(this.host(() => this.options), registry);
  }

  private host(settings: () => ts.CompilerOptions): ts.LanguageServiceHost {
    // `getModuleResolutionCache` is read by the language service although its host type omits it.
    const host: ts.LanguageServiceHost & { getModuleResolutionCache(): ts.ModuleResolutionCache } = {
      getCompilationSettings: settings,
      getScriptFileNames: () => this.rootFiles(),
      getScriptVersion: (f) => {
        const v = this.virtual.get(f);
        return v ? String(v.version) : this.diskVersion(f);
      },
      getScriptSnapshot: (f) => this.virtual.get(f)?.snapshot ?? this.diskSnapshot(f),
      getCurrentDirectory: () => this.dir,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: this.moduleHost.fileExists,
      readFile: this.moduleHost.readFile,
      directoryExists: this.moduleHost.directoryExists,
      getDirectories: this.moduleHost.getDirectories,
      realpath: this.moduleHost.realpath,
      useCaseSensitiveFileNames: () => ts.sys.useCaseSensitiveFileNames,
      // Shared with the program so that each file's module format is looked up once, not per program.
      getModuleResolutionCache: () => this.resolutionCache,
      resolveModuleNameLiterals: (literals, containingFile, redirectedReference, options, containingSourceFile) =>
        literals.map((literal) => this.resolveModule(literal, containingFile, redirectedReference, options, containingSourceFile)),
    };
    return host;
  }

  /** From the notebook's directory first, then from the kernel's install (which has tfjs and @types/node). */
  private resolveModule(
    literal: ts.StringLiteralLike,
    containingFile: string,
    redirectedReference: ts.ResolvedProjectReference | undefined,
    options: ts.CompilerOptions,
    containingSourceFile: ts.SourceFile,
  ): ts.ResolvedModuleWithFailedLookupLocations {
    const kernelTf = this.kernelTfTypes(literal.text, containingFile);
    if (kernelTf) return kernelTf;
    const mode = ts.getModeForUsageLocation(containingSourceFile, literal, options);
    let result = ts.resolveModuleName(literal.text, containingFile, options, this.moduleHost, this.resolutionCache, redirectedReference, mode);
    // Modules the kernel provides without a package of that name: their types are the kernel's source.
    const provided = PROVIDED_MODULE_TYPES[literal.text];
    if (!result.resolvedModule && provided && this.kernelRoot) {
      result = { resolvedModule: { resolvedFileName: join(this.kernelRoot, provided), extension: ts.Extension.Ts, isExternalLibraryImport: false } };
    }
    if (!result.resolvedModule && this.kernelRoot && !ts.isExternalModuleNameRelative(literal.text)) {
      const fallback = ts.resolveModuleName(literal.text, join(this.kernelRoot, "__glassbox__.ts"), options, this.moduleHost, this.resolutionCache, redirectedReference, mode);
      if (fallback.resolvedModule) result = fallback;
    }
    // A cell's import that does not resolve may be installed later (`%install`): remember to look
    // again. Node's built-ins are ambient modules of @types/node, never files.
    if (!result.resolvedModule && this.virtual.has(containingFile) && !isBuiltin(literal.text)) this.resolutionFailed = true;
    return result;
  }

  /**
   * `@tensorflow/tfjs` (and `-node`, `-node-gpu`) imported by cells and the user's modules: the
   * kernel's TensorFlow.js types (kernel/node-api/tf.d.ts), as the runtime gives them the kernel's `tf`.
   * Libraries keep tfjs's own types.
   */
  private kernelTfTypes(specifier: string, containingFile: string): ts.ResolvedModuleWithFailedLookupLocations | undefined {
    if (!this.kernelRoot || !KERNEL_TF_TYPES.has(specifier) || containingFile.includes("/node_modules/")) return undefined;
    const resolvedFileName = join(this.kernelRoot, "kernel", "node-api", "tf.d.ts");
    if (containingFile === resolvedFileName || !existsSync(resolvedFileName)) return undefined;
    return { resolvedModule: { resolvedFileName, extension: ts.Extension.Dts, isExternalLibraryImport: false } };
  }

  private writeDecls(): void {
    this.setVirtual(this.declsFile, this.table.text((commit) => this.cellModule(commit)));
    if (this.globalsFile && this.globalsText) {
      const shadowed = [...this.globalsValueNames].filter((n) => this.table.has(n));
      this.setVirtual(this.globalsFile, shadowed.length ? filterGlobals(this.globalsText, (n) => this.table.has(n)) : this.globalsText);
    }
  }

  private program(): ts.Program {
    this.fullReady = true;
    this.librariesParsed = true;
    if (this.resolutionFailed) {
      // A package may have been installed since (`%install`): look again.
      this.resolutionFailed = false;
      this.resolutionCache.clear();
    }
    const program = this.ls.getProgram()!;
    for (const service of this.retired.splice(0)) service.dispose();
    return program;
  }

  // --- compile --------------------------------------------------------------------------------

  compileSync(code: string, options: CompileOptions): CompiledCell {
    // A clean cell that declares and imports nothing, compiled again against the same declarations
    // and configuration, has the same outcome: skip the checker (a new program costs ~10 ms).
    const cacheKey = `${this.stateEpoch}\u0000${options.reportOnly}\u0000${options.javascript}\u0000${code}`;
    const cached = this.cleanCells.get(cacheKey);
    if (cached) {
      this.pending = { cell: options.cell, code, text: "", declaresNothing: true };
      return cached;
    }
    const file = this.currentFile;
    const text = code + this.shadowSuffix(code);
    this.pending = { cell: options.cell, code, text };
    this.setVirtual(file, text);
    if (options.javascript) return this.compileUnchecked(code, text, options);
    const program = this.program();
    const sf = program.getSourceFile(file)!;
    const syntactic = program.getSyntacticDiagnostics(sf);
    const semantic = syntactic.length ? [] : program.getSemanticDiagnostics(sf);
    const diagnostics = [...syntactic, ...semantic]
      .filter((d) => this.keepDiagnostic(d, code.length))
      .map((d) => this.toCellDiagnostic(d, sf));
    // Problems in tsconfig.json, once after each (re)configuration.
    for (const message of this.configErrors.splice(0)) diagnostics.unshift({ category: "warning", line: 1, column: 1, code: 0, message: `tsconfig.json: ${message}` });
    const hasErrors = diagnostics.some((d) => d.category === "error");
    // A syntax error cannot run even under the report-only switch: V8 would reject the script.
    const ok = syntactic.length === 0 && (options.reportOnly || !hasErrors);
    const { js, sourceMap } = emitCell(sf, program.getTypeChecker(), options.cell, this.options, code.length);
    const compiled = { ok, js, diagnostics, sourceMap };
    const declaresNothing = topLevelNames(sf, code.length).length === 0;
    this.pending.declaresNothing = declaresNothing;
    this.pending.ok = ok;
    if (ok && !diagnostics.length && declaresNothing && !/\bimport\b|\brequire\s*\(/.test(code)) {
      if (this.cleanCells.size >= 256) this.cleanCells.clear();
      this.cleanCells.set(cacheKey, compiled);
    }
    return compiled;
  }

  /**
   * A cell that is not type-checked (JavaScript, `%typecheck off`) only has to parse: no program is
   * built, so it runs at once even while the libraries are still being parsed. Every import is kept
   * (no types to elide). The commit afterwards still records its names for completion.
   */
  private compileUnchecked(code: string, text: string, options: CompileOptions): CompiledCell {
    const sf = ts.createSourceFile(this.currentFile, text, this.options.target ?? ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const syntactic = (sf as unknown as { parseDiagnostics: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
    const diagnostics = syntactic.filter((d) => this.keepDiagnostic(d, code.length)).map((d) => this.toCellDiagnostic(d, sf));
    const { js, sourceMap } = emitCell(sf, undefined, options.cell, this.options, code.length);
    this.pending!.declaresNothing = topLevelNames(sf, code.length).length === 0;
    this.pending!.ok = syntactic.length === 0;
    return { ok: syntactic.length === 0, js, diagnostics, sourceMap };
  }

  private keepDiagnostic(d: ts.Diagnostic, end: number): boolean {
    if (IGNORED_CODES.has(d.code)) return false;
    // In the declarations appended to the cell: about an earlier cell, already reported there.
    if (d.start !== undefined && d.start >= end) return false;
    // "Cannot redeclare" / "Duplicate identifier" against the kernel's own files: the cell's name wins.
    if (d.code === 2451 || d.code === 2300 || d.code === 2403) {
      const ours = (f: string | undefined): boolean => f === this.declsFile || f === this.globalsFile;
      if (d.relatedInformation?.some((r) => ours(r.file?.fileName))) return false;
    }
    return true;
  }

  private toCellDiagnostic(d: ts.Diagnostic, sf: ts.SourceFile): CellDiagnostic {
    const start = d.file === sf && d.start !== undefined ? d.start : 0;
    const { line, character } = sf.getLineAndCharacterOfPosition(start);
    const lineStart = sf.getPositionOfLineAndCharacter(line, 0);
    return {
      category: d.category === ts.DiagnosticCategory.Error ? "error" : "warning",
      line: line + 1,
      // Columns count code points, as people (and Jupyter) do.
      column: utf16ToCodePoint(sf.text.slice(lineStart), character) + 1,
      code: d.code,
      message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
    };
  }

  commitSync(cell: number): void {
    const pending = this.pending;
    if (!pending || pending.cell !== cell) return;
    if (pending.declaresNothing) {
      // Nothing for later cells to see: the program keeps its structure (and the compile cache holds).
      this.pending = undefined;
      return;
    }
    const program = this.program();
    const sf = program.getSourceFile(this.currentFile)!;
    if (sf.text !== pending.text) return;
    const checker = program.getTypeChecker();
    const names = topLevelNames(sf, pending.code.length);
    const commit = ++this.commits;
    this.stateEpoch++;
    const entries: DeclarationEntry[] = names.map((n): DeclarationEntry => {
      const shadowsLibrary = this.isLibraryGlobal(checker, n.name) || undefined;
      if (!n.variable || !n.identifier) return { name: n.name, commit, kind: "alias", shadowsLibrary };
      return { name: n.name, commit, kind: "variable", keyword: n.variable, type: this.printType(checker, sf, n.identifier), shadowsLibrary };
    });
    this.pending = undefined;
    const file = this.cellFile(cell, commit);
    this.committed.set(commit, file);
    // The committed cell keeps the shadowing declarations it was checked with.
    this.setVirtual(file, sf.text + exportSuffix(names));
    this.table.update(entries);
    this.writeDecls();
    // No imports left in the current file: the next cell, if it has none either, changes text only.
    this.setVirtual(this.currentFile, "");
  }

  /**
   * Builds the program for the state after a commit, while the runtime runs the cell: the new
   * cell file and declarations change the program's structure, which costs a walk over every
   * file; the next compile then only swaps the current cell's text.
   */
  prepare(): void {
    this.program();
  }

  /** True when `name` is a global of the libraries (lib, @types), not of the kernel or of cells. */
  private isLibraryGlobal(checker: ts.TypeChecker, name: string): boolean {
    const symbol = checker.resolveName(name, undefined, ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace, false);
    return (
      symbol?.declarations?.some((d) => {
        const file = d.getSourceFile().fileName;
        return file !== this.declsFile && file !== this.globalsFile && !basename(file).startsWith("__glassbox_");
      }) ?? false
    );
  }

  /** Declarations appended to a cell for earlier cells' names that shadow library globals. */
  private shadowSuffix(code: string): string {
    const shadowing = this.table.shadowing();
    if (shadowing.length === 0) return "";
    const own = new Set(topLevelNames(ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, true)).map((n) => n.name));
    return shadowSuffix(shadowing, own, (commit) => this.cellModule(commit));
  }

  private cellModule(commit: number): string {
    return this.committed.get(commit)!.replace(/\.ts$/, "");
  }

  /** The type of a top-level variable, written so that it means the same in the declarations file. */
  private printType(checker: ts.TypeChecker, sf: ts.SourceFile, id: ts.Identifier): string {
    try {
      const symbol = checker.getSymbolAtLocation(id);
      const type = symbol ? checker.getTypeOfSymbolAtLocation(symbol, id) : checker.getTypeAtLocation(id);
      // A type node, not typeToString: the node builder writes `import("pkg").T` for types that
      // are not reachable by name, where typeToString would write a bare `T`.
      const node = checker.typeToTypeNode(type, sf, TYPE_FORMAT);
      return node ? this.printer.printNode(ts.EmitHint.Unspecified, node, sf) : "any";
    } catch {
      return "any";
    }
  }

  // --- editing --------------------------------------------------------------------------------

  /** The service for completion and inspection: the quick one while the full program is not built. */
  private editingService(): ts.LanguageService {
    if (!this.fullReady) {
      // A request may come before the warm-up's first step: it starts the quick service itself.
      if (!this.quick && this.quickPlanned) this.startQuick();
      if (this.quick) return this.quick;
    }
    this.program();
    return this.ls;
  }

  /**
   * The edit file for `code`: after the cell that is running (compiled, not yet committed), so that
   * completion and inspection know its names before it finishes (the first cell after start, a
   * long training cell). Returns where `code` starts in it.
   */
  private setEditText(code: string): number {
    const running = this.pending?.ok && !this.pending.declaresNothing ? `${this.pending.text}\n;` : "";
    this.setVirtual(this.editFile, running + code + this.shadowSuffix(code));
    return running.length;
  }

  completeSync(code: string, cursorPos: number, options: { ifWarm?: boolean } = {}): CompletionResult {
    if (options.ifWarm && !this.fullReady && !this.quick) return { matches: [], cursor_start: cursorPos, cursor_end: cursorPos, metadata: {} };
    const pos = codePointToUtf16(code, cursorPos);
    let start = pos;
    while (start > 0) {
      const prev = code.codePointAt(start - 1)! >= 0xdc00 && code.codePointAt(start - 1)! <= 0xdfff && start > 1 ? code.slice(start - 2, start) : code[start - 1]!;
      if (!isIdentifierChar(prev)) break;
      start -= prev.length;
    }
    const prefix = code.slice(start, pos);
    const offset = this.setEditText(code);
    const info = this.editingService().getCompletionsAtPosition(this.editFile, offset + pos, {
      includeCompletionsWithInsertText: true,
      includeCompletionsForModuleExports: false,
      includeAutomaticOptionalChainCompletions: false,
    });
    const lower = prefix.toLowerCase();
    const entries = (info?.entries ?? [])
      .filter((e) => e.kind !== ts.ScriptElementKind.warning && (e.insertText === undefined || e.insertText === e.name))
      .filter((e) => e.name.toLowerCase().startsWith(lower) && !e.name.startsWith("__glassbox"))
      .sort((a, b) => {
        // Exact-case prefix matches first, then TypeScript's own relevance, then by name.
        const ca = a.name.startsWith(prefix) ? 0 : 1;
        const cb = b.name.startsWith(prefix) ? 0 : 1;
        return ca - cb || a.sortText.localeCompare(b.sortText) || a.name.localeCompare(b.name);
      });
    const seen = new Set<string>();
    const unique = entries.filter((e) => !seen.has(e.name) && seen.add(e.name));
    const cursorStart = utf16ToCodePoint(code, start);
    const cursorEnd = utf16ToCodePoint(code, pos);
    return {
      matches: unique.map((e) => e.name),
      cursor_start: cursorStart,
      cursor_end: cursorEnd,
      metadata: {
        _jupyter_types_experimental: unique.map((e) => ({ start: cursorStart, end: cursorEnd, text: e.name, type: KIND_TO_JUPYTER[e.kind] ?? e.kind })),
      },
    };
  }

  inspectSync(code: string, cursorPos: number, detailLevel: 0 | 1): InspectResult {
    const pos = codePointToUtf16(code, cursorPos);
    const offset = this.setEditText(code);
    const ls = this.editingService();
    const quick = ls.getQuickInfoAtPosition(this.editFile, offset + pos) ?? (pos > 0 ? ls.getQuickInfoAtPosition(this.editFile, offset + pos - 1) : undefined);
    let signature: string | undefined;
    let docs = "";
    let tags: ts.JSDocTagInfo[] = [];
    if (quick) {
      signature = ts.displayPartsToString(quick.displayParts);
      docs = ts.displayPartsToString(quick.documentation);
      tags = quick.tags ?? [];
    } else {
      // Inside a call's parentheses: the signature being called.
      const help = ls.getSignatureHelpItems(this.editFile, offset + pos, undefined);
      const item = help?.items[help.selectedItemIndex];
      if (item) {
        const separator = ts.displayPartsToString(item.separatorDisplayParts);
        signature =
          ts.displayPartsToString(item.prefixDisplayParts) +
          item.parameters.map((p) => ts.displayPartsToString(p.displayParts)).join(separator) +
          ts.displayPartsToString(item.suffixDisplayParts);
        docs = ts.displayPartsToString(item.documentation);
        tags = item.tags;
      }
    }
    if (signature === undefined) return { found: false, data: {} };
    const tagLines = tags
      .filter((t) => detailLevel === 1 || t.name === "param" || t.name === "returns" || t.name === "deprecated")
      .map((t) => `@${t.name}${t.text ? ` ${ts.displayPartsToString(t.text)}` : ""}`);
    const plain = [signature, docs, tagLines.join("\n")].filter(Boolean).join("\n\n");
    const data: Record<string, string> = { "text/plain": plain };
    if (docs || tagLines.length) {
      data["text/markdown"] = ["```typescript\n" + signature + "\n```", docs, tagLines.map((t) => `*${t.replace(/^@(\S+)/, "@$1*")}`).join("  \n")].filter(Boolean).join("\n\n");
    }
    return { found: true, data };
  }

  isCompleteSync(code: string): IsCompleteResult {
    if (code.trim() === "") return { status: "complete" };
    const sf = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const diagnostics = (sf as unknown as { parseDiagnostics: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
    const depth = openBrackets(code);
    if (diagnostics.length === 0) return { status: "complete" };
    const end = code.trimEnd().length;
    const lastLineStart = code.lastIndexOf("\n", end - 1) + 1;
    const atEnd = (d: ts.DiagnosticWithLocation): boolean =>
      d.start >= end ||
      // Unterminated string, template or comment, still open on the last line.
      ((d.code === 1002 || d.code === 1160 || d.code === 1010) && d.start + d.length >= end && (d.code !== 1002 || d.start >= lastLineStart));
    if (diagnostics.every(atEnd)) {
      return { status: "incomplete", indent: "  ".repeat(Math.max(depth, 0)) };
    }
    return { status: "invalid" };
  }

  setWorkingDirectorySync(dir: string): void {
    if (dir === this.dir) {
      // Same folder: a tsconfig.json may have changed.
      const { options } = cellCompilerOptions(dir, this.kernelRoot);
      if (JSON.stringify(options) === JSON.stringify(this.options)) return;
    }
    // Disposed once the new program holds the libraries: disposing first would drop every parsed
    // file from the shared registry, and the next compile would parse them all again.
    this.retired.push(this.ls);
    this.configure(dir);
  }

  /**
   * Start-up work, in steps small enough to let requests in between (the worker runs one per turn
   * of its event loop):
   *   1. a quick service without Node's types parses the libraries and TensorFlow.js, and can
   *      answer completion and inspection from then on;
   *   2. Node's types are parsed a few files at a time into the shared document registry;
   *   3. the full program is built (binding, module resolution: no parsing left) and the code
   *      paths of checking, completion and inspection run once, so that V8 has compiled them.
   * Only the edit file is used: a warm-up must never touch the cell being compiled or committed.
   * A compile request at any point builds the full program at once.
   */
  warmUpSteps(): (() => void)[] {
    const code = "tf.layers;\nconst __glassbox_warm__ = tf.sequential();\n__glassbox_warm__.fit;\n";
    const steps: (() => void)[] = [];
    // Started from a snapshot (compiler.process.ts): the libraries are parsed; only the code paths are cold.
    const parsed = this.librariesParsed;
    // The libraries the last start parsed (see declarationListFile), a few files per step, so that
    // requests (an unchecked cell, a completion) wait only for a few files, never for all of them.
    const known = parsed ? [] : this.knownDeclarationFiles();
    for (let i = 0; i < known.length; i += 8) {
      const chunk = known.slice(i, i + 8);
      steps.push(() => {
        if (!this.fullReady) for (const file of chunk) this.preparse(file);
      });
    }
    const nodeFiles = !parsed && this.options.types?.includes("node") ? this.nodeTypeFiles() : [];
    if (nodeFiles.length) {
      this.quickPlanned = true;
      steps.push(() => {
        if (this.fullReady) return;
        this.setVirtual(this.editFile, code);
        (this.quick ?? this.startQuick()).getCompletionsAtPosition(this.editFile, 3, {});
      });
      for (let i = 0; i < nodeFiles.length; i += 8) {
        const chunk = nodeFiles.slice(i, i + 8);
        steps.push(() => {
          if (!this.fullReady) for (const file of chunk) this.preparse(file);
        });
      }
    }
    // Small steps from here on: a first compile that arrives meanwhile waits for one of them only.
    steps.push(() => {
      this.setVirtual(this.editFile, code);
      const program = this.program();
      if (!parsed) this.rememberDeclarationFiles(program);
    });
    steps.push(() => {
      this.setVirtual(this.editFile, code);
      const program = this.program();
      program.getSemanticDiagnostics(program.getSourceFile(this.editFile));
    });
    steps.push(() => {
      this.setVirtual(this.editFile, code);
      this.program();
      this.ls.getCompletionsAtPosition(this.editFile, 3, {});
      this.quick?.dispose();
      this.quick = undefined;
      this.quickPlanned = false;
    });
    steps.push(() => {
      this.setVirtual(this.editFile, code);
      this.ls.getQuickInfoAtPosition(this.editFile, code.indexOf("sequential") + 1);
    });
    return steps;
  }

  private startQuick(): ts.LanguageService {
    const settings = (): ts.CompilerOptions => ({ ...this.options, types: (this.options.types ?? []).filter((t) => t !== "node") });
    this.quick = ts.createLanguageService(this.host(settings), registry);
    return this.quick;
  }

  /**
   * Where the list of library files a full program parses is kept between starts: beside the
   * kernel's packages, one list per kernel install, TypeScript version and compiler options.
   */
  private declarationListFile(): string | undefined {
    if (!this.kernelRoot) return undefined;
    const key = createHash("sha256").update(JSON.stringify([this.kernelRoot, ts.version, this.options])).digest("hex").slice(0, 16);
    return join(this.kernelRoot, "node_modules", ".cache", "glassbox", `declarations-${key}.json`);
  }

  private knownDeclarationFiles(): string[] {
    const list = this.declarationListFile();
    try {
      const files = list && existsSync(list) ? (JSON.parse(readFileSync(list, "utf8")) as unknown) : [];
      return Array.isArray(files) ? files.filter((f): f is string => typeof f === "string" && existsSync(f)) : [];
    } catch {
      return []; // only a head start
    }
  }

  private rememberDeclarationFiles(program: ts.Program): void {
    const list = this.declarationListFile();
    if (!list) return;
    const files = program
      .getSourceFiles()
      .map((sf) => sf.fileName)
      .filter((f) => !this.virtual.has(f) && (f.includes("/node_modules/") || f.startsWith(this.libDir)) && /\.d\.[cm]?ts$/.test(f));
    try {
      mkdirSync(dirname(list), { recursive: true });
      writeFileSync(list, JSON.stringify(files));
    } catch {
      // A read-only install parses from scratch each start.
    }
  }

  /** The declaration files of Node's types (@types/node and undici-types), as the program will find them. */
  private nodeTypeFiles(): string[] {
    const resolved = ts.resolveTypeReferenceDirective("node", join(this.dir, "__glassbox__.ts"), this.options, this.moduleHost).resolvedTypeReferenceDirective;
    if (!resolved?.resolvedFileName) return [];
    const root = dirname(resolved.resolvedFileName);
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        // ts5.x folders are for older compilers (typesVersions), never loaded by this one.
        if (entry.isDirectory()) {
          if (!/^ts\d/.test(entry.name) && entry.name !== "node_modules") walk(path);
        } else if (entry.name.endsWith(".d.ts")) {
          files.push(path);
        }
      }
    };
    try {
      walk(root);
      const undici = join(root, "..", "..", "undici-types");
      if (existsSync(undici)) walk(undici);
    } catch {
      // Only a head start: the program parses whatever is missing.
    }
    return files.map((f) => ts.sys.realpath?.(f) ?? f);
  }

  /** Parses a library file into the shared registry, exactly as the language service will ask for it. */
  private preparse(file: string): void {
    const snapshot = this.diskSnapshot(file);
    if (!snapshot) return;
    registry.acquireDocument(file, this.options, snapshot, this.diskVersion(file), ts.ScriptKind.TS, {
      languageVersion: this.options.target ?? ts.ScriptTarget.ES2022,
      impliedNodeFormat: ts.getImpliedNodeFormatForFile(file, this.resolutionCache.getPackageJsonInfoCache(), this.moduleHost, this.options),
    });
  }

  /** All of the warm-up at once. */
  warmUp(): void {
    for (const step of this.warmUpSteps()) step();
  }

  // --- CellCompiler ---------------------------------------------------------------------------

  async compile(code: string, options: CompileOptions): Promise<CompiledCell> {
    return this.compileSync(code, options);
  }
  async commit(cell: number): Promise<void> {
    this.commitSync(cell);
  }
  async complete(code: string, cursorPos: number, options?: { ifWarm?: boolean }): Promise<CompletionResult> {
    return this.completeSync(code, cursorPos, options);
  }
  async inspect(code: string, cursorPos: number, detailLevel: 0 | 1): Promise<InspectResult> {
    return this.inspectSync(code, cursorPos, detailLevel);
  }
  async isComplete(code: string): Promise<IsCompleteResult> {
    return this.isCompleteSync(code);
  }
  async setWorkingDirectory(dir: string): Promise<void> {
    this.setWorkingDirectorySync(dir);
  }
}

/** Unclosed `{ ( [` and template substitutions at the end of `code`, by TypeScript's scanner. */
function openBrackets(code: string): number {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, code);
  const stack: ts.SyntaxKind[] = [];
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    switch (token) {
      case ts.SyntaxKind.OpenBraceToken:
      case ts.SyntaxKind.OpenParenToken:
      case ts.SyntaxKind.OpenBracketToken:
      case ts.SyntaxKind.TemplateHead:
        stack.push(token);
        break;
      case ts.SyntaxKind.CloseBraceToken:
        if (stack[stack.length - 1] === ts.SyntaxKind.TemplateHead) {
          // `}` closes a substitution: the template goes on.
          if (scanner.reScanTemplateToken(false) === ts.SyntaxKind.TemplateTail) stack.pop();
        } else {
          stack.pop();
        }
        break;
      case ts.SyntaxKind.CloseParenToken:
      case ts.SyntaxKind.CloseBracketToken:
        stack.pop();
        break;
    }
  }
  return stack.length;
}

export function createCellCompiler(options?: CellCompilerServiceOptions): CellCompilerService {
  return new CellCompilerService(options);
}
