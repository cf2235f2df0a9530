/**
 * Chooses the fastest TensorFlow.js backend present, and remembers why each faster one was
 * skipped, so the banner and `%backend` can tell the user exactly what runs and why.
 */
import type * as tfjs from "@tensorflow/tfjs";
import { t } from "../i18n";
import { dirname } from "node:path";

export interface BackendCandidate {
  /** The name TensorFlow.js knows the backend by. */
  name: string;
  /** How users know it. */
  label: string;
  /** Registers the backend with tf; returns a sentence saying why it cannot, or null when it can. */
  load(tf: typeof tfjs): Promise<string | null>;
  /** A cheap guess that `load` will succeed (no loading), so the kernel can name its backend before a slow load ends. */
  likely: () => boolean;
  /** Lines about the running backend (device, library version, kernels that fell back), asked for each time it is described. */
  describe?: () => string[];
  /** A cheap guess that this backend will run on a GPU: such a backend is tried first. */
  gpu?: () => boolean;
}

export interface BackendChoice {
  name: string;
  label: string;
  skipped: { label: string; reason: string }[];
  describe?: () => string[];
}

/** Turns a failed require of an optional package into a reason a user can act on. */
export function loadFailure(pkg: string, error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === "MODULE_NOT_FOUND" && String(e.message).includes(pkg)) return `not installed (npm install ${pkg})`;
  const message = String(e?.message ?? error).split("\n")[0];
  if (/libcud|cuda|cudnn/i.test(message)) return `CUDA runtime not found (${message})`;
  if (/libtensorflow/i.test(message)) return `libtensorflow did not load (${message})`;
  return `failed to load (${message})`;
}

/**
 * The installed package's own folder. Not `require.resolve(pkg)`: the kernel's module world maps
 * every TensorFlow.js package name (tfjs-node included) to the kernel's own `tf`, which would make an
 * absent tfjs-node look installed and load the kernel's tf in its place.
 */
function packageDir(pkg: string): string {
  return dirname(require.resolve(`${pkg}/package.json`));
}

function optionalPackage(pkg: string): Pick<BackendCandidate, "load" | "likely"> {
  return {
    load: async () => {
      try {
        require(packageDir(pkg));
        return null;
      } catch (e) {
        return loadFailure(pkg, e);
      }
    },
    likely: () => {
      try {
        packageDir(pkg);
        return true;
      } catch {
        return false;
      }
    },
  };
}

export function defaultCandidates(extra: { native?: Pick<BackendCandidate, "load" | "likely" | "describe" | "gpu">; wasmTraining?: (tf: typeof tfjs) => void } = {}): BackendCandidate[] {
  const native: BackendCandidate[] = extra.native ? [{ name: "native", label: "native (libtorch)", ...extra.native }] : [];
  // On a GPU the native backend comes first; on the CPU it keeps its place after TensorFlow's.
  const nativeOnGpu = extra.native?.gpu?.() ?? false;
  return [
    ...(nativeOnGpu ? native : []),
    { name: "tensorflow", label: "tensorflow (CUDA)", ...optionalPackage("@tensorflow/tfjs-node-gpu") },
    { name: "tensorflow", label: "tensorflow (CPU)", ...optionalPackage("@tensorflow/tfjs-node") },
    ...(nativeOnGpu ? [] : native),
    {
      name: "wasm",
      label: "wasm",
      likely: () => true,
      load: async (tf) => {
        try {
          require("@tensorflow/tfjs-backend-wasm");
          extra.wasmTraining?.(tf);
          return null;
        } catch (e) {
          return loadFailure("@tensorflow/tfjs-backend-wasm", e);
        }
      },
    },
    { name: "cpu", label: "cpu (pure JavaScript)", likely: () => true, load: async () => null },
  ];
}

/** Tries candidates fastest first; `preferred` (GLASSBOX_BACKEND or %backend) goes first when given. */
export async function chooseBackend(tf: typeof tfjs, candidates: BackendCandidate[], preferred?: string, options: { fallBack?: boolean } = {}): Promise<BackendChoice> {
  const skipped: BackendChoice["skipped"] = [];
  const ordered = preferred ? [...candidates.filter((c) => c.name === preferred), ...candidates.filter((c) => c.name !== preferred)] : candidates;
  if (preferred && !candidates.some((c) => c.name === preferred)) {
    skipped.push({ label: preferred, reason: t("backend.unknown", { names: [...new Set(candidates.map((c) => c.name))].join(", ") }) });
  }
  for (const candidate of ordered) {
    const reason = await candidate.load(tf);
    if (reason) {
      skipped.push({ label: candidate.label, reason });
      continue;
    }
    try {
      if (await tf.setBackend(candidate.name)) {
        await tf.ready();
        // The cpu backend (and ours, built on it) greets Node users on first use; the banner already says what runs.
        const backend = tf.backend() as { firstUse?: boolean };
        if ("firstUse" in backend) backend.firstUse = false;
        return { name: candidate.name, label: candidate.label, skipped, describe: candidate.describe };
      }
      skipped.push({ label: candidate.label, reason: t("backend.initFailed") });
    } catch (e) {
      skipped.push({ label: candidate.label, reason: t("backend.initError", { error: (e as Error).message }) });
    }
  }
  // Nothing loaded: the backend in use (if any) stays, and the caller compares names to tell.
  if (options.fallBack === false) return { name: "", label: "", skipped };
  return { name: tf.getBackend(), label: tf.getBackend(), skipped };
}

/** The backend that will most likely win (same order as chooseBackend), named before a slow load has finished. */
export function plannedBackend(candidates: BackendCandidate[], preferred?: string): string | undefined {
  return (candidates.find((c) => c.name === preferred && c.likely()) ?? candidates.find((c) => c.likely()))?.label;
}

export function describeBackend(choice: BackendChoice): string {
  const lines = [t("backend.title", { label: choice.label }), ...(choice.describe?.() ?? [])];
  for (const s of choice.skipped) lines.push(t("backend.skipped", { label: s.label, reason: s.reason }));
  return lines.join("\n");
}
