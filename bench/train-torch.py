"""PyTorch's run of the training bench: the same digits CNN, samples, batch size and thread count as
the TensorFlow.js backends. Prints one line: BENCH {json}. Started by bench/train.ts with Debian's
/usr/bin/python3 (python3-torch)."""
import json
import resource
import sys
import time

import numpy as np
import torch

BATCH = 64


def model():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(64 * 5 * 5, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10),  # softmax is inside cross_entropy, as is usual in PyTorch
    )


def train(net, opt, xs, ys):
    total = 0.0
    batches = 0
    for start in range(0, len(xs), BATCH):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(xs[start:start + BATCH]), ys[start:start + BATCH])
        loss.backward()
        opt.step()
        total += loss.item()
        batches += 1
    return total / batches


def main():
    path, count, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    raw = np.fromfile(path, dtype=np.uint8)
    images = raw[: count * 784 * 4].view(np.float32).reshape(count, 1, 28, 28)
    labels = raw[count * 784 * 4:].view(np.int32)[:count]
    xs = torch.from_numpy(images.copy())
    ys = torch.from_numpy(labels.astype(np.int64))
    net = model()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    train(net, opt, xs[:BATCH], ys[:BATCH])  # warm-up batch, as the TensorFlow.js runs have
    cpu_start = time.process_time()
    start = time.perf_counter()
    loss = train(net, opt, xs, ys)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    print("BENCH " + json.dumps({
        "backend": f"pytorch {torch.__version__}",
        "samples": count,
        "samplesPerSec": count / seconds,
        "samplesPerCpuSec": count / cpu_seconds,
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "loss": loss,
    }))


if __name__ == "__main__":
    main()
