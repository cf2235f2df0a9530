// Finds the libtorch that `npm run build:native` links against, in this order:
//   1. GLASSBOX_LIBTORCH: an unzipped libtorch, or a Python torch package folder (…/site-packages/torch);
//   2. the `torch` package of a Python 3 (/usr/bin/python3, then python3 on PATH);
//   3. Debian's libtorch-dev (/usr/include, /usr/lib/<triplet>).
// For the one found it reports the include folders, the folder holding the libraries themselves
// (the rpath points there: nothing is copied), the C++ ABI the library was built with, whether it
// has CUDA, and its version; for those not usable, why.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";

const DEBIAN_LIB_DIRS = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"];
// The headers the addon includes, relative to an include folder.
const HEADERS = ["ATen/ATen.h", "torch/csrc/autograd/autograd.h"];

/**
 * @typedef {object} Libtorch
 * @property {string} source       what was found, in words
 * @property {string[]} includes   include folders
 * @property {string} libDir       the real folder of libtorch_cpu.so (rpath and -L)
 * @property {string[]} libs       libraries to link, CUDA ones included when present
 * @property {boolean} cuda        the libtorch has CUDA (libtorch_cuda.so)
 * @property {0|1} abi             _GLIBCXX_USE_CXX11_ABI of the library
 * @property {string} version      libtorch's version, as its headers or Python package say
 */

/** A libtorch laid out as a folder with include/ and lib/ (an unzipped libtorch, a Python torch). */
function fromFolder(folder, source, known = {}) {
  const include = join(folder, "include");
  const api = join(include, "torch", "csrc", "api", "include");
  const missing = HEADERS.find((h) => !existsSync(join(include, h)));
  if (missing !== undefined) return { why: `${source}: ${join(include, missing)} is missing (a torch without its C++ headers)` };
  const cpu = join(folder, "lib", "libtorch_cpu.so");
  if (!existsSync(cpu)) return { why: `${source}: ${cpu} is missing` };
  return describe(realpathSync(cpu), [include, ...(existsSync(api) ? [api] : [])], source, known);
}

/** Fills in the libraries next to libtorch_cpu.so, the ABI and the version. */
function describe(cpuLibrary, includes, source, known) {
  const libDir = dirname(cpuLibrary);
  const has = (name) => existsSync(join(libDir, name));
  const cuda = has("libtorch_cuda.so") && has("libc10_cuda.so");
  // libtorch.so ties the parts together in pip wheels and Debian alike; the CUDA parts are named
  // too, since nothing in the addon references them and the linker would otherwise drop them.
  const libs = ["torch_cpu", "c10", ...(has("libtorch.so") ? ["torch"] : []), ...(cuda ? ["torch_cuda", "c10_cuda"] : [])];
  const abi = known.abi ?? abiOf(join(libDir, has("libc10.so") ? "libc10.so" : "libtorch_cpu.so"));
  const version = known.version ?? versionOf(includes);
  return { found: { source, includes, libDir, libs, cuda, abi, version } };
}

/** Built with the C++11 ABI when its exported names use std::__cxx11 (std::string does). */
function abiOf(library) {
  try {
    return readFileSync(realpathSync(library)).includes("St7__cxx11") ? 1 : 0;
  } catch {
    return 1;
  }
}

function versionOf(includes) {
  for (const dir of includes) {
    for (const file of [join(dir, "torch", "csrc", "api", "include", "torch", "version.h"), join(dir, "torch", "version.h")]) {
      if (!existsSync(file)) continue;
      const text = readFileSync(file, "utf8");
      const part = (name) => text.match(new RegExp(`#define TORCH_VERSION_${name}\\s+(\\d+)`))?.[1];
      if (part("MAJOR") !== undefined) return `${part("MAJOR")}.${part("MINOR")}.${part("PATCH")}`;
    }
  }
  return "unknown";
}

