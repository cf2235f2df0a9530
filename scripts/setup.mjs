// Installs what Glassbox needs on a fresh machine, once: npm packages, Debian packages (as root),
// the native backend (when libtorch is present) and the bundles. `npm start` and `npm test` call it.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

/** Debian packages: Jupyter's Python tools for the tests, Chromium for renderer and report tests,
 *  libtorch for the native backend, and what code-server's native modules build against. */
export const DEBIAN_PACKAGES = {
  start: ["libtorch-dev"],
  test: [
    "python3-jupyter-client",
    "python3-jupyter-kernel-test",
    "python3-nbclient",
    "python3-nbconvert",
    "python3-ipykernel",
    "python3-pytest",
    "chromium",
    // Chinese glyphs for the zh-CN renderer and report screenshots (small; Noto CJK is ~60 MB).
    "fonts-wqy-microhei",
    "libtorch-dev",
    "python3-torch",
    "libkrb5-dev",
    "libx11-dev",
    "libxkbfile-dev",
    "libsecret-1-dev",
    // The classroom test: Debian's JupyterHub, its proxy, and the single-user notebook server.
    "jupyterhub",
    "node-configurable-http-proxy",
    "python3-notebook",
  ],
};

function log(message) {
  process.stderr.write(`[setup] ${message}\n`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", cwd: root, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
}

function missingDebianPackages(packages) {
  return packages.filter((p) => {
    const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", p], { encoding: "utf8" });
    return !(r.stdout ?? "").includes("install ok installed");
  });
}

function newest(dir, test) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) t = Math.max(t, newest(path, test));
    else if (test(path)) t = Math.max(t, statSync(path).mtimeMs);
  }
  return t;
}

export function ensureSetup(purpose = "test") {
  const missing = missingDebianPackages(DEBIAN_PACKAGES[purpose] ?? []);
  if (missing.length) {
    if (process.getuid?.() === 0) {
      log(`installing Debian packages: ${missing.join(" ")}`);
      run("apt-get", ["update", "-qq"]);
      run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    } else {
      log(`not root, so not installing Debian packages (${missing.join(" ")}); tests that need them will say so`);
    }
  }
  const lock = join(root, "package-lock.json");
  const installed = join(root, "node_modules", ".package-lock.json");
  if (!existsSync(installed) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs + 1000)) {
    log("installing npm packages (npm ci)");
    run("npm", ["ci", "--no-audit", "--no-fund"]);
  }
  if (existsSync(join(root, "scripts", "build-native.mjs"))) run(process.execPath, [join(root, "scripts", "build-native.mjs")]);
  const sources = Math.max(
    newest(join(root, "kernel"), (p) => /\.(tsx?|json)$/.test(p)),
    newest(join(root, "extension"), (p) => /\.(tsx?|css|json)$/.test(p)),
    statSync(join(root, "esbuild.mjs")).mtimeMs,
    statSync(join(root, "package.json")).mtimeMs,
  );
  // The oldest bundle a command needs decides: the CLI (kernel, runner) and the report page.
  const bundles = ["cli.js", "report.page.js"].map((f) => join(root, "dist", f));
  const built = bundles.every((p) => existsSync(p)) ? Math.min(...bundles.map((p) => statSync(p).mtimeMs)) : 0;
  if (sources > built || process.env.CI) {
    log("building bundles");
    run(process.execPath, [join(root, "esbuild.mjs")]);
  }
  // The compiler's start-up snapshot for this Node.js (it says whether it was up to date). Without
  // one, kernels still work: their first typed cell waits for TypeScript to parse its libraries.
  const snapshot = spawnSync(process.execPath, [join(root, "dist", "cli.js"), "snapshot"], { stdio: "inherit" });
  if (snapshot.status !== 0) log("the compiler snapshot could not be built (see above); continuing without it");
}

if (import.meta.url === `file://${process.argv[1]}`) ensureSetup(process.argv[2] ?? "test");
