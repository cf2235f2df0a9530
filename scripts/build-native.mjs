// `npm run build:native`: builds the native TensorFlow.js backend (native/) with node-gyp against the
// libtorch that scripts/libtorch.mjs finds (GLASSBOX_LIBTORCH, a Python torch, Debian's
// libtorch-dev), and says which one it linked. Without any, it says why and exits 0, since the
// backend is optional and everything runs without it; an explicit GLASSBOX_LIBTORCH that cannot be
// used is an error.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
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

const nodeGyp = createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js");
// Two parallel compiles at most: ATen's headers are heavy and the machine is shared.
const jobs = process.env.GLASSBOX_NATIVE_JOBS ?? "2";
// Build against this Node's own headers when it ships them (Debian's nodejs and the official builds
// do), as npm's nodedir setting does; otherwise node-gyp would try to download them.
const prefix = dirname(dirname(process.execPath));
const localHeaders = !process.env.npm_config_nodedir && existsSync(join(prefix, "include", "node", "node_api.h"));
const args = [nodeGyp, "rebuild", "--jobs", jobs, ...(localHeaders ? [`--nodedir=${prefix}`] : [])];
const env = {
  ...process.env,
  // binding.gyp runs `node -p` to read these: the Node running this script must be on PATH.
  PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
  GLASSBOX_TORCH_INCLUDES: torch.includes.join(" "),
  GLASSBOX_TORCH_DEFINES: [`_GLIBCXX_USE_CXX11_ABI=${torch.abi}`, ...(torch.cuda ? ["GLASSBOX_TORCH_CUDA=1"] : [])].join(" "),
  GLASSBOX_TORCH_LDFLAGS: `-L${torch.libDir} -Wl,-rpath,${torch.libDir}`,
  GLASSBOX_TORCH_LIBS: ["-Wl,--no-as-needed", ...torch.libs.map((l) => `-l${l}`)].join(" "),
};
const result = spawnSync(process.execPath, args, { cwd: native, stdio: "inherit", env });
if (result.status !== 0) {
  console.error(`build:native failed: node-gyp could not build native/ against ${linked} (see the compiler output above). ` +
    "Check that g++ and make are installed, that the headers match the library (for Debian: dpkg -l libtorch-dev), " +
    "or choose another libtorch with GLASSBOX_LIBTORCH.");
  process.exit(result.status ?? 1);
}
mkdirSync(dirname(stamp), { recursive: true });
writeFileSync(stamp, config);
console.log(`build:native: built native/build/Release/glassbox_native.node against ${linked}`);
