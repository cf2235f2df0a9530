/**
 * `glassbox run`: executes notebooks unattended through a Glassbox kernel and writes the executed
 * notebooks (nbformat 4.5) and, on request, one self-contained HTML report.
 *
 *   glassbox run <notebook.ipynb>... [-o out.ipynb|dir] [--html report.html] [--lang en|zh-CN] [--timeout s] [--allow-errors]
 *
 * Exit status: 0 when every cell ran, 1 when a cell failed (or timed out), 2 for bad usage or an
 * input that is not a notebook. Input files are only ever read.
 */
import { existsSync, mkdirSync, realpathSync, renameSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join, relative, resolve } from "node:path";
import { executeNotebook, type CellFailure } from "./execute";
import { firstLine, NotebookError, readNotebook, serializeNotebook, type Notebook } from "./notebook";
import { stripAnsi } from "../outputs/text";
import { renderReport, type ReportEntry } from "./report";
import { currentLanguage, formatNumber, LANGUAGES, normalizeLanguage, setLanguage, t, type Language } from "../i18n";

export const USAGE = `Usage: glassbox run <notebook.ipynb>... [options]

Runs every code cell of each notebook in a fresh Glassbox kernel (working folder: the notebook's
folder) and writes the executed notebook.

Options:
  -o, --output <path>   where to write the executed notebook (default: <name>.out.ipynb next to it);
                        with several notebooks, a folder (each is written as <folder>/<name>.ipynb)
  --html <path>         also write a self-contained HTML report (one file, works offline)
  --lang <en|zh-CN>     the language of the kernel's messages, the run summary and the report
                        (default: GLASSBOX_LANG, else the locale: LC_ALL, LC_MESSAGES, LANG)
  --timeout <seconds>   interrupt a cell that runs longer than this, and fail it
  --allow-errors        run every cell even after errors, and exit 0
  -h, --help            show this help
`;

export interface RunArgs {
  inputs: string[];
  output?: string;
  html?: string;
  timeout?: number;
  lang?: Language;
  allowErrors: boolean;
  help: boolean;
}

export class UsageError extends Error {}

