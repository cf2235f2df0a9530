/**
 * The VS Code side of running a notebook: a NotebookController per notebook type, one
 * KernelSession per open notebook, and the adapter that writes session outputs into cells.
 * The logic (queue, interrupt, restart, output mapping) lives in kernel-session.ts.
 */
import { dirname, join } from "node:path";
import * as vscode from "vscode";
import { launchKernel, type LaunchOptions } from "../kernel/protocol/client";
import { KernelSession, KernelStartError, type CellOutput, type ExecutionStatus, type KernelState, type KernelSummary, type OutputWriter } from "./kernel-session";
import { toOutputData } from "./output-items";

export const CONTROLLER_LABEL = "Glassbox (TypeScript)";
export const JS_CONTROLLER_LABEL = "Glassbox (JavaScript)";
/** The notebook types the controller serves: the Jupyter one (built-in ipynb support or the Jupyter extension). */
export const NOTEBOOK_TYPES = ["jupyter-notebook"];

/** How a cell's run ended, as the run saw it (the editor's copy of the cell catches up later). */
export interface CellOutcome {
  status: ExecutionStatus;
  error?: { ename: string; evalue: string };
}

export function controllerId(notebookType: string, language: "typescript" | "javascript" = "typescript"): string {
  return language === "javascript" ? `glassbox-js-${notebookType}` : `glassbox-${notebookType}`;
}

function toNative(output: CellOutput): vscode.NotebookCellOutput {
  const data = toOutputData(output);
  return new vscode.NotebookCellOutput(
    data.items.map((i) => new vscode.NotebookCellOutputItem(i.data, i.mime)),
    data.metadata,
  );
}

/**
 * Writes one cell's outputs. While the cell runs it uses the cell's execution; afterwards (a
 * display updated by a later cell, late async output) it opens a short execution of its own,
 * keeping the cell's run summary.
 */
class CellWriter implements OutputWriter {
  private execution?: vscode.NotebookCellExecution;
  private readonly native = new Map<string, vscode.NotebookCellOutput>();
  /** The error the current run showed, if any. */
  lastError?: { ename: string; evalue: string };

  constructor(
    private readonly cell: vscode.NotebookCell,
    private readonly controller: () => vscode.NotebookController,
  ) {}

  attach(execution: vscode.NotebookCellExecution): void {
    this.execution = execution;
    this.native.clear();
    this.lastError = undefined;
    void execution.clearOutput();
  }

  detach(execution: vscode.NotebookCellExecution): void {
    if (this.execution === execution) this.execution = undefined;
  }

  private withExecution(fn: (execution: vscode.NotebookCellExecution) => void): void {
    if (this.execution) {
      fn(this.execution);
      return;
    }
    if (this.cell.index < 0) return; // the cell was deleted
    let temp: vscode.NotebookCellExecution;
    try {
      temp = this.controller().createNotebookCellExecution(this.cell);
    } catch {
      return; // the cell is queued or running elsewhere; its next run replaces the outputs anyway
    }
    const summary = this.cell.executionSummary;
    temp.executionOrder = summary?.executionOrder;
    temp.start(summary?.timing?.startTime);
    fn(temp);
    temp.end(summary?.success, summary?.timing?.endTime);
  }

  append(output: CellOutput): void {
    if (output.type === "error") this.lastError = { ename: output.ename, evalue: output.evalue };
    const native = toNative(output);
    this.native.set(output.id, native);
    this.withExecution((e) => void e.appendOutput(native));
  }

  replace(output: CellOutput): void {
    const native = this.native.get(output.id);
    if (!native) return;
    const items = toNative(output).items;
    // replaceOutputItems keeps the output (and its renderer's DOM), so plots update in place.
    this.withExecution((e) => void e.replaceOutputItems(items, native));
  }

  clear(): void {
    this.native.clear();
    this.withExecution((e) => void e.clearOutput());
  }
}

