"""PyTorch's side of the small-op bench (bench/ops.ts): microseconds per eager call of the same ops on
the same shapes, as PyTorch users write them. Prints one line: BENCH {json}.

    ops-torch.py THREADS ROUNDS CALLS
"""
import json
import sys
import time

import torch


def main():
    threads, rounds, calls = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    a = torch.rand(128, 64)
    b = torch.rand(128, 64)
    w = torch.rand(64, 64)
    ops = {
        "add": lambda: a + b,
        "matMul": lambda: a @ w,
        "slice": lambda: a[16:112, 8:56],
        "concat": lambda: torch.cat([a, b], 0),
        "transpose": lambda: a.t(),
        "sum": lambda: a.sum(),
    }
    result = {}
    for name, op in ops.items():
        for _ in range(calls):
            op()
        best = float("inf")
        for _ in range(rounds):
            start = time.perf_counter()
            for _ in range(calls):
                op()
            best = min(best, (time.perf_counter() - start) / calls)
        result[name] = best * 1e6
    print("BENCH " + json.dumps({"version": torch.__version__, "threads": torch.get_num_threads(), "us": result}))


if __name__ == "__main__":
    main()
