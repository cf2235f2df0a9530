/**
 * Glassbox for VS Code: runs .ipynb notebooks on the Glassbox TypeScript kernel, shows the kernel's
 * state and tensor backend in the status bar, and ships the tutorials.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import * as vscode from "vscode";
import { GlassboxController } from "./controller";
import type { KernelState, KernelSummary } from "./kernel-session";
import { sampleFiles, TUTORIALS_FOLDER, tutorialTitle, uniqueName } from "./tutorials";
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
    const label = state === "not-started" ? "not started" : state;
    status.text = `${icon} Glassbox: ${label}${summary.backend ? ` · ${summary.backend}` : ""}`;
    status.tooltip = new vscode.MarkdownString(
      [
        `**Glassbox kernel**: ${label}`,
        summary.backend ? `Tensor backend: \`${summary.backend}\`` : "Tensor backend: shown once the kernel has started",
        summary.banner ? `\n\n${summary.banner.replace(/[\\`*_{}[\]<>]/g, (c) => `\\${c}`)}` : "",
        "\n\nClick to show the kernel log.",
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
        void vscode.window.showWarningMessage("Glassbox: open a notebook first; Restart Kernel restarts the kernel of the notebook in front.");
        return;
      }
      if (!controller!.isGlassbox(notebook)) {
        void vscode.window.showWarningMessage(`Glassbox: this notebook does not use the Glassbox kernel. Pick "Glassbox (TypeScript)" with Select Kernel first.`);
        return;
      }
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: "Glassbox: restarting the kernel…" }, () =>
        controller!.restart(notebook).catch(() => undefined),
      );
    }),
    vscode.commands.registerCommand("glassbox.openTutorial", () => openTutorial(context)),
    vscode.commands.registerCommand("glassbox.installKernel", () => installKernel(context, log)),
  );
  refresh();
  return { controller };
}

export function deactivate(): void {
  controller?.dispose();
  controller = undefined;
}

async function openTutorial(context: vscode.ExtensionContext): Promise<void> {
  const dir = join(context.extensionPath, "notebooks");
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort() : [];
  if (!files.length) {
    void vscode.window.showErrorMessage(`Glassbox: no tutorials found in ${dir}. Reinstall the extension to get them back.`);
    return;
  }
  const picks = files.map((file) => ({ label: tutorialTitle(readFileSync(join(dir, file), "utf8"), file), description: file, file }));
  const pick = await vscode.window.showQuickPick(picks, { title: "Glassbox: Open Tutorial", placeHolder: "Pick a tutorial to copy into your workspace", matchOnDescription: true });
  if (!pick) return;
  let base = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!base) {
    const chosen = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      defaultUri: vscode.Uri.file(homedir()),
      openLabel: "Copy the tutorial here",
      title: "Glassbox: where should the tutorial go?",
    });
    if (!chosen?.[0]) return;
    base = chosen[0];
  }
  // The layout mirrors the repository (tutorials/ next to samples/), so a tutorial's relative data
  // paths such as ../samples/digits.csv work in the copy too.
  const tutorials = vscode.Uri.joinPath(base, TUTORIALS_FOLDER);
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
    problem:
      "Jupyter needs Node.js 20 or later to run the Glassbox kernel, and none was found on PATH. Install Node.js, or set the setting glassbox.nodePath to its path, then run Glassbox: Install Jupyter Kernel again.",
  };
}

async function installKernel(context: vscode.ExtensionContext, log: vscode.OutputChannel): Promise<void> {
  const { path: nodePath, problem } = nodeForKernelspec();
  if (!nodePath) {
    const choice = await vscode.window.showErrorMessage(`Glassbox could not install the Jupyter kernel: ${problem}`, "Open Settings");
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
      `Glassbox kernel installed for Jupyter${where ? ` in ${where}` : ""}. JupyterLab and the Jupyter extension list it as "Glassbox (TypeScript)". It runs from this extension's folder with ${nodePath}: install it again after updating the extension.`,
    );
  } else {
    const choice = await vscode.window.showErrorMessage(
      `Glassbox could not install the Jupyter kernel: ${result.output.split("\n")[0] || "unknown error"}. Check that ${nodePath} is Node.js 20 or later (setting glassbox.nodePath); the log has the full output.`,
      "Show Kernel Log",
    );
    if (choice) log.show(true);
  }
}
