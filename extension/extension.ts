/**
 * Glassbox for VS Code: runs .ipynb notebooks on the Glassbox TypeScript kernel, shows the kernel's
 * state and tensor backend in the status bar, and ships the tutorials.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import * as vscode from "vscode";
import { GlassboxController, type CellOutcome } from "./controller";
import { describeScore, scoreExercises, testCellIndexes, type CellView } from "./exercises";
import type { KernelState, KernelSummary } from "./kernel-session";
import { sampleFiles, TUTORIAL_LANGUAGES, tutorialTitle, uniqueName } from "./tutorials";
import { VARIABLES_VIEW, VariablesView } from "./variables-view";

let controller: GlassboxController | undefined;

export function activate(context: vscode.ExtensionContext): { controller: GlassboxController } {
  const log = vscode.window.createOutputChannel("Glassbox Kernel");
  const status = vscode.window.createStatusBarItem("glassbox.kernel", vscode.StatusBarAlignment.Right, 100);
  status.name = "Glassbox Kernel";
  status.command = "glassbox.showKernelLog";
  const states = new Map<string, { state: KernelState; summary: KernelSummary }>();

  const refresh = () => {
    const notebook = vscode.window.activeNotebookEditor?.notebook;
    if (!notebook || !controller?.isGlassbox(notebook)) {
      status.hide();
      return;
    }
    const { state, summary } = states.get(notebook.uri.toString()) ?? { state: "not-started" as KernelState, summary: {} };
    const icon = state === "busy" ? "$(loading~spin)" : state === "dead" ? "$(error)" : state === "starting" || state === "restarting" ? "$(sync~spin)" : "$(circle-outline)";
    const label = stateLabel(state);
    status.text = `${icon} Glassbox: ${label}${summary.backend ? ` · ${summary.backend}` : ""}`;
    status.tooltip = new vscode.MarkdownString(
      [
        vscode.l10n.t("**Glassbox kernel**: {0}", label),
        summary.backend ? vscode.l10n.t("Tensor backend: `{0}`", summary.backend) : vscode.l10n.t("Tensor backend: shown once the kernel has started"),
        summary.banner ? `\n\n${summary.banner.replace(/[\\`*_{}[\]<>]/g, (c) => `\\${c}`)}` : "",
        `\n\n${vscode.l10n.t("Click to show the kernel log.")}`,
      ].join("\n\n"),
    );
    status.backgroundColor = state === "dead" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
    status.show();
  };

  let variables: VariablesView | undefined;
  controller = new GlassboxController(context, log, {
    onState(notebook, state, summary) {
      states.set(notebook.uri.toString(), { state, summary });
      refresh();
      if (state === "idle") void variables?.refresh();
    },
    onCellDone: () => void variables?.refresh(),
  });
  variables = new VariablesView(controller, log, context.extension);

  context.subscriptions.push(
    log,
    status,
    controller,
    vscode.window.onDidChangeActiveNotebookEditor(refresh),
    variables,
    vscode.window.registerWebviewViewProvider(VARIABLES_VIEW, variables),
    vscode.window.onDidChangeActiveNotebookEditor(() => void variables?.refresh()),
    vscode.commands.registerCommand("glassbox.showKernelLog", () => log.show(true)),
    vscode.commands.registerCommand("glassbox.restartKernel", async () => {
      const notebook = vscode.window.activeNotebookEditor?.notebook;
      if (!notebook) {
        void vscode.window.showWarningMessage(vscode.l10n.t("Glassbox: open a notebook first; Restart Kernel restarts the kernel of the notebook in front."));
        return;
      }
      if (!controller!.isGlassbox(notebook)) {
        void vscode.window.showWarningMessage(vscode.l10n.t('Glassbox: this notebook does not use the Glassbox kernel. Pick "Glassbox (TypeScript)" with Select Kernel first.'));
        return;
      }
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Glassbox: restarting the kernel…") }, () =>
        controller!.restart(notebook).catch(() => undefined),
      );
    }),
    vscode.commands.registerCommand("glassbox.checkExercises", () => checkExercises(controller!, log)),
    vscode.commands.registerCommand("glassbox.openTutorial", () => openTutorial(context)),
    vscode.commands.registerCommand("glassbox.installKernel", () => installKernel(context, log)),
  );
  refresh();
  return { controller };
}

/** Runs every code cell up to the last test cell (answers first), then shows the exercises' score. */
async function checkExercises(controller: GlassboxController, log: vscode.OutputChannel): Promise<void> {
  const notebook = vscode.window.activeNotebookEditor?.notebook;
  if (!notebook) {
    void vscode.window.showWarningMessage(vscode.l10n.t("Glassbox: open a notebook with exercises first."));
    return;
  }
  const view = (outcomes?: Map<vscode.NotebookCell, CellOutcome>): CellView[] =>
    notebook.getCells().map((c) => ({ kind: c.kind === vscode.NotebookCellKind.Code ? "code" : "markup", metadata: c.metadata, outcome: outcomes?.get(c) }));
  const tests = testCellIndexes(view());
  if (tests.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Glassbox: this notebook has no test cells (nbgrader cells with "grade": true).'));
    return;
  }
  const cells = notebook.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code && c.index <= tests[tests.length - 1]);
  const outcomes = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Glassbox: checking exercises…") }, () => controller.run(notebook, cells));
  const score = scoreExercises(view(outcomes));
  const text = describeScore(score, {
    head: (total, maxTotal, passed, tests) => vscode.l10n.t("Exercises: {0} / {1} points ({2} of {3} tests pass).", total, maxTotal, passed, tests),
    notRun: vscode.l10n.t("not run"),
    failed: vscode.l10n.t("failed"),
  });
  log.appendLine(`[glassbox] ${text}`);
  const message = text.replace(/\n/g, "  ");
  if (score.total === score.maxTotal) void vscode.window.showInformationMessage(message);
  else void vscode.window.showWarningMessage(message);
}