export interface SessionEvents {
  onState(notebook: vscode.NotebookDocument, state: KernelState, summary: KernelSummary): void;
  /** After every cell run (e.g. to refresh the Variables view). */
  onCellDone?(notebook: vscode.NotebookDocument): void;
}

/** How long a notebook's kernel outlives the deselection of its controller (see onDidChangeSelectedNotebooks). */
const SWITCH_GRACE_MS = 2000;

export class GlassboxController implements vscode.Disposable {
  private readonly controllers: vscode.NotebookController[] = [];
  private readonly sessions = new Map<string, KernelSession>();
  private readonly writers = new WeakMap<vscode.NotebookCell, CellWriter>();
  private readonly selected = new Map<string, vscode.NotebookController>();
  /** Notebooks written for Glassbox: VS Code suggests this controller for them before anyone picks it. */
  private readonly preferred = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Start errors already shown (one error object is shared by all cells of a run). */
  private readonly reported = new WeakSet<object>();
  /** The JavaScript controllers: their kernels never block a cell on types. */
  private readonly javascript = new WeakSet<vscode.NotebookController>();
  /** Whether each notebook's kernel was last launched for JavaScript (the language it runs cells in). */
  private readonly launchedJavaScript = new Map<string, boolean>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.OutputChannel,
    private readonly events: SessionEvents,
  ) {
    for (const [type, language] of NOTEBOOK_TYPES.flatMap((t) => [[t, "typescript"], [t, "javascript"]] as const)) {
      const label = language === "javascript" ? JS_CONTROLLER_LABEL : CONTROLLER_LABEL;
      const controller = vscode.notebooks.createNotebookController(controllerId(type, language), type, label, (cells, notebook, c) => this.execute(cells, notebook, c));
      if (language === "javascript") this.javascript.add(controller);
      controller.supportedLanguages = ["typescript", "javascript"];
      controller.supportsExecutionOrder = true;
      controller.description = vscode.l10n.t("TensorFlow.js kernel");
      controller.detail = vscode.l10n.t("Runs TypeScript and JavaScript cells with TensorFlow.js, no Python needed");
      controller.interruptHandler = (notebook) => this.sessions.get(notebook.uri.toString())?.interrupt();
      this.disposables.push(
        controller,
        controller.onDidChangeSelectedNotebooks(({ notebook, selected }) => {
          const key = notebook.uri.toString();
          if (selected) {
            this.selected.set(key, controller);
            // The other language's kernel cannot run this controller's cells: it goes at once.
            const launched = this.launchedJavaScript.get(key);
            if (launched !== undefined && launched !== this.javascript.has(controller)) void this.disposeSession(notebook);
            this.events.onState(notebook, this.sessions.get(key)?.state ?? "not-started", this.sessions.get(key)?.summary ?? {});
          } else if (this.selected.get(key) === controller) {
            this.selected.delete(key);
            this.preferred.delete(key);
            // VS Code can deselect a controller and select it again within one switch (the kernel
            // picker settling): the kernel, and the cell running in it, stay unless no Glassbox
            // controller holds the notebook a moment later.
            setTimeout(() => {
              if (!this.selected.has(key)) void this.disposeSession(notebook);
            }, SWITCH_GRACE_MS);
          }
        }),
      );
      this.controllers.push(controller);
    }
    this.disposables.push(
      vscode.workspace.onDidCloseNotebookDocument((notebook) => {
        this.preferred.delete(notebook.uri.toString());
        void this.disposeSession(notebook);
      }),
      vscode.workspace.onDidOpenNotebookDocument((notebook) => this.updateAffinity(notebook)),
    );
    for (const notebook of vscode.workspace.notebookDocuments) this.updateAffinity(notebook);
  }

  /** Notebooks written for Glassbox (kernelspec "glassbox" or TypeScript) prefer this controller. */
  private updateAffinity(notebook: vscode.NotebookDocument): void {
    type Meta = { kernelspec?: { name?: string }; language_info?: { name?: string } };
    // The built-in ipynb serializer nests the notebook's metadata under `metadata`; the Jupyter extension does not.
    const meta = notebook.metadata as Meta & { metadata?: Meta };
    const inner: Meta = meta.metadata ?? meta;
    const name = inner.kernelspec?.name ?? "";
    const language = inner.language_info?.name ?? "";
    if (/glassbox/i.test(name) || /typescript/i.test(language)) {
      this.preferred.add(notebook.uri.toString());
      // glassbox-js notebooks prefer the JavaScript controller; the rest, the TypeScript one.
      const js = /glassbox-js/i.test(name) || /^javascript$/i.test(language);
      for (const c of this.controllers) {
        if (c.notebookType === notebook.notebookType && this.javascript.has(c) === js) c.updateNotebookAffinity(notebook, vscode.NotebookControllerAffinity.Preferred);
      }
    }
  }

  isGlassbox(notebook: vscode.NotebookDocument): boolean {
    const key = notebook.uri.toString();
    return this.selected.has(key) || this.preferred.has(key);
  }

  /** Runs `cells` in their notebook's Glassbox kernel, as the Run button does; resolves with each cell's outcome. */
  async run(notebook: vscode.NotebookDocument, cells: vscode.NotebookCell[]): Promise<Map<vscode.NotebookCell, CellOutcome>> {
    const controller = this.selected.get(notebook.uri.toString()) ?? this.controllers.find((c) => c.notebookType === notebook.notebookType);
    if (!controller) throw new Error(`Glassbox does not run ${notebook.notebookType} notebooks.`);
    const outcomes = new Map<vscode.NotebookCell, CellOutcome>();
    await this.execute(cells, notebook, controller, outcomes);
    return outcomes;
  }

  private isJavaScript(notebook: vscode.NotebookDocument): boolean {
    const controller = this.selected.get(notebook.uri.toString());
    return controller !== undefined && this.javascript.has(controller);
  }

  session(notebook: vscode.NotebookDocument): KernelSession | undefined {
    return this.sessions.get(notebook.uri.toString());
  }

  launchOptions(notebook: vscode.NotebookDocument): LaunchOptions {
    const configured = vscode.workspace.getConfiguration("glassbox").get<string>("nodePath")?.trim();
    const folder = vscode.workspace.getWorkspaceFolder(notebook.uri)?.uri.fsPath;
    return {
      executable: configured || process.execPath,
      cli: join(this.context.extensionPath, "dist", "cli.js"),
      cwd: notebook.uri.scheme === "file" ? dirname(notebook.uri.fsPath) : folder,
      args: this.isJavaScript(notebook) ? ["--language", "javascript"] : undefined,
      // In VS Code desktop process.execPath is Electron: this makes it behave as plain Node.js.
      // The kernel speaks VS Code's display language (its messages, and TypeScript's diagnostics).
      env: { ...process.env, ELECTRON_RUN_AS_NODE: "1", GLASSBOX_LANG: vscode.env.language },
    };
  }

  private sessionFor(notebook: vscode.NotebookDocument): KernelSession {
    const key = notebook.uri.toString();
    let session = this.sessions.get(key);
    if (!session) {
      const name = notebook.uri.path.split("/").pop();
      const created: KernelSession = new KernelSession({
        launch: launchKernel,
        launchOptions: () => {
          const options = this.launchOptions(notebook);
          this.launchedJavaScript.set(key, this.isJavaScript(notebook));
          return options;
        },
        onLog: (text) => this.log.append(text),
        onInput: (prompt, password) =>
          Promise.resolve(vscode.window.showInputBox({ prompt: prompt || vscode.l10n.t("Input requested by the notebook"), password, ignoreFocusOut: true, title: name })),
        onState: (state) => this.events.onState(notebook, state, created.summary),
      });
      session = created;
      this.log.appendLine(`[glassbox] Kernel session for ${name}`);
      this.sessions.set(key, session);
    }
    return session;
  }

  private writerFor(cell: vscode.NotebookCell): CellWriter {
    let writer = this.writers.get(cell);
    if (!writer) {
      const notebookType = cell.notebook.notebookType;
      writer = new CellWriter(cell, () => this.selected.get(cell.notebook.uri.toString()) ?? this.controllers.find((c) => c.notebookType === notebookType)!);
      this.writers.set(cell, writer);
    }
    return writer;
  }

  private async execute(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument, controller: vscode.NotebookController, outcomes?: Map<vscode.NotebookCell, CellOutcome>): Promise<void> {
    const session = this.sessionFor(notebook);
    const runs = cells.map(async (cell) => {
      const execution = controller.createNotebookCellExecution(cell);
      const writer = this.writerFor(cell);
      let started = false;
      const run = session.execute(cell.document.getText(), writer, () => {
        started = true;
        execution.start(Date.now());
        writer.attach(execution);
      });
      const cancel = execution.token.onCancellationRequested(() => run.cancel());
      try {
        const result = await run;
        if (result.executionCount !== null) execution.executionOrder = result.executionCount;
        outcomes?.set(cell, { status: result.status, error: writer.lastError });
        execution.end(started ? result.status === "ok" : undefined, started ? Date.now() : undefined);
      } catch (e) {
        // One start error fails the whole run; only the first cell shows it (the rest just stop).
        const first = typeof e !== "object" || e === null || !this.reported.has(e);
        if (!started) execution.start(Date.now());
        if (first) {
          const message = e instanceof Error ? e.message : String(e);
          await execution.replaceOutput(toNative({ id: "start-error", type: "error", ename: "KernelStartError", evalue: message, traceback: [] }));
        }
        execution.end(first ? false : undefined, Date.now());
        outcomes?.set(cell, { status: "error", error: { ename: "KernelStartError", evalue: e instanceof Error ? e.message : String(e) } });
        this.reportStartError(e);
      } finally {
        cancel.dispose();
        writer.detach(execution);
        this.events.onCellDone?.(notebook);
      }
    });
    await Promise.all(runs);
  }

  private reportStartError(e: unknown): void {
    if (typeof e !== "object" || e === null || this.reported.has(e)) return;
    this.reported.add(e);
    const err = e instanceof KernelStartError ? e : undefined;
    this.log.appendLine(`[glassbox] ${e instanceof Error ? e.message : String(e)}`);
    const reason = err ? err.reason.replace(/[.\s]*$/, ".") : "";
    const text = err ? vscode.l10n.t("Glassbox could not start its kernel: {0} {1}", reason, err.hint) : `Glassbox: ${String(e)}`;
    const showLog = vscode.l10n.t("Show Kernel Log");
    const restart = vscode.l10n.t("Restart Kernel");
    void vscode.window.showErrorMessage(text, showLog, restart).then((choice) => {
      if (choice === showLog) this.log.show(true);
      if (choice === restart) void vscode.commands.executeCommand("glassbox.restartKernel");
    });
  }

  /** Restarts the kernel of a notebook (starting one if none runs). */
  async restart(notebook: vscode.NotebookDocument): Promise<KernelSummary> {
    const session = this.sessionFor(notebook);
    this.log.appendLine("[glassbox] Restarting the kernel…");
    try {
      return await session.restart();
    } catch (e) {
      this.reportStartError(e);
      throw e;
    }
  }

  private async disposeSession(notebook: vscode.NotebookDocument): Promise<void> {
    const key = notebook.uri.toString();
    this.launchedJavaScript.delete(key);
    const session = this.sessions.get(key);
    if (!session) return;
    this.sessions.delete(key);
    await session.dispose();
    this.events.onState(notebook, "stopped", {});
  }

  dispose(): void {
    for (const session of this.sessions.values()) void session.dispose();
    this.sessions.clear();
    for (const d of this.disposables) d.dispose();
  }

  /** Makes this controller the notebook's kernel (used after opening a tutorial). */
  async select(editor: vscode.NotebookEditor): Promise<void> {
    await vscode.commands.executeCommand("notebook.selectKernel", {
      notebookEditor: editor,
      id: controllerId(editor.notebook.notebookType),
      extension: this.context.extension.id,
    });
  }
}
