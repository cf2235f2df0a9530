// `npm run build:native`: builds the native TensorFlow.js backend (native/) with node-gyp against the
// libtorch that scripts/libtorch.mjs finds (GLASSBOX_LIBTORCH, a Python torch, Debian's
// libtorch-dev), and says which one it linked. Without any, it says why and exits 0, since the
// backend is optional and everything runs without it; an explicit GLASSBOX_LIBTORCH that cannot be
// used is an error.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { findLibtorch } from "./libtorch.mjs";

const root = new URL("..", import.meta.url).pathname;
const native = join(root, "native");
const addon = join(native, "build", "Release", "glassbox_native.node");
// What the last build linked: a different libtorch means a rebuild.
const stamp = join(native, "build", "libtorch.json");

const { found: torch, tried } = findLibtorch();
for (const why of tried) console.log(`build:native: not using ${why}`);
if (torch === undefined) {
  if (process.env.GLASSBOX_LIBTORCH) {
    console.error("build:native failed: GLASSBOX_LIBTORCH does not name a usable libtorch (see above). " +
      "Point it at an unzipped libtorch (with include/ and lib/) or at a Python torch package folder.");
    process.exit(1);
  }
  console.log("build:native skipped: no libtorch found. The native backend needs Debian's libtorch-dev " +
    "(apt-get install libtorch-dev), a Python torch, or GLASSBOX_LIBTORCH; without it Glassbox uses the wasm and cpu backends.");
  process.exit(0);
}
const linked = `${torch.source}: libtorch ${torch.version} in ${torch.libDir}, C++11 ABI ${torch.abi}, ` +
  (torch.cuda ? "with CUDA (libtorch_cuda, c10_cuda linked)" : "CPU only");
console.log(`build:native: linking ${linked}`);

// npm start and npm test run this every time: skip the (minutes-long) compile when the addon is newer
// than everything it is built from and was built against the same libtorch. --force rebuilds anyway.
const config = JSON.stringify(torch);
const inputs = [join(native, "binding.gyp"), ...readdirSync(join(native, "src")).map((f) => join(native, "src", f))];
const upToDate = existsSync(addon) && inputs.every((f) => statSync(f).mtimeMs <= statSync(addon).mtimeMs) &&
  // Addons built before the stamp existed were built on Debian's libtorch-dev.
  (existsSync(stamp) ? readFileSync(stamp, "utf8") === config : torch.source.startsWith("Debian"));
if (upToDate && !process.argv.includes("--force")) {
  console.log("build:native: native/build/Release/glassbox_native.node is up to date");
  process.exit(0);
}

const defines = ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", `_GLIBCXX_USE_CXX11_ABI=${torch.abi}`, ...(torch.cuda ? ["GLASSBOX_TORCH_CUDA=1"] : [])];
const libs = ["-Wl,--no-as-needed", ...torch.libs.map((l) => `-l${l}`)];
const linkDirs = [`-L${torch.libDir}`, `-Wl,-rpath,${torch.libDir}`];
const require = createRequire(import.meta.url);
const resolves = (name) => {
  try {
    return require.resolve(name);
  } catch {
    return undefined;
  }
};
// GLASSBOX_NATIVE_DIRECT=1 skips node-gyp even where it is installed.
const nodeGyp = process.env.GLASSBOX_NATIVE_DIRECT ? undefined : resolves("node-gyp/bin/node-gyp.js");
const ok = nodeGyp !== undefined ? buildWithNodeGyp(nodeGyp) : buildDirectly();
if (!ok) {
  console.error(`build:native failed: could not build native/ against ${linked} (see the compiler output above). ` +
    "Check that g++ and make are installed, that the headers match the library (for Debian: dpkg -l libtorch-dev), " +
    "or choose another libtorch with GLASSBOX_LIBTORCH.");
  process.exit(1);
}