export function parseArgs(args: string[]): RunArgs {
  const parsed: RunArgs = { inputs: [], allowErrors: false, help: false };
  const value = (i: number, flag: string): string => {
    const v = args[i + 1];
    if (v === undefined || (v.startsWith("-") && v.length > 1)) throw new UsageError(`${flag} needs a value.`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const inline = eq > 0 ? a.slice(eq + 1) : undefined;
    const take = () => inline ?? value(i++, flag);
    switch (flag) {
      case "-o":
      case "--output":
        parsed.output = take();
        break;
      case "--html":
        parsed.html = take();
        break;
      case "--timeout": {
        const raw = take();
        const n = Number(raw);
        if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--timeout takes a number of seconds greater than 0, not "${raw}".`);
        parsed.timeout = n;
        break;
      }
      case "--lang": {
        const raw = take();
        const lang = normalizeLanguage(raw);
        if (!lang) throw new UsageError(`--lang takes one of ${LANGUAGES.join(", ")}, not "${raw}".`);
        parsed.lang = lang;
        break;
      }
      case "--allow-errors":
        parsed.allowErrors = true;
        break;
      case "-h":
      case "--help":
        parsed.help = true;
        break;
      default:
        if (a.startsWith("-") && a !== "-") throw new UsageError(`Unknown option ${a}.`);
        parsed.inputs.push(a);
    }
  }
  if (!parsed.help && parsed.inputs.length === 0) throw new UsageError("Name a notebook to run.");
  return parsed;
}

function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    return existsSync(b) && realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/** Where each input's executed notebook goes. */
export function outputPaths(args: RunArgs): string[] {
  const many = args.inputs.length > 1;
  const outDir = args.output && (many || args.output.endsWith("/") || (existsSync(args.output) && statSync(args.output).isDirectory())) ? args.output : undefined;
  const paths = args.inputs.map((input) => {
    const name = basename(input, extname(input));
    if (outDir) return join(outDir, `${name}.ipynb`);
    if (args.output) return args.output;
    return join(dirname(input), `${name}.out.ipynb`);
  });
  paths.forEach((out, i) => {
    for (const input of args.inputs) {
      if (sameFile(input, out)) {
        throw new UsageError(
          `The output ${out} would overwrite the input ${input}; glassbox run never changes its input. Choose another path with -o.`,
        );
      }
    }
    if (paths.indexOf(out) !== i) throw new UsageError(`Two notebooks would be written to ${out}; give them different names or separate runs.`);
  });
  if (args.html) {
    for (const input of args.inputs) if (sameFile(input, args.html)) throw new UsageError(`--html ${args.html} is an input notebook; choose another path.`);
  }
  return paths;
}

/** Writes through a temporary file, so that a crash never leaves half a file behind. */
export function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** A path relative to the current folder when it is inside it, else absolute. */
function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : resolve(path);
}

/** "3.4 sec", "42 sec", "2 min 5 sec" in the run's language (Intl units). */
function seconds(ms: number): string {
  const unit = (value: number, unit: "minute" | "second", digits = 0) =>
    formatNumber(value, { style: "unit", unit, unitDisplay: "short", minimumFractionDigits: digits, maximumFractionDigits: digits });
  if (ms < 10_000) return unit(ms / 1000, "second", 1);
  if (ms < 120_000) return unit(Math.round(ms / 1000), "second");
  const parts = [unit(Math.floor(ms / 60_000), "minute"), unit(Math.round((ms % 60_000) / 1000), "second")];
  return new Intl.ListFormat(currentLanguage(), { type: "unit", style: "narrow" }).format(parts);
}

function describeFailure(file: string, f: CellFailure): string {
  const trace = stripAnsi(f.traceback.join("\n")).trim();
  const head = `${f.ename}: ${f.evalue}`;
  const body = trace && !trace.startsWith(head) ? `${head}\n${trace}` : trace || head;
  const indented = body
    .split("\n")
    .slice(0, 30)
    .map((l) => `    ${l}`)
    .join("\n");
  return `${file}: cell ${f.index} (${f.firstLine ? `\`${f.firstLine}\`` : "empty"}) ${f.timedOut ? "timed out" : "failed"}:\n${indented}`;
}

interface Out {
  write(text: string): void;
  isTTY?: boolean;
}

export async function runCommand(argv: string[], stdout: Out = process.stdout, stderr: Out = process.stderr): Promise<number> {
  let args: RunArgs;
  let outputs: string[];
  try {
    args = parseArgs(argv);
    if (args.help) {
      stdout.write(USAGE);
      return 0;
    }
    outputs = outputPaths(args);
  } catch (e) {
    if (e instanceof UsageError) {
      stderr.write(`glassbox run: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }

  // The run's language: this process's messages and report, and the kernels it starts.
  if (args.lang) setLanguage(args.lang);
  const language = currentLanguage();
  const env = { ...process.env, GLASSBOX_LANG: language };

  // Read every input first: a broken one is reported before anything runs.
  const notebooks: Notebook[] = [];
  for (const input of args.inputs) {
    try {
      notebooks.push(readNotebook(input));
    } catch (e) {
      if (e instanceof NotebookError) {
        stderr.write(`glassbox run: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
  }

  const entries: ReportEntry[] = [];
  let failedNotebooks = 0;
  const messages: string[] = [];
  for (let n = 0; n < notebooks.length; n++) {
    const input = args.inputs[n];
    const nb = notebooks[n];
    const spec = nb.metadata.kernelspec;
    // The kernelspec picks the language: glassbox-js (or a JavaScript notebook) runs as JavaScript.
    const javascript = spec?.name === "glassbox-js" || (spec?.name !== "glassbox" && spec?.language === "javascript");
    if (spec && spec.name !== "glassbox" && spec.name !== "glassbox-js") stdout.write(`note: ${input} asks for the "${spec.name}" kernel; running it with Glassbox (${javascript ? "JavaScript" : "TypeScript"}).\n`);
    const codeCount = nb.cells.filter((c) => c.cell_type === "code").length;
    stdout.write(`▶ ${input} (${codeCount} code cell${codeCount === 1 ? "" : "s"})\n`);
    let done = 0;
    let log = "";
    let pendingLine = "";
    let result;
    try {
      result = await executeNotebook(nb, {
        cwd: dirname(resolve(input)),
        language: javascript ? "javascript" : "typescript",
        env,
        timeout: args.timeout,
        allowErrors: args.allowErrors,
        onLog: (t) => (log = (log + t).slice(-4000)),
        onCellStart: (index, _total, cell) => {
          done++;
          pendingLine = `  [${String(done).padStart(String(codeCount).length)}/${codeCount}] cell ${index}: ${firstLine(cell.source, 50) || "(empty)"}`;
          // On a terminal the line shows while the cell runs; in logs it is written once, finished.
          if (stdout.isTTY) stdout.write(`${pendingLine} …`);
        },
        onCellEnd: (_index, _total, _cell, ms, failure) => {
          const status = failure ? (failure.timedOut ? "✗ timed out" : `✗ ${failure.ename}`) : "✓";
          stdout.write(`${stdout.isTTY ? "\r\u001b[K" : ""}${pendingLine}  ${status} ${seconds(ms)}\n`);
        },
      });
    } catch (e) {
      // The kernel could not start: nothing else will work either.
      stderr.write(`glassbox run: could not run ${input}: ${(e as Error).message}\n`);
      if (log.trim()) stderr.write(`kernel log:\n${log.trim()}\n`);
      return 1;
    }
    nb.metadata.kernelspec = javascript
      ? { name: "glassbox-js", display_name: "Glassbox (JavaScript)", language: "javascript" }
      : { name: "glassbox", display_name: "Glassbox (TypeScript)", language: "typescript" };
    writeAtomic(outputs[n], serializeNotebook(nb));
    const failed = result.failures.length > 0;
    if (failed) failedNotebooks++;
    const first = result.failures[0];
    const summary = failed
      ? args.allowErrors
        ? t("run.summaryAllowErrors", { count: result.executed, time: seconds(result.ms), failed: result.failures.length, cell: first.index, error: first.ename })
        : t("run.summaryStopped", { cell: first.index, error: `${first.ename}: ${first.evalue.split("\n")[0]}`, count: result.skipped })
      : t("run.summaryOk", { count: result.executed, time: seconds(result.ms) });
    entries.push({ file: basename(input), notebook: nb, summary, failed });
    stdout.write(`${failed ? "✗" : "✓"} ${summary} → ${shortPath(outputs[n])}\n`);
    for (const f of result.failures) messages.push(describeFailure(input, f));
  }

  if (args.html) {
    const date = new Intl.DateTimeFormat(language, { year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC", timeZoneName: "short" }).format(new Date());
    writeAtomic(args.html, renderReport(entries, { language, subtitle: t("run.executedOn", { date }) }));
    stdout.write(`Report: ${resolve(args.html)}\n`);
  }

  if (messages.length) {
    stderr.write(`\n${messages.map((m) => `glassbox run: ${m}`).join("\n\n")}\n`);
    if (!args.allowErrors) {
      const where = outputs.length === 1 ? outputs[0] : "the output folder";
      stderr.write(`\nThe outputs so far are in ${where}. Fix the cell and run again, or pass --allow-errors to run every cell regardless.\n`);
      return 1;
    }
    stderr.write(`\n(--allow-errors: ${failedNotebooks} notebook${failedNotebooks === 1 ? "" : "s"} had errors; exiting 0.)\n`);
  }
  return 0;
}
