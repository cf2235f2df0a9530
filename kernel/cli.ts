/**
 * The `glassbox` command:
 *   glassbox kernel [--language javascript] <connection-file>
 *                                         run the Jupyter kernel (what kernel.json starts)
 *   glassbox install [--user|--sys-prefix|--prefix DIR] [--name N] [--display-name D]
 *   glassbox run <notebook.ipynb> [-o out.ipynb] [--html report.html] [--timeout s] [--allow-errors]
 *   glassbox course release|grade ...     course notebooks: student versions and autograding
 *   glassbox --version
 */
import { writeSync } from "node:fs";
import { startCompiler } from "./engine/compiler/client";
import { buildCompilerSnapshot, buildCompilerSnapshotLater, usableSnapshot } from "./engine/compiler/snapshot";
import { findKernelRoot } from "./root";
import { installKernelspecs, type InstallOptions } from "./install";
import { startKernel } from "./kernel";
import type { CellLanguage } from "./protocol/engine-link";
import { runCommand } from "./run/command";
import { courseCommand } from "./course/command";

declare const GLASSBOX_VERSION: string | undefined;
const version: string = typeof GLASSBOX_VERSION === "string" ? GLASSBOX_VERSION : require("../package.json").version;

const USAGE = `Usage:
  glassbox kernel [--language typescript|javascript] <connection-file>
  glassbox install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name NAME]
  glassbox snapshot [--quiet]       (re)build the TypeScript compiler's start-up snapshot for this Node.js
  glassbox run <notebook.ipynb> [-o out.ipynb] [--html report.html] [--timeout SECONDS] [--allow-errors]
  glassbox course release <source.ipynb | folder> -o <student.ipynb | folder>
  glassbox course grade <source.ipynb> <submission.ipynb>... --csv grades.csv [--feedback DIR] [--timeout SECONDS] [--jobs N]
  glassbox --version`;

function fail(message: string): never {
  process.stderr.write(`glassbox: ${message}\n`);
  process.exit(2);
}

function parseInstall(args: string[]): InstallOptions {
  const options: InstallOptions = { scope: "user", name: "glassbox", displayName: "Glassbox (TypeScript)" };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => args[++i] ?? fail(`${arg} needs a value.\n${USAGE}`);
    if (arg === "--user") options.scope = "user";
    else if (arg === "--sys-prefix") options.scope = "sys-prefix";
    else if (arg === "--prefix") {
      options.scope = "prefix";
      options.prefix = value();
    } else if (arg.startsWith("--prefix=")) {
      options.scope = "prefix";
      options.prefix = arg.slice("--prefix=".length);
    } else if (arg === "--name") options.name = value();
    else if (arg === "--display-name") options.displayName = value();
    else fail(`unknown option ${arg}.\n${USAGE}`);
  }
  if (!/^[\w.-]+$/.test(options.name)) fail(`kernel names may use letters, digits, '.', '_' and '-' only (got "${options.name}").`);
  return options;
}

/** `glassbox snapshot`: builds the compiler's start-up snapshot (see engine/compiler/snapshot.ts). */
function snapshotCommand(args: string[]): number {
  const quiet = args.includes("--quiet");
  const unknown = args.find((a) => a !== "--quiet");
  if (unknown) fail(`unknown option ${unknown}.\n${USAGE}`);
  const root = findKernelRoot(__dirname);
  if (!root) fail("cannot find the Glassbox install (a package.json named glassbox above this file).");
  const say = (text: string) => quiet || process.stdout.write(`${text}\n`);
  const current = usableSnapshot(root);
  if ("blob" in current) {
    say(`The TypeScript compiler's start-up snapshot for Node.js ${process.version} is up to date: ${current.blob}`);
    return 0;
  }
  const started = Date.now();
  try {
    const blob = buildCompilerSnapshot(root);
    say(blob ? `Built the TypeScript compiler's start-up snapshot for Node.js ${process.version} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${blob}` : "Another process is building the compiler's snapshot.");
    return 0;
  } catch (e) {
    if (!quiet) process.stderr.write(`glassbox: ${(e as Error).message}\nKernels still work; their first typed cell waits for TypeScript to parse its libraries.\n`);
    return 1;
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "kernel": {
      let language: CellLanguage = "typescript";
      const languageAt = args.indexOf("--language");
      if (languageAt >= 0) {
        const value = args.splice(languageAt, 2)[1];
        if (value !== "typescript" && value !== "javascript") fail(`--language is typescript or javascript (got "${value ?? ""}").\n${USAGE}`);
        language = value;
      }
      if (!args[0]) fail(`kernel needs the connection file.\n${USAGE}`);
      const startTypeScript = () =>
        startCompiler({
          onStart: (how, buildable) => {
            writeSync(2, `[glassbox] TypeScript compiler started ${how}\n`);
            // For the next start (a fresh install, a new Node.js, updated packages).
            if (buildable) buildCompilerSnapshotLater(__filename);
          },
        });
      await startKernel({ connectionFile: args[0], version, startCompiler: startTypeScript, language });
      return -1; // keeps running
    }
    case "snapshot":
      return snapshotCommand(args);
    case "install": {
      const dirs = installKernelspecs(parseInstall(args), __filename);
      process.stdout.write(`Installed the Glassbox kernelspecs (TypeScript and JavaScript) in:\n${dirs.map((d) => `  ${d}\n`).join("")}`);
      // Not fatal: without a snapshot the first typed cell only waits longer.
      snapshotCommand([]);
      return 0;
    }
    case "run":
      return runCommand(args);
    case "course":
      return courseCommand(args);
    case "--version":
    case "-v":
    case "version":
      process.stdout.write(`${version}\n`);
      return 0;
    case undefined:
    case "--help":
    case "-h":
    case "help":
      process.stdout.write(`Glassbox ${version}: deep learning in TypeScript notebooks.\n${USAGE}\n`);
      return 0;
    default:
      fail(`unknown command "${command}".\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (e) => {
    // Past the cell capture, which a kernel that failed at start may already have installed.
    writeSync(2, `glassbox: ${(e as Error).message ?? e}\n`);
    process.exit(1);
  },
);