const PROBE = [
  "import json, os, torch",
  "print(json.dumps({'folder': os.path.dirname(torch.__file__), 'version': torch.__version__,",
  " 'abi': int(torch._C._GLIBCXX_USE_CXX11_ABI), 'cuda': torch.version.cuda}))",
].join("\n");

function fromPython(python) {
  const run = spawnSync(python, ["-c", PROBE], { encoding: "utf8", timeout: 60_000 });
  if (run.error !== undefined) return { why: `${python}: not found` };
  if (run.status !== 0) return { why: `${python}: no importable torch (${(run.stderr ?? "").trim().split("\n").pop()})` };
  const info = JSON.parse(run.stdout.trim().split("\n").pop());
  const cudaNote = info.cuda ? `, CUDA ${info.cuda}` : "";
  const result = fromFolder(info.folder, `Python torch ${info.version}${cudaNote} of ${python} (${info.folder})`, { abi: info.abi, version: info.version });
  if (result.found !== undefined && result.found.cuda) result.found.includes.push(...cudaIncludes(dirname(info.folder)));
  return result;
}

/** CUDA's headers (ATen's CUDA headers include cuda_runtime_api.h): the nvidia-* wheels next to a
 * pip torch, else a CUDA toolkit. */
function cudaIncludes(sitePackages) {
  const nvidia = join(sitePackages, "nvidia");
  const wheels = existsSync(nvidia) ? readdirSync(nvidia).map((d) => join(nvidia, d, "include")).filter((d) => existsSync(d)) : [];
  const toolkit = [process.env.CUDA_HOME, "/usr/local/cuda"].filter(Boolean).map((d) => join(d, "include")).filter((d) => existsSync(join(d, "cuda_runtime_api.h")));
  return [...wheels, ...toolkit];
}

function fromDebian() {
  const missing = HEADERS.map((h) => join("/usr/include", h)).find((h) => !existsSync(h));
  if (missing !== undefined) return { why: `Debian's libtorch-dev: ${missing} is missing (apt-get install libtorch-dev)` };
  const libDir = DEBIAN_LIB_DIRS.find((dir) => existsSync(join(dir, "libtorch_cpu.so")));
  if (libDir === undefined) return { why: "Debian's libtorch-dev: libtorch_cpu.so is missing (apt-get install libtorch-dev)" };
  const includes = ["/usr/include", "/usr/include/torch/csrc/api/include"].filter((d) => existsSync(d));
  return describe(realpathSync(join(libDir, "libtorch_cpu.so")), includes, `Debian's libtorch-dev (${libDir})`, {});
}

function pythonsOnPath() {
  const which = spawnSync("sh", ["-c", "command -v python3"], { encoding: "utf8" });
  const found = which.status === 0 ? which.stdout.trim() : "";
  return found === "" ? [] : [found];
}

/** @returns {{ found?: Libtorch, tried: string[] }} the libtorch to link, and why each earlier one was not used */
export function findLibtorch(env = process.env) {
  const tried = [];
  const attempt = (result) => {
    if (result.found !== undefined) return result.found;
    tried.push(result.why);
    return undefined;
  };
  if (env.GLASSBOX_LIBTORCH) {
    const folder = env.GLASSBOX_LIBTORCH;
    // A Python torch folder has the same include/ and lib/ layout; its __init__.py tells them apart.
    const kind = existsSync(join(folder, "__init__.py")) ? "Python torch folder" : "libtorch";
    const found = attempt(fromFolder(folder, `GLASSBOX_LIBTORCH=${folder} (${kind})`));
    // An explicit choice that does not work is an error, not a reason to pick another.
    return { found, tried };
  }
  const pythons = [...new Set(["/usr/bin/python3", ...pythonsOnPath()].filter((p) => existsSync(p)))];
  for (const python of pythons) {
    const found = attempt(fromPython(python));
    if (found !== undefined) return { found, tried };
  }
  return { found: attempt(fromDebian()), tried };
}