/** VS Code's display language as one of the tutorials' languages ("zh-cn" → "zh-CN"). */
function displayLanguage(): string {
  return vscode.env.language.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

function stateLabel(state: KernelState): string {
  switch (state) {
    case "not-started":
      return vscode.l10n.t("not started");
    case "starting":
      return vscode.l10n.t("starting");
    case "restarting":
      return vscode.l10n.t("restarting");
    case "busy":
      return vscode.l10n.t("busy");
    case "idle":
      return vscode.l10n.t("idle");
    case "dead":
      return vscode.l10n.t("dead");
    case "stopped":
      return vscode.l10n.t("stopped");
  }
}

export function deactivate(): void {
  controller?.dispose();
  controller = undefined;
}

async function openTutorial(context: vscode.ExtensionContext): Promise<void> {
  const root = join(context.extensionPath, "notebooks");
  // Every language the tutorials are written in, VS Code's display language first.
  const languages = TUTORIAL_LANGUAGES.map((l) => ({ ...l, dir: join(root, l.folder) }))
    .map((l) => ({ ...l, files: existsSync(l.dir) ? readdirSync(l.dir).filter((f) => f.endsWith(".ipynb")).sort() : [] }))
    .filter((l) => l.files.length)
    .sort((a, b) => Number(b.lang === displayLanguage()) - Number(a.lang === displayLanguage()));
  if (!languages.length) {
    void vscode.window.showErrorMessage(vscode.l10n.t("Glassbox: no tutorials found in {0}. Reinstall the extension to get them back.", root));
    return;
  }
  type Pick = vscode.QuickPickItem & { file?: string; dir?: string; target?: string };
  const picks: Pick[] = languages.flatMap((l): Pick[] => [
    { label: l.name, kind: vscode.QuickPickItemKind.Separator },
    ...l.files.map((file) => ({ label: tutorialTitle(readFileSync(join(l.dir, file), "utf8"), file), description: `${file} · ${l.name}`, file, dir: l.dir, target: l.target })),
  ]);
  const pick = await vscode.window.showQuickPick(picks, { title: vscode.l10n.t("Glassbox: Open Tutorial"), placeHolder: vscode.l10n.t("Pick a tutorial to copy into your workspace"), matchOnDescription: true });
  if (!pick?.file || !pick.dir || !pick.target) return;
  const dir = pick.dir;
  let base = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!base) {
    const chosen = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      defaultUri: vscode.Uri.file(homedir()),
      openLabel: vscode.l10n.t("Copy the tutorial here"),
      title: vscode.l10n.t("Glassbox: where should the tutorial go?"),
    });
    if (!chosen?.[0]) return;
    base = chosen[0];
  }
  // The layout mirrors the repository (tutorials/ next to samples/), so a tutorial's relative data
  // paths such as ../samples/digits.csv work in the copy too.
  const tutorials = vscode.Uri.joinPath(base, pick.target);
  await vscode.workspace.fs.createDirectory(tutorials);
  const target = vscode.Uri.joinPath(tutorials, uniqueName(pick.file, await listNames(tutorials)));
  // A copy, so that the user's edits never touch the shipped original.
  const text = readFileSync(join(dir, pick.file), "utf8");
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  for (const name of sampleFiles(text)) {
    const from = join(context.extensionPath, "samples", name);
    const to = vscode.Uri.joinPath(base, "samples", name);
    if (existsSync(from) && !(await exists(to))) await vscode.workspace.fs.copy(vscode.Uri.file(from), to);
  }
  const notebook = await vscode.workspace.openNotebookDocument(target);
  const editor = await vscode.window.showNotebookDocument(notebook);
  await controller?.select(editor);
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

