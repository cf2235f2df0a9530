/**
 * `glassbox course`: release student versions of course notebooks, and grade what students hand back.
 *
 *   glassbox course release SOURCE.ipynb|FOLDER -o STUDENT.ipynb|FOLDER
 *   glassbox course grade SOURCE.ipynb SUBMISSION.ipynb... --csv grades.csv [--feedback DIR] [--timeout S] [--jobs N]
 *
 * Exit status: 0 when everything was released / every submission graded; 1 when a submission
 * could not be graded; 2 for bad usage or a broken source notebook.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { writeAtomic } from "../run/command";
import { NotebookError, readNotebook, serializeNotebook, type Notebook } from "../run/notebook";
import { renderFeedback } from "./feedback";
import { gradeSubmission, gradedCells, gradesCsv, type SubmissionGrade } from "./grade";
import { CourseError } from "./nbgrader";
import { releaseNotebook } from "./release";

export const USAGE = `Usage:
  glassbox course release <source.ipynb | folder> -o <student.ipynb | folder>
      Writes the student version: solutions become "// YOUR CODE HERE" stubs, hidden tests are
      removed, outputs cleared, locked cells checksummed (nbgrader's format, schema version 3).

  glassbox course grade <source.ipynb> <submission.ipynb>... --csv <grades.csv> [options]
      Runs each submission in a fresh kernel with the source's locked and test cells (hidden tests
      included) and gives each test cell its points when it runs without error.
      --feedback <folder>   also write one HTML page per submission
      --timeout <seconds>   interrupt a cell after this long (default 60) and grade on
      --jobs <n>            grade this many submissions at once (default 1)
`;

const DEFAULT_TIMEOUT_S = 60;

class UsageError extends Error {}

interface Out {
  write(text: string): void;
}

function notebookName(path: string): string {
  return basename(path, extname(path));
}

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function release(args: string[], stdout: Out): number {
  let input: string | undefined;
  let output: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-o" || a === "--output") output = args[++i];
    else if (a.startsWith("--output=")) output = a.slice("--output=".length);
    else if (a.startsWith("-")) throw new UsageError(`Unknown option ${a}.`);
    else if (input === undefined) input = a;
    else throw new UsageError(`release takes one notebook or folder; got "${input}" and "${a}".`);
  }
  if (!input) throw new UsageError("Name the source notebook (or a folder of them) to release.");
  if (!output) throw new UsageError("Say where the student version goes: -o student.ipynb (or -o folder/).");
  const pairs: [string, string][] = isDir(input)
    ? readdirSync(input)
        .filter((f) => f.endsWith(".ipynb"))
        .sort()
        .map((f) => [join(input!, f), join(output!, f)])
    : [[input, isDir(output) || output.endsWith("/") ? join(output, basename(input)) : output]];
  if (pairs.length === 0) throw new UsageError(`${input} holds no .ipynb notebooks.`);
  for (const [src, dest] of pairs) {
    if (resolve(src) === resolve(dest)) throw new UsageError(`The student version would overwrite the source ${src}; choose another -o.`);
  }
  // All sources are checked before anything is written.
  const released = pairs.map(([src, dest]) => ({ src, dest, ...releaseNotebook(readNotebook(src), src) }));
  for (const { src, dest, notebook, summary } of released) {
    writeAtomic(dest, serializeNotebook(notebook));
    stdout.write(`${src} → ${dest}: ${summary.solutions} solution${summary.solutions === 1 ? "" : "s"} stubbed, ${summary.hiddenTests} hidden test region${summary.hiddenTests === 1 ? "" : "s"} removed, ${summary.tests} test cell${summary.tests === 1 ? "" : "s"}\n`);
  }
  return 0;
}

interface GradeArgs {
  source: string;
  submissions: string[];
  csv: string;
  feedback?: string;
  timeout: number;
  jobs: number;
}

function parseGrade(args: string[]): GradeArgs {
  const positional: string[] = [];
  let csv: string | undefined;
  let feedback: string | undefined;
  let timeout = DEFAULT_TIMEOUT_S;
  let jobs = 1;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      const v = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined || v === "") throw new UsageError(`${flag} needs a value.`);
      return v;
    };
    switch (flag) {
      case "--csv":
        csv = value();
        break;
      case "--feedback":
        feedback = value();
        break;
      case "--timeout": {
        const raw = value();
        timeout = Number(raw);
        if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout takes a number of seconds greater than 0, not "${raw}".`);
        break;
      }
      case "--jobs": {
        const raw = value();
        jobs = Number(raw);
        if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs takes a whole number of at least 1, not "${raw}".`);
        break;
      }
      default:
        if (a.startsWith("-")) throw new UsageError(`Unknown option ${a}.`);
        positional.push(a);
    }
  }
  const [source, ...submissions] = positional;
  if (!source) throw new UsageError("Name the source notebook (the one with solutions and hidden tests) first.");
  if (submissions.length === 0) throw new UsageError("Name at least one submission to grade after the source notebook.");
  if (!csv) throw new UsageError("Say where the grades go: --csv grades.csv.");
  const names = submissions.map(notebookName);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new UsageError(`Two submissions are named "${dup}"; rows are named by file name, so rename one.`);
  return { source, submissions, csv, feedback, timeout, jobs };
}

async function grade(args: string[], stdout: Out, stderr: Out): Promise<number> {
  const a = parseGrade(args);
  const source = readNotebook(a.source);
  const columns = gradedCells(source, a.source).map((c) => c.gradeId);
  if (columns.length === 0) throw new CourseError(`${a.source} has no autograded test cells (nbgrader "grade": true with points); nothing to grade.`);
  const assignment = notebookName(a.source);
  const grades: (SubmissionGrade | undefined)[] = new Array(a.submissions.length);
  let failed = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let n = next++; n < a.submissions.length; n = next++) {
      const path = a.submissions[n];
      const name = notebookName(path);
      let submission: Notebook;
      try {
        submission = readNotebook(path);
      } catch (e) {
        if (!(e instanceof NotebookError)) throw e;
        stderr.write(`glassbox course grade: ${e.message} (not graded)\n`);
        failed++;
        continue;
      }
      let log = "";
      try {
        const g = await gradeSubmission(name, source, submission, a.source, {
          cwd: dirname(resolve(a.source)),
          timeout: a.timeout,
          onLog: (t) => (log = (log + t).slice(-4000)),
        });
        grades[n] = g;
        const failing = g.tests.filter((t) => t.status !== "passed").map((t) => `${t.gradeId} ${t.status}`);
        stdout.write(`${name}: ${g.total}/${g.maxTotal}${failing.length ? ` (${failing.join(", ")})` : ""} in ${(g.ms / 1000).toFixed(1)} s\n`);
        if (a.feedback) writeAtomic(join(a.feedback, `${name}.html`), renderFeedback(g, assignment));
      } catch (e) {
        stderr.write(`glassbox course grade: could not grade ${path}: ${(e as Error).message}\n${log.trim() ? `kernel log:\n${log.trim()}\n` : ""}`);
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(a.jobs, a.submissions.length) }, worker));
  const done = grades.filter((g): g is SubmissionGrade => g !== undefined);
  writeAtomic(a.csv, gradesCsv(columns, done));
  stdout.write(`Grades for ${done.length} submission${done.length === 1 ? "" : "s"}: ${resolve(a.csv)}\n`);
  if (a.feedback) stdout.write(`Feedback pages: ${resolve(a.feedback)}\n`);
  if (failed) stderr.write(`${failed} submission${failed === 1 ? "" : "s"} could not be graded; see the messages above.\n`);
  return failed ? 1 : 0;
}

export async function courseCommand(argv: string[], stdout: Out = process.stdout, stderr: Out = process.stderr): Promise<number> {
  const [sub, ...args] = argv;
  try {
    if (sub === "release") return release(args, stdout);
    if (sub === "grade") return await grade(args, stdout, stderr);
    if (sub === undefined || sub === "-h" || sub === "--help" || sub === "help") {
      stdout.write(USAGE);
      return sub === undefined ? 2 : 0;
    }
    throw new UsageError(`Unknown course command "${sub}"; use release or grade.`);
  } catch (e) {
    if (e instanceof UsageError) {
      stderr.write(`glassbox course: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof CourseError || e instanceof NotebookError) {
      stderr.write(`glassbox course: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