function buildWithNodeGyp(nodeGyp) {
  // Two parallel compiles at most: ATen's headers are heavy and the machine is shared.
  const jobs = process.env.GLASSBOX_NATIVE_JOBS ?? "2";
  // Build against this Node's own headers when it ships them (Debian's nodejs and the official
  // builds do), as npm's nodedir setting does; otherwise node-gyp would try to download them.
  const prefix = dirname(dirname(process.execPath));
  const localHeaders = !process.env.npm_config_nodedir && existsSync(join(prefix, "include", "node", "node_api.h"));
  const args = [nodeGyp, "rebuild", "--jobs", jobs, ...(localHeaders ? [`--nodedir=${prefix}`] : [])];
  const env = {
    ...process.env,
    // binding.gyp runs `node -p` to read these: the Node running this script must be on PATH.
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
    GLASSBOX_TORCH_INCLUDES: torch.includes.join(" "),
    GLASSBOX_TORCH_DEFINES: defines.slice(2).join(" "),
    GLASSBOX_TORCH_LDFLAGS: linkDirs.join(" "),
    GLASSBOX_TORCH_LIBS: libs.join(" "),
  };
  return spawnSync(process.execPath, args, { cwd: native, stdio: "inherit", env }).status === 0;
}

/**
 * Without node-gyp (a machine with only Node's binary and its N-API headers, as bench/gpu-check.sh
 * brings): the same compile and link as binding.gyp, one compiler process per source in parallel.
 */
function buildDirectly() {
  const nodeInclude = join(dirname(dirname(process.execPath)), "include", "node");
  const napiInclude = resolves("node-addon-api") !== undefined ? require("node-addon-api").include_dir : process.env.GLASSBOX_NAPI_INCLUDE;
  if (!existsSync(join(nodeInclude, "node_api.h")) || napiInclude === undefined || !existsSync(join(napiInclude, "napi.h"))) {
    console.error(`build:native: node-gyp is not installed, and a direct build needs Node's N-API headers (${nodeInclude}) ` +
      "and node-addon-api's (GLASSBOX_NAPI_INCLUDE)");
    return false;
  }
  const cxx = process.env.CXX ?? "c++";
  console.log(`build:native: node-gyp is not installed; compiling with ${cxx} directly`);
  const objDir = join(native, "build", "obj");
  rmSync(join(native, "build"), { recursive: true, force: true });
  mkdirSync(objDir, { recursive: true });
  mkdirSync(dirname(addon), { recursive: true });
  const flags = ["-std=c++17", "-O3", "-fPIC", "-fexceptions", "-frtti", "-fno-math-errno", "-Wno-unused-parameter", "-w",
    ...defines.map((d) => `-D${d}`), `-I${napiInclude}`, `-I${nodeInclude}`, ...torch.includes.map((i) => `-I${i}`)];
  const sources = readdirSync(join(native, "src")).filter((f) => f.endsWith(".cc"));
  const jobs = Number(process.env.GLASSBOX_NATIVE_JOBS ?? String(Math.max(1, Math.min(sources.length, availableParallelism()))));
  // A small make: `jobs` compiles at a time, in the background of one shell.
  const script = [`set -e`, ...sources.map((src, i) => {
    const cmd = [cxx, ...flags, "-c", join(native, "src", src), "-o", join(objDir, `${src}.o`)].map(quote).join(" ");
    return `echo "  CXX ${src}"; ${cmd} & ${(i + 1) % jobs === 0 ? "wait" : ""}`;
  }), "wait"].join("\n");
  // `wait` with no job ids loses failures, so check every object afterwards.
  spawnSync("sh", ["-c", script], { stdio: "inherit" });
  const missing = sources.filter((src) => !existsSync(join(objDir, `${src}.o`)));
  if (missing.length > 0) {
    console.error(`build:native: ${missing.join(", ")} did not compile`);
    return false;
  }
  const link = [cxx, "-shared", "-o", addon, ...sources.map((src) => join(objDir, `${src}.o`)), ...linkDirs, ...libs];
  return spawnSync(link[0], link.slice(1), { stdio: "inherit" }).status === 0;
}

function quote(s) {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}

mkdirSync(dirname(stamp), { recursive: true });
writeFileSync(stamp, config);
console.log(`build:native: built native/build/Release/glassbox_native.node against ${linked}`);
