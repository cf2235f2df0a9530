/**
 * VS Code's theme, read from the CSS variables the notebook webview defines (`--vscode-*`), and a
 * single MutationObserver that tells views when it changes (body class / style / theme-kind
 * attributes, and the root element's style where VS Code writes the variables), so charts switch
 * live with the editor. DOM parts should style themselves with var(--vscode-…) directly (see
 * styles.ts); this module is for things that need concrete colours, like Plotly layouts.
 */

export type ThemeKind = "light" | "dark" | "high-contrast" | "high-contrast-light";

export interface Theme {
  kind: ThemeKind;
  /** Dark background (dark or high-contrast dark). */
  dark: boolean;
  highContrast: boolean;
  foreground: string;
  muted: string;
  background: string;
  border: string;
  grid: string;
  accent: string;
  error: string;
  warning: string;
  fontFamily: string;
  monoFontFamily: string;
  fontSize: number;
  /** Series colours from VS Code's chart palette (--vscode-charts-*). */
  palette: string[];
}

function themeKind(): ThemeKind {
  const body = document.body;
  const attr = body.dataset.vscodeThemeKind ?? "";
  const cls = body.classList;
  if (attr === "vscode-high-contrast-light" || cls.contains("vscode-high-contrast-light")) return "high-contrast-light";
  if (attr === "vscode-high-contrast" || cls.contains("vscode-high-contrast")) return "high-contrast";
  if (attr === "vscode-dark" || cls.contains("vscode-dark")) return "dark";
  if (attr === "vscode-light" || cls.contains("vscode-light")) return "light";
  // Outside VS Code (tests, other hosts): follow the OS preference.
  return typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

/** Fallbacks match VS Code's default Light+/Dark+/High Contrast colours. */
const FALLBACK: Record<ThemeKind, { fg: string; bg: string; border: string; accent: string; palette: string[] }> = {
  light: { fg: "#3b3b3b", bg: "#ffffff", border: "#e5e5e5", accent: "#005fb8", palette: ["#1a85ff", "#d18616", "#388a34", "#e51400", "#652d90", "#bf8803"] },
  dark: { fg: "#cccccc", bg: "#1f1f1f", border: "#3c3c3c", accent: "#3794ff", palette: ["#3794ff", "#d18616", "#89d185", "#f14c4c", "#b180d7", "#cca700"] },
  "high-contrast": { fg: "#ffffff", bg: "#000000", border: "#6fc3df", accent: "#f38518", palette: ["#3794ff", "#d18616", "#89d185", "#f48771", "#b180d7", "#ffd700"] },
  "high-contrast-light": { fg: "#292929", bg: "#ffffff", border: "#0f4a85", accent: "#0f4a85", palette: ["#0f4a85", "#b5200d", "#374e06", "#8b0000", "#5c2d91", "#895503"] },
};

export function readTheme(): Theme {
  const kind = themeKind();
  const fb = FALLBACK[kind];
  const style = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const foreground = v("--vscode-editor-foreground", v("--vscode-foreground", fb.fg));
  const palette = ["blue", "orange", "green", "red", "purple", "yellow"].map((c, i) => v(`--vscode-charts-${c}`, fb.palette[i]));
  const highContrast = kind.startsWith("high-contrast");
  const dark = kind === "dark" || kind === "high-contrast";
  return {
    kind, dark, highContrast, foreground, palette,
    muted: v("--vscode-descriptionForeground", dark ? "#9d9d9d" : "#717171"),
    background: v("--vscode-notebook-outputContainerBackgroundColor", v("--vscode-editor-background", fb.bg)),
    border: v("--vscode-contrastBorder", v("--vscode-panel-border", v("--vscode-widget-border", fb.border))),
    grid: highContrast ? v("--vscode-contrastBorder", fb.border) : dark ? "rgba(255,255,255,0.12)" : "rgba(0,0,0,0.10)",
    accent: v("--vscode-focusBorder", fb.accent),
    error: v("--vscode-errorForeground", dark ? "#f48771" : "#a1260d"),
    warning: v("--vscode-editorWarning-foreground", dark ? "#cca700" : "#bf8803"),
    fontFamily: v("--vscode-font-family", "system-ui, sans-serif"),
    monoFontFamily: v("--vscode-editor-font-family", "monospace"),
    fontSize: parseFloat(v("--notebook-cell-output-font-size", v("--vscode-font-size", "13"))) || 13,
  };
}

type Listener = (theme: Theme) => void;
const listeners = new Set<Listener>();
let observer: MutationObserver | undefined;
let lastKey = "";

function notify(): void {
  const theme = readTheme();
  const key = JSON.stringify(theme);
  if (key === lastKey) return; // attribute writes that change nothing visible
  lastKey = key;
  for (const listener of [...listeners]) listener(theme);
}

/** Calls `listener` on every theme change until the returned function is called. */
export function onThemeChange(listener: Listener): () => void {
  listeners.add(listener);
  if (!observer) {
    lastKey = JSON.stringify(readTheme());
    observer = new MutationObserver(notify);
    const attributeFilter = ["class", "style", "data-vscode-theme-kind", "data-vscode-theme-id"];
    observer.observe(document.body, { attributes: true, attributeFilter });
    observer.observe(document.documentElement, { attributes: true, attributeFilter });
  }
  return () => {
    listeners.delete(listener);
    if (!listeners.size) { observer?.disconnect(); observer = undefined; }
  };
}
