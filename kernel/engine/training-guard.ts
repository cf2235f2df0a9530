/**
 * Keeps models trainable across interrupts. An interrupted cell sets `stopTraining`, so a fit that
 * is between batches ends at the next one (tfjs then runs onTrainEnd and resets its flags itself).
 * A fit stopped inside a batch (JavaScript terminated, see kernel/protocol/cell-stopper.ts) never
 * reaches its own `finally`: its model stays "training" and tfjs's scope stack keeps the dead
 * batch's scopes. After such a termination this module closes those scopes, resets the model's
 * flags and runs the callbacks' onTrainEnd, so the next fit trains on from the current weights.
 */
import type * as tfjs from "@tensorflow/tfjs";
import { FIT_FAILED, FIT_INTERRUPTED, ON_FIT_INTERRUPT } from "../display/fit";
import { patchMethod } from "./tfjs-patches";

const GUARDED = Symbol.for("glassbox.fit.guarded");

interface Hooks {
  /** Registers a stop function for the running cell; returns its release. */
  onInterrupt(stop: () => void): () => void;
  /** Registers a function to run after JavaScript of a running cell was terminated. */
  onTerminated(fn: () => void): () => void;
}

interface TrainingModel {
  isTraining: boolean;
  stopTraining: boolean;
}

type Callback = { onTrainEnd?: (logs?: Record<string, unknown>) => unknown };

function callbacksOf(args: unknown): Callback[] {
  const callbacks = (args as { callbacks?: unknown } | undefined)?.callbacks;
  const list = Array.isArray(callbacks) ? callbacks : callbacks ? [callbacks] : [];
  return list.filter((c): c is Callback => !!c && typeof c === "object");
}

/** Ends the scopes (tf.tidy, gradient tapes, kernels) that terminated code left open. */
export function closeAbandonedScopes(tf: typeof tfjs): void {
  const engine = tf.engine() as unknown as {
    endScope(result?: unknown): void;
    state: { scopeStack: unknown[]; activeScope: unknown; gradientDepth: number; kernelDepth: number; activeTape: unknown };
  };
  const state = engine.state;
  while (state.scopeStack.length) {
    try {
      engine.endScope(); // disposes the dead batch's intermediate tensors, as tidy would have
    } catch {
      state.scopeStack.pop();
      state.activeScope = state.scopeStack[state.scopeStack.length - 1] ?? null;
    }
  }
  state.gradientDepth = 0;
  state.kernelDepth = 0;
  state.activeTape = null;
}

function runTrainEnd(fitArgs: unknown): void {
  for (const callback of callbacksOf(fitArgs)) {
    try {
      void Promise.resolve(callback.onTrainEnd?.({})).catch(() => undefined);
    } catch {
      // A user's callback failing here must not hide the interrupt or error itself.
    }
  }
}

export function guardTraining(tf: typeof tfjs, hooks: Hooks): void {
  const proto = tf.LayersModel.prototype as unknown as Record<"fit" | "fitDataset", (...args: unknown[]) => Promise<unknown>>;
  for (const method of ["fit", "fitDataset"] as const) {
    const argIndex = method === "fit" ? 2 : 1;
    patchMethod(proto, method, GUARDED, (original) => function (this: TrainingModel, ...args: unknown[]) {
      const fitArgs = (args[argIndex] ?? {}) as Record<symbol, unknown>;
      let settled = false;
      const releaseStop = hooks.onInterrupt(() => {
        fitArgs[FIT_INTERRUPTED] = true;
        this.stopTraining = true;
        (fitArgs[ON_FIT_INTERRUPT] as (() => void) | undefined)?.();
      });
      const releaseTerminated = hooks.onTerminated(() => {
        if (settled || !this.isTraining) return;
        // This fit's batch was on the terminated stack: nothing of tfjs will finish it.
        settled = true;
        fitArgs[FIT_INTERRUPTED] = true;
        this.isTraining = false;
        this.stopTraining = false;
        runTrainEnd(fitArgs);
      });
      let result: Promise<unknown>;
      try {
        result = original.apply(this, args);
      } catch (e) {
        result = Promise.reject(e);
      }
      return result
        .catch((error: unknown) => {
          // A failed fit skips tfjs's onTrainEnd; callbacks that hold resources (our live curve) need it.
          if (!settled) {
            fitArgs[FIT_FAILED] = true;
            runTrainEnd(fitArgs);
          }
          throw error;
        })
        .finally(() => {
          settled = true;
          releaseStop();
          releaseTerminated();
        });
    });
  }
}
