/// <reference types="mocha" />
/**
 * Runs inside VS Code's extension host (`npm run test:vscode`, which downloads VS Code): the
 * extension activates, runs the fixture notebook with the Glassbox controller, and restarts.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";

const EXTENSION_ID = "glassbox.glassbox";

function textOf(cell: vscode.NotebookCell): string {
  const decoder = new TextDecoder();
  return cell.outputs.flatMap((o) => o.items.map((i) => decoder.decode(i.data))).join("\n");
}

async function until(check: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function openFixture(): Promise<vscode.NotebookEditor> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, "the test workspace is test/extension/fixtures");
  const notebook = await vscode.workspace.openNotebookDocument(vscode.Uri.joinPath(folder.uri, "glassbox-e2e.ipynb"));
  const editor = await vscode.window.showNotebookDocument(notebook);
  await vscode.commands.executeCommand("notebook.selectKernel", { notebookEditor: editor, id: "glassbox-jupyter-notebook", extension: EXTENSION_ID });
  return editor;
}

describe("Glassbox extension", () => {
  it("activates and registers its commands", async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is installed`);
    await extension.activate();
    const commands = await vscode.commands.getCommands(true);
    for (const id of ["glassbox.openTutorial", "glassbox.installKernel", "glassbox.restartKernel", "glassbox.showKernelLog"]) {
      assert.ok(commands.includes(id), `${id} is registered`);
    }
  });

  it("runs every cell of a notebook in order with the Glassbox controller", async () => {
    const editor = await openFixture();
    const cells = editor.notebook.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
    await vscode.commands.executeCommand("notebook.execute", editor.notebook.uri);
    await until(() => cells.every((c) => c.executionSummary?.success !== undefined), "all cells to finish");
    for (const cell of cells) assert.equal(cell.executionSummary?.success, true, `cell ${cell.index} succeeded:\n${textOf(cell)}`);
    const orders = cells.map((c) => c.executionSummary?.executionOrder ?? 0);
    assert.deepEqual([...orders].sort((a, b) => a - b), orders, "execution order follows cell order");
    assert.match(textOf(cells[cells.length - 1]), /final loss/);
  });

  it("restarts the kernel: earlier state is gone", async () => {
    const editor = await openFixture();
    await vscode.commands.executeCommand("glassbox.restartKernel");
    const edit = new vscode.WorkspaceEdit();
    edit.set(editor.notebook.uri, [vscode.NotebookEdit.insertCells(editor.notebook.cellCount, [new vscode.NotebookCellData(vscode.NotebookCellKind.Code, "typeof model", "typescript")])]);
    await vscode.workspace.applyEdit(edit);
    const cell = editor.notebook.cellAt(editor.notebook.cellCount - 1);
    await vscode.commands.executeCommand("notebook.cell.execute", { ranges: [{ start: cell.index, end: cell.index + 1 }], document: editor.notebook.uri });
    await until(() => cell.executionSummary?.success !== undefined, "the new cell to finish");
    assert.match(textOf(cell), /undefined/);
    await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
  });
});
