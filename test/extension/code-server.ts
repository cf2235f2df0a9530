/**
 * Runs the packaged extension in a real VS Code (code-server, installed by scripts/code-server.mjs)
 * and drives it with headless Chromium. Used by e2e.test.ts.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root } from "./helpers";

export interface CodeServerPaths {
  node: string;
  nodeHome: string;
  codeServer: string;
}

/** Installs code-server if needed (scripts/code-server.mjs) and returns where it is. */
export function ensureCodeServer(): CodeServerPaths {
  const result = spawnSync(process.execPath, [join(root, "scripts", "code-server.mjs")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 1_200_000 });
  if (result.status !== 0) throw new Error(`Could not install code-server (scripts/code-server.mjs exited ${result.status ?? result.signal}); see its output above.`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as CodeServerPaths;
}

/** Builds the production bundles and the .vsix into `dir` (what `npm run package` does); returns its path. */
export function buildVsix(dir: string): string {
  const vsix = join(dir, "glassbox.vsix");
  execFileSync(process.execPath, [join(root, "extension", "package.mjs"), "--out", vsix], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  return vsix;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface RunningCodeServer {
  url: string;
  process: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

export interface Sandbox {
  dir: string;
  userData: string;
  extensions: string;
  workspace: string;
  env: NodeJS.ProcessEnv;
}

/** Temp folders for one run: nothing touches the user's own VS Code or code-server settings. */
export function makeSandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "glassbox-e2e-"));
  const sandbox: Sandbox = {
    dir,
    userData: join(dir, "user-data"),
    extensions: join(dir, "extensions"),
    workspace: join(dir, "workspace"),
    env: {
      ...process.env,
      XDG_CONFIG_HOME: join(dir, "xdg-config"),
      XDG_DATA_HOME: join(dir, "xdg-data"),
      XDG_CACHE_HOME: join(dir, "xdg-cache"),
      // The kernel's history and Jupyter files land in the sandbox too.
      HOME: join(dir, "home"),
    },
  };
  for (const d of [sandbox.userData, sandbox.extensions, sandbox.workspace, join(dir, "home"), join(sandbox.userData, "User")]) mkdirSync(d, { recursive: true });
  writeFileSync(
    join(sandbox.userData, "User", "settings.json"),
    JSON.stringify(
      {
        "telemetry.telemetryLevel": "off",
        "security.workspace.trust.enabled": false,
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": false,
        "workbench.welcomePage.walkthroughs.openOnInstall": false,
        "extensions.autoCheckUpdates": false,
        "extensions.autoUpdate": false,
        "update.mode": "none",
        "notebook.output.scrolling": false,
        "files.hotExit": "off",
        "chat.disableAIFeatures": true,
        "workbench.secondarySideBar.defaultVisibility": "hidden",
      },
      null,
      2,
    ),
  );
  return sandbox;
}

export function installExtension(paths: CodeServerPaths, sandbox: Sandbox, vsix: string): string {
  return execFileSync(paths.node, [paths.codeServer, "--user-data-dir", sandbox.userData, "--extensions-dir", sandbox.extensions, "--install-extension", vsix, "--force"], {
    env: sandbox.env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export async function startCodeServer(paths: CodeServerPaths, sandbox: Sandbox): Promise<RunningCodeServer> {
  const port = await freePort();
  const child = spawn(
    paths.node,
    [
      paths.codeServer,
      "--auth",
      "none",
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--user-data-dir",
      sandbox.userData,
      "--extensions-dir",
      sandbox.extensions,
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      "--ignore-last-opened",
      sandbox.workspace,
    ],
    { env: sandbox.env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let log = "";
  const collect = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-100_000));
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited (code ${child.exitCode}) before serving:\n${log}`);
    try {
      const res = await fetch(`${url}healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`code-server did not answer on ${url} within 60 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    process: child,
    log: () => log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once("exit", () => r()));
      // The whole group: code-server, its extension host and the kernel it started.
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        child.kill("SIGTERM");
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          child.kill("SIGKILL");
        }
      }, 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}

export function removeSandbox(sandbox: Sandbox): void {
  rmSync(sandbox.dir, { recursive: true, force: true });
}
