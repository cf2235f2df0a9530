/**
 * Magics: lines at the top of a cell that start with `%` or `!`. They run before the cell's code.
 *   %time <code>      run one line of code and print how long it took; %%time times the whole cell
 *   %backend [name]   show the tensor backend and why faster ones were skipped, or switch to <name>
 *   %memory           tensors and bytes alive, and the change since the previous cell
 *   %install <pkg…>   npm install packages next to the notebook
 *   %typecheck [on|report|off]   on: type errors stop the cell (default); report: show them and run anyway
 *   %vars             the notebook's variables: kind, shape, dtype, bytes and device of tensors… (registered by the kernel)
 *   !<command>        run a shell command in the notebook's folder
 * And `name?` alone in a cell shows name's signature and documentation in the pager.
 */
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { currentLanguage, t } from "../i18n";

export interface MagicHost {
  cwd(): string;
  write(name: "stdout" | "stderr", text: string): void;
  backendReport(): string;
  waitForBackend(): Promise<void>;
  switchBackend(name: string): Promise<string>;
  memoryReport(): string;
  setTypecheck(mode: "on" | "report" | "off"): void;
  typecheckMode(): "on" | "report" | "off";
}

export interface ParsedCell {
  /** Magic lines in order (without the leading % or !, with their kind). */
  magics: { kind: "line" | "shell"; name: string; args: string }[];
  /** The code to compile, with magic lines blanked so that line numbers stay the user's. */
  code: string;
  /** %%time on the first line. */
  timeCell: boolean;
}

export class MagicError extends Error {}

/** Magics other parts of the kernel add (e.g. %vars), by name. */
const registered = new Map<string, (args: string, host: MagicHost) => void | Promise<void>>();

export function registerMagic(name: string, run: (args: string, host: MagicHost) => void | Promise<void>): void {
  registered.set(name, run);
}

export function parseMagics(source: string): ParsedCell {
  const lines = source.split("\n");
  const magics: ParsedCell["magics"] = [];
  let timeCell = false;
  let i = 0;
  if (/^%%time\s*$/.test(lines[0] ?? "")) {
    timeCell = true;
    lines[0] = "";
    i = 1;
  }
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*$/.test(line)) continue;
    const shell = /^!(.*)$/.exec(line);
    const magic = /^%(\w+)\s*(.*)$/.exec(line);
    if (shell) magics.push({ kind: "shell", name: "!", args: shell[1] });
    else if (magic && magic[1] !== "time") magics.push({ kind: "line", name: magic[1], args: magic[2].trim() });
    else if (magic) {
      // %time <code>: the rest of the line is code, timed.
      magics.push({ kind: "line", name: "time", args: "" });
      lines[i] = magic[2];
      break;
    } else break;
    lines[i] = "";
  }
  return { magics, code: lines.join("\n"), timeCell: timeCell || magics.some((m) => m.name === "time") };
}

function runShell(command: string, host: MagicHost, args?: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = args
      ? spawn(command, args, { cwd: host.cwd(), stdio: ["ignore", "pipe", "pipe"] })
      : spawn(command, { shell: true, cwd: host.cwd(), stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (d: Buffer) => host.write("stdout", d.toString()));
    child.stderr.on("data", (d: Buffer) => host.write("stderr", d.toString()));
    child.on("error", (e) => host.write("stderr", `${e.message}\n`));
    child.on("close", (code) => resolve(code ?? 1));
  });
}

export async function runMagic(magic: ParsedCell["magics"][number], host: MagicHost): Promise<void> {
  if (magic.kind === "shell") {
    const code = await runShell(magic.args, host);
    if (code !== 0) host.write("stderr", `${t("magic.exitCode", { code })}\n`);
    return;
  }
  switch (magic.name) {
    case "time":
      return;
    case "backend":
      await host.waitForBackend();
      host.write("stdout", (magic.args ? await host.switchBackend(magic.args) : host.backendReport()) + "\n");
      return;
    case "memory":
      host.write("stdout", host.memoryReport() + "\n");
      return;
    case "install": {
      if (!magic.args) throw new MagicError(t("magic.installNeedsNames"));
      // Into the notebook's folder only: without a package.json there, npm would walk up and edit a parent project.
      const manifest = join(host.cwd(), "package.json");
      if (!existsSync(manifest)) {
        writeFileSync(manifest, JSON.stringify({ name: basename(host.cwd()).toLowerCase().replace(/[^a-z0-9._-]/g, "-") || "notebook", private: true }, null, 2) + "\n");
        host.write("stdout", `${t("magic.createdManifest", { path: manifest })}\n`);
      }
      const packages = magic.args.split(/\s+/).filter(Boolean);
      const code = await runShell(process.platform === "win32" ? "npm.cmd" : "npm", host, ["install", "--no-audit", "--no-fund", "--prefix", host.cwd(), ...packages]);
      if (code !== 0) throw new MagicError(t("magic.installFailed", { code }));
      return;
    }
    case "typecheck": {
      const mode = magic.args || "";
      if (mode === "on" || mode === "report" || mode === "off") host.setTypecheck(mode);
      else if (mode) throw new MagicError(t("magic.typecheckArgument", { mode }));
      host.write("stdout", `${t("typecheck.mode", { mode: host.typecheckMode() })}\n`);
      return;
    }
    default: {
      const run = registered.get(magic.name);
      if (run) return run(magic.args, host);
      const list = ["%time", "%%time", "%backend", "%memory", "%install", "%typecheck", ...[...registered.keys()].map((n) => `%${n}`), "!command"];
      throw new MagicError(t("magic.unknown", { name: magic.name, list: new Intl.ListFormat(currentLanguage(), { style: "narrow", type: "unit" }).format(list) }));
    }
  }
}
