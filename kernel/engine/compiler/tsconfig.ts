// Compiler options for notebook cells: the kernel's defaults, merged with a tsconfig.json next to
// the notebook, then the few settings the cell design depends on forced on top.
import { join } from "node:path";
import ts from "typescript";

export interface CellOptions {
  options: ts.CompilerOptions;
  /** The tsconfig.json that was read, if any. */
  configFile?: string;
  /** Problems reading it, as messages (the defaults are used for whatever could not be read). */
  configErrors: string[];
}

const defaults: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  // ES2023 rather than the target's default: Node 20 has it, and the DOM lib would shadow common
  // names (`name`, `status`, `length`) that notebooks like to declare.
  lib: ["lib.es2023.d.ts"],
  strict: true,
  skipLibCheck: true,
  types: ["node"],
  allowJs: true,
  esModuleInterop: true,
  resolveJsonModule: true,
  allowImportingTsExtensions: true,
};

export function cellCompilerOptions(dir: string, kernelRoot: string | undefined): CellOptions {
  let user: ts.CompilerOptions = {};
  const configErrors: string[] = [];
  const configFile = join(dir, "tsconfig.json");
  const hasConfig = ts.sys.fileExists(configFile);
  if (hasConfig) {
    const read = ts.readConfigFile(configFile, ts.sys.readFile);
    if (read.error) {
      configErrors.push(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
    } else {
      const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dir, undefined, configFile);
      // "No inputs were found" is expected: cells are not files on disk.
      for (const error of parsed.errors) if (error.code !== 18003) configErrors.push(ts.flattenDiagnosticMessageText(error.messageText, "\n"));
      user = parsed.options;
    }
  }
  const options: ts.CompilerOptions = { ...defaults, ...user };
  // What the cell design needs, whatever the tsconfig says:
  // - every cell is a module, so its declarations shadow the earlier cells' globals;
  options.moduleDetection = ts.ModuleDetectionKind.Force;
  // - imports are run by the kernel's own loader, which resolves like a bundler; top-level await;
  options.module = ts.ModuleKind.Preserve;
  options.moduleResolution = ts.ModuleResolutionKind.Bundler;
  if ((options.target ?? ts.ScriptTarget.ES5) < ts.ScriptTarget.ES2017) options.target = ts.ScriptTarget.ES2022;
  // - JS is produced by type stripping, never by the program; top-level names are used by later cells.
  options.noEmit = true;
  options.noUnusedLocals = false;
  for (const key of ["declaration", "declarationMap", "emitDeclarationOnly", "composite", "incremental", "isolatedDeclarations", "tsBuildInfoFile", "outDir", "outFile", "rootDir", "noLib"] as const) {
    delete options[key];
  }
  // Types resolve from the notebook, then from the kernel's install (which has @types/node).
  if (!user.typeRoots) {
    options.typeRoots = [join(dir, "node_modules", "@types")];
    if (kernelRoot) options.typeRoots.push(join(kernelRoot, "node_modules", "@types"));
  }
  return { options, configFile: hasConfig ? configFile : undefined, configErrors };
}
