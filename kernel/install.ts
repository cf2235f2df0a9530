/**
 * `glassbox install`: writes a Jupyter kernelspec (kernel.json and logos) without needing Python,
 * with absolute paths to this node and this kernel so it works from any environment.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { homedir, platform } from "node:os";
import { join, resolve } from "node:path";
import { pngBase64 } from "./display/png";
import { KERNEL_NODE_FLAGS } from "./node-flags";
import type { CellLanguage } from "./protocol/engine-link";

export interface InstallOptions {
  scope: "user" | "sys-prefix" | "prefix";
  prefix?: string;
  name: string;
  displayName: string;
}

export function kernelsDir(options: InstallOptions): string {
  if (options.scope === "prefix") return join(resolve(options.prefix!), "share", "jupyter", "kernels");
  if (options.scope === "sys-prefix") {
    const env = process.env.VIRTUAL_ENV ?? process.env.CONDA_PREFIX;
    if (!env) throw new Error("--sys-prefix needs an active Python environment (VIRTUAL_ENV or CONDA_PREFIX). Use --user, or --prefix DIR.");
    return join(env, "share", "jupyter", "kernels");
  }
  if (process.env.JUPYTER_DATA_DIR) return join(process.env.JUPYTER_DATA_DIR, "kernels");
  if (platform() === "darwin") return join(homedir(), "Library", "Jupyter", "kernels");
  if (platform() === "win32") return join(process.env.APPDATA ?? homedir(), "jupyter", "kernels");
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), ".local", "share"), "jupyter", "kernels");
}

/** The Glassbox mark: a pane of glass with a lit cell, drawn at any size. */
function logo(size: number): string {
  const px = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = x / size;
      const v = y / size;
      const border = u < 0.1 || u > 0.9 || v < 0.1 || v > 0.9;
      const grid = Math.abs(u - 0.5) < 0.04 || Math.abs(v - 0.5) < 0.04;
      const lit = u > 0.55 && u < 0.85 && v > 0.15 && v < 0.45;
      const i = (y * size + x) * 4;
      const [r, g, b, a] = border ? [0, 0, 0, 0] : lit ? [255, 167, 38, 255] : grid ? [21, 101, 192, 255] : [144, 202, 249, 235];
      px.set([r, g, b, a], i);
    }
  }
  return pngBase64(px, size, size, 4);
}

/**
 * Installs the TypeScript kernelspec (`options.name`, "Glassbox (TypeScript)") and its JavaScript
 * twin (`<name>-js`, "Glassbox (JavaScript)": same engine, cells never blocked by types).
 * Returns the two folders.
 */
export function installKernelspecs(options: InstallOptions, cliFile: string): string[] {
  const jsDisplayName = options.displayName.includes("(TypeScript)") ? options.displayName.replace("(TypeScript)", "(JavaScript)") : `${options.displayName} (JavaScript)`;
  return [
    installKernelspec({ ...options }, cliFile, "typescript"),
    installKernelspec({ ...options, name: `${options.name}-js`, displayName: jsDisplayName }, cliFile, "javascript"),
  ];
}

function installKernelspec(options: InstallOptions, cliFile: string, language: CellLanguage): string {
  const dir = join(kernelsDir(options), options.name);
  mkdirSync(dir, { recursive: true });
  const spec = {
    argv: [process.execPath, ...KERNEL_NODE_FLAGS, cliFile, "kernel", ...(language === "javascript" ? ["--language", "javascript"] : []), "{connection_file}"],
    display_name: options.displayName,
    language,
    interrupt_mode: "message",
    metadata: { debugger: false },
  };
  writeFileSync(join(dir, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
  for (const size of [32, 64]) writeFileSync(join(dir, `logo-${size}x${size}.png`), Buffer.from(logo(size), "base64"));
  return dir;
}
