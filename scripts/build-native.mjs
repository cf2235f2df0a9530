// `npm run build:native`: builds the native TensorFlow.js backend (native/) with node-gyp when Debian's
// libtorch-dev (ATen headers and libtorch_cpu) is installed; otherwise says so and exits 0, since the
// backend is optional and everything runs without it.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const HEADERS = ["/usr/include/ATen/ATen.h", "/usr/include/torch/library.h"];
const LIBRARY_DIRS = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"];

const missingHeader = HEADERS.find((h) => !existsSync(h));
const hasLibrary = LIBRARY_DIRS.some((dir) => existsSync(join(dir, "libtorch_cpu.so")));
if (missingHeader !== undefined || !hasLibrary) {
  const what = missingHeader !== undefined ? missingHeader : "libtorch_cpu.so";
  console.log(`build:native skipped: ${what} not found. The native backend needs Debian's libtorch-dev ` +
    "(apt-get install libtorch-dev); without it Glassbox uses the wasm and cpu backends.");
  process.exit(0);
}

// npm start and npm test run this every time: skip the (minutes-long) compile when the addon is newer
// than everything it is built from. --force rebuilds anyway.
const native = join(root, "native");
const addon = join(native, "build", "Release", "glassbox_native.node");
const inputs = [join(native, "binding.gyp"), ...readdirSync(join(native, "src")).map((f) => join(native, "src", f))];
const upToDate = existsSync(addon) && inputs.every((f) => statSync(f).mtimeMs <= statSync(addon).mtimeMs);
if (upToDate && !process.argv.includes("--force")) {
  console.log("build:native: native/build/Release/glassbox_native.node is up to date");
  process.exit(0);
}

const nodeGyp = createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js");
// Two parallel compiles at most: ATen's headers are heavy and the machine is shared.
const jobs = process.env.GLASSBOX_NATIVE_JOBS ?? "2";
// Build against this Node's own headers when it ships them (Debian's nodejs does), as npm's nodedir
// setting does; otherwise node-gyp would try to download them.
const prefix = dirname(dirname(process.execPath));
const localHeaders = !process.env.npm_config_nodedir && existsSync(join(prefix, "include", "node", "node_api.h"));
const args = [nodeGyp, "rebuild", "--jobs", jobs, ...(localHeaders ? [`--nodedir=${prefix}`] : [])];
const result = spawnSync(process.execPath, args, { cwd: native, stdio: "inherit" });
if (result.status !== 0) {
  console.error("build:native failed: node-gyp could not build native/ (see the compiler output above). " +
    "Check that libtorch-dev matches the installed libtorch (dpkg -l libtorch-dev) and that g++ and make are installed.");
  process.exit(result.status ?? 1);
}
console.log("build:native: built native/build/Release/glassbox_native.node");
