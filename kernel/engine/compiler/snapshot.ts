// The compiler's start-up snapshot: a V8 heap in which the compiler process has already parsed and
// bound the libraries (lib, TensorFlow.js, Node's types), so that a kernel's first typed cell is
// checked in a fraction of a second instead of after parsing ~850 declaration files.
//
// Built by `glassbox install` and the setup script (`node --build-snapshot` on the compiler bundle),
// kept beside the kernel's packages, and used only by the Node.js that built it, for the bundle and
// libraries it was built from (the manifest records them). Anything else starts the bundle itself.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { setPriority } from "node:os";
import { join } from "node:path";

export interface CompilerSnapshot {
  blob: string;
  manifest: string;
}

/** What a snapshot was built from: it is used only while all of it is unchanged. */
interface Manifest {
  node: string;
  arch: string;
  execPath: string;
  /** Content hashes of the inputs (null: missing). */
  inputs: Record<string, string | null>;
  /** Set when building failed for these inputs (e.g. a Node.js without --build-snapshot): not tried again. */
  failed?: string;
}

/**
 * The environment of the compiler process and of its snapshot's build: the kernel's, without
 * NODE_OPTIONS. V8 loads a snapshot only under the V8 flags it was built with, and the compiler
 * needs none of the notebook's.
 */
export function compilerEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

/** The compiler bundle, beside the other bundles. */
export function compilerBundle(kernelRoot: string): string {
  return join(kernelRoot, "dist", "compiler.process.js");
}

export function compilerSnapshot(kernelRoot: string): CompilerSnapshot {
  const dir = join(kernelRoot, "node_modules", ".cache", "glassbox");
  const name = `compiler-${process.version}-${process.arch}`;
  return { blob: join(dir, `${name}.blob`), manifest: join(dir, `${name}.json`) };
}

/** The files whose change makes a snapshot stale: the bundle, the kernel's globals and the installed packages. */
function inputFiles(kernelRoot: string): string[] {
  return [compilerBundle(kernelRoot), join(kernelRoot, "kernel", "engine", "globals.d.ts"), join(kernelRoot, "kernel", "node-api", "tf.d.ts"), join(kernelRoot, "node_modules", ".package-lock.json")];
}

/**
 * A file's content, as a hash; null when it is missing. Contents count, not times: a rebuild of the
 * same bundle (esbuild writes it again, byte for byte) keeps the snapshot.
 */
function contentHash(file: string): string | null {
  try {
    return createHash("sha1").update(readFileSync(file)).digest("hex");
  } catch {
    return null;
  }
}

function expectedManifest(kernelRoot: string): Manifest {
  const inputs: Manifest["inputs"] = {};
  for (const file of inputFiles(kernelRoot)) inputs[file] = contentHash(file);
  return { node: process.version, arch: process.arch, execPath: process.execPath, inputs };
}

/**
 * The snapshot to start the compiler from, or why there is none usable; `buildable` when building
 * one may help (none yet, or out of date), not when building already failed for these inputs.
 */
export function usableSnapshot(kernelRoot: string): { blob: string } | { reason: string; buildable: boolean } {
  const { blob, manifest } = compilerSnapshot(kernelRoot);
  if (!existsSync(manifest)) return { reason: "no compiler snapshot has been built for this Node.js yet (`glassbox snapshot` builds it)", buildable: true };
  let found: Manifest;
  try {
    found = JSON.parse(readFileSync(manifest, "utf8")) as Manifest;
  } catch {
    return { reason: "the compiler snapshot's manifest is unreadable (`glassbox snapshot` rebuilds it)", buildable: true };
  }
  const { failed, ...built } = found;
  if (JSON.stringify(built) !== JSON.stringify(expectedManifest(kernelRoot))) return { reason: "the compiler snapshot is out of date (`glassbox snapshot` rebuilds it)", buildable: true };
  if (failed) return { reason: `this Node.js could not build a compiler snapshot (${failed.split("\n")[0]})`, buildable: false };
  if (!existsSync(blob)) return { reason: "the compiler snapshot is missing (`glassbox snapshot` rebuilds it)", buildable: true };
  return { blob };
}

/**
 * Builds the snapshot with this Node.js (a few seconds: the compiler parses every library once).
 * Returns the blob's path; undefined when another build of it is under way; throws with Node's own
 * output when the build failed.
 */
export function buildCompilerSnapshot(kernelRoot: string): string | undefined {
  const { blob, manifest } = compilerSnapshot(kernelRoot);
  mkdirSync(join(blob, ".."), { recursive: true });
  const lock = `${blob}.lock`;
  // One build at a time per install; a lock left by a build that died long ago does not block.
  if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 5 * 60_000) rmSync(lock, { force: true });
  try {
    closeSync(openSync(lock, "wx"));
  } catch {
    return undefined;
  }
  try {
    const partial = `${blob}.${process.pid}.partial`;
    const expected = expectedManifest(kernelRoot);
    const env = compilerEnvironment();
    const result = spawnSync(process.execPath, ["--snapshot-blob", partial, "--build-snapshot", compilerBundle(kernelRoot)], {
      cwd: kernelRoot,
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (result.status !== 0 || !existsSync(partial)) {
      rmSync(partial, { force: true });
      const output = (result.error?.message ?? (result.stderr || result.stdout || "")).trim().slice(-2000);
      // Remembered, so that kernels do not try again for the same inputs (see usableSnapshot).
      writeFileSync(manifest, JSON.stringify({ ...expected, failed: `exit ${result.status ?? result.signal}: ${output}` }));
      throw new Error(`building the compiler snapshot failed (exit ${result.status ?? result.signal}):\n${output}`);
    }
    renameSync(partial, blob);
    writeFileSync(manifest, JSON.stringify(expected));
    return blob;
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * A kernel that started without a usable snapshot builds one for the next start: later, at the
 * lowest priority (`glassbox snapshot --quiet`), never keeping the kernel alive.
 */
export function buildCompilerSnapshotLater(cliFile: string, delayMs = 20_000): void {
  const timer = setTimeout(() => {
    const child = spawn(process.execPath, [cliFile, "snapshot", "--quiet"], { env: compilerEnvironment(), stdio: "ignore" });
    child.on("error", () => undefined);
    child.unref();
    try {
      if (child.pid) setPriority(child.pid, 19);
    } catch {
      // Only politeness.
    }
  }, delayMs);
  timer.unref();
}
