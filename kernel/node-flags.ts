/** Node flags the kernel process needs: internals, to repair async context after an interrupt
 * (see Output.resumeTracking). Used by the kernelspec and by every launcher. */
export const KERNEL_NODE_FLAGS = ["--expose-internals"];
