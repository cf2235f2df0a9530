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
      await startKernel({ connectionFile: args[0], version, startCompiler, language });
      return -1; // keeps running
    }
    case "install": {
      const dirs = installKernelspecs(parseInstall(args), __filename);
      process.stdout.write(`Installed the Glassbox kernelspecs (TypeScript and JavaScript) in:\n${dirs.map((d) => `  ${d}\n`).join("")}`);
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