async function listNames(folder: vscode.Uri): Promise<Set<string>> {
  try {
    return new Set((await vscode.workspace.fs.readDirectory(folder)).map(([name]) => name));
  } catch {
    return new Set();
  }
}

/**
 * The Node.js that a Jupyter kernelspec should name. In VS Code desktop process.execPath is the
 * editor's Electron binary, which Jupyter cannot run as Node, so a real node is needed there.
 */
function nodeForKernelspec(): { path?: string; problem?: string } {
  const configured = vscode.workspace.getConfiguration("glassbox").get<string>("nodePath")?.trim();
  if (configured) return { path: configured };
  if (!process.versions.electron) return { path: process.execPath };
  const names = process.platform === "win32" ? ["node.exe"] : ["node"];
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of names) {
      const candidate = join(dir, name);
      if (dir && existsSync(candidate)) return { path: candidate };
    }
  }
  return {
    problem: vscode.l10n.t(
      "Jupyter needs Node.js 20 or later to run the Glassbox kernel, and none was found on PATH. Install Node.js, or set the setting glassbox.nodePath to its path, then run Glassbox: Install Jupyter Kernel again.",
    ),
  };
}

async function installKernel(context: vscode.ExtensionContext, log: vscode.OutputChannel): Promise<void> {
  const { path: nodePath, problem } = nodeForKernelspec();
  if (!nodePath) {
    const openSettings = vscode.l10n.t("Open Settings");
    const choice = await vscode.window.showErrorMessage(vscode.l10n.t("Glassbox could not install the Jupyter kernel: {0}", problem ?? ""), openSettings);
    if (choice) void vscode.commands.executeCommand("workbench.action.openSettings", "glassbox.nodePath");
    return;
  }
  const cli = join(context.extensionPath, "dist", "cli.js");
  log.appendLine(`[glassbox] Installing the Jupyter kernelspec: ${nodePath} ${cli} install --user`);
  const result = await new Promise<{ ok: boolean; output: string }>((resolve) => {
    execFile(nodePath, [cli, "install", "--user"], { env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ ok: !error, output: `${stdout}${stderr}${error && !stderr ? error.message : ""}`.trim() });
    });
  });
  log.appendLine(result.output);
  if (result.ok) {
    const where = /\/[^\s'"]*kernels\/[^\s'"]+/.exec(result.output)?.[0];
    void vscode.window.showInformationMessage(
      where
        ? vscode.l10n.t('Glassbox kernel installed for Jupyter in {0}. JupyterLab and the Jupyter extension list it as "Glassbox (TypeScript)". It runs from this extension\'s folder with {1}: install it again after updating the extension.', where, nodePath)
        : vscode.l10n.t('Glassbox kernel installed for Jupyter. JupyterLab and the Jupyter extension list it as "Glassbox (TypeScript)". It runs from this extension\'s folder with {0}: install it again after updating the extension.', nodePath),
    );
  } else {
    const choice = await vscode.window.showErrorMessage(
      vscode.l10n.t(
        "Glassbox could not install the Jupyter kernel: {0}. Check that {1} is Node.js 20 or later (setting glassbox.nodePath); the log has the full output.",
        result.output.split("\n")[0] || vscode.l10n.t("unknown error"),
        nodePath,
      ),
      vscode.l10n.t("Show Kernel Log"),
    );
    if (choice) log.show(true);
  }
}
