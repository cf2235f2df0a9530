/**
 * One stylesheet shared by all Glassbox renderers (all outputs of a notebook live in one
 * document), written with VS Code's CSS variables so DOM parts follow theme switches without
 * JavaScript. Class names are prefixed `gb-` to stay out of other renderers' way.
 */

const CSS = `
.gb-root { font-family: var(--vscode-font-family, system-ui, sans-serif); font-size: var(--notebook-cell-output-font-size, 13px);
  color: var(--vscode-editor-foreground, var(--vscode-foreground, inherit)); line-height: 1.4; padding: 4px 0; }
.gb-root * { box-sizing: border-box; }
.gb-row { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin: 2px 0 6px; }
.gb-title { font-weight: 600; }
.gb-chip { font-family: var(--vscode-editor-font-family, monospace); padding: 0 6px; border-radius: 3px;
  background: var(--vscode-badge-background, rgba(128,128,128,.2)); color: var(--vscode-badge-foreground, inherit); }
.gb-muted { color: var(--vscode-descriptionForeground, rgba(128,128,128,1)); }
.gb-stat { font-family: var(--vscode-editor-font-family, monospace); }
.gb-badge { padding: 0 6px; border-radius: 8px; font-weight: 600; border: 1px solid currentColor; }
.gb-badge-error { color: var(--vscode-errorForeground, #f14c4c); }
.gb-badge-warning { color: var(--vscode-editorWarning-foreground, #cca700); }
.gb-badge-ok { color: var(--vscode-testing-iconPassed, #388a34); }
.gb-note { color: var(--vscode-descriptionForeground, inherit); font-style: italic; margin: 2px 0 6px; }
.gb-render-error { color: var(--vscode-errorForeground, #f14c4c); border-left: 3px solid currentColor; padding: 4px 8px; margin: 4px 0; }
.gb-tabs { display: flex; gap: 2px; border-bottom: 1px solid var(--vscode-panel-border, rgba(128,128,128,.35)); margin: 6px 0; }
.gb-tab, .gb-button { font: inherit; color: inherit; background: transparent; border: 1px solid transparent; padding: 2px 10px; cursor: pointer; border-radius: 2px; }
.gb-tab[aria-selected="true"] { border-bottom: 2px solid var(--vscode-focusBorder, #007fd4); font-weight: 600; }
.gb-tab:focus-visible, .gb-button:focus-visible, .gb-root select:focus-visible, .gb-root input:focus-visible { outline: 1px solid var(--vscode-focusBorder, #007fd4); }
.gb-button { border-color: var(--vscode-button-border, var(--vscode-panel-border, rgba(128,128,128,.5))); }
.gb-button:disabled { opacity: .5; cursor: default; }
.gb-root select, .gb-root input[type=number] { font: inherit; color: var(--vscode-input-foreground, inherit);
  background: var(--vscode-input-background, transparent); border: 1px solid var(--vscode-input-border, rgba(128,128,128,.5)); }
.gb-root input[type=number] { width: 5em; }
.gb-table-wrap { overflow: auto; max-height: 420px; }
.gb-table { border-collapse: collapse; font-family: var(--vscode-editor-font-family, monospace); font-size: .95em; }
.gb-table th, .gb-table td { padding: 1px 8px; text-align: right; white-space: nowrap; border-bottom: 1px solid var(--vscode-panel-border, rgba(128,128,128,.2)); }
.gb-table th { color: var(--vscode-descriptionForeground, inherit); font-weight: normal; position: sticky; top: 0; background: var(--vscode-notebook-outputContainerBackgroundColor, var(--vscode-editor-background, Canvas)); }
.gb-nonfinite { color: var(--vscode-errorForeground, #f14c4c); font-weight: 600; }
.gb-grid { display: flex; flex-wrap: wrap; gap: 8px; }
.gb-tile { display: flex; flex-direction: column; align-items: center; gap: 2px; }
.gb-tile canvas { image-rendering: pixelated; border: 1px solid var(--vscode-panel-border, rgba(128,128,128,.35)); }
.gb-plot { width: 100%; min-width: 0; min-height: 240px; }
.gb-plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 8px; }
.gb-progress-track { height: 4px; background: rgba(128,128,128,.25); border-radius: 2px; overflow: hidden; margin: 2px 0 6px; }
.gb-progress-bar { height: 100%; background: var(--vscode-progressBar-background, #0e70c0); transition: width .2s linear; }
.gb-summary { font-family: var(--vscode-editor-font-family, monospace); white-space: pre-wrap; margin-top: 4px; }
.gb-pre { font-family: var(--vscode-editor-font-family, monospace); white-space: pre; overflow: auto; margin: 0; }
`;

export function ensureStyles(): void {
  if (document.getElementById("glassbox-renderer-styles")) return;
  const style = document.createElement("style");
  style.id = "glassbox-renderer-styles";
  style.textContent = CSS;
  document.head.appendChild(style);
}
