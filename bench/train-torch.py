"""PyTorch's run of the training bench: the same models (the digits CNN, or the seq2seq LSTM
encoder/decoder with dot attention), samples, batch size and thread count as the TensorFlow.js
backends. Prints one line: BENCH {json}. Started by bench/train.ts with Debian's /usr/bin/python3
(python3-torch), or by bench/gpu-check.sh with the machine's CUDA PyTorch.

    train-torch.py DATA COUNT THREADS [cnn|seq2seq] [BATCH] [cpu|cuda]
"""
import json
import resource
import sys
import time

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

# Keep in step with bench/train-model.ts and bench/seq2seq.ts.
CNN_BATCH = 64
SEQ2SEQ = {"batch": 128, "vocab": 64, "embedding": 64, "units": 128, "src": 16, "tgt": 16}


def cnn():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(64 * 5 * 5, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10),  # softmax is inside cross_entropy, as is usual in PyTorch
    )


class Seq2seq(torch.nn.Module):
    """The TensorFlow.js model as a PyTorch user writes it: padded steps skipped with packed sequences,
    the decoder from zero states, dot attention over all encoder steps."""

    def __init__(self, vocab, embedding, units):
        super().__init__()
        self.src_embedding = torch.nn.Embedding(vocab, embedding)
        self.encoder = torch.nn.LSTM(embedding, units, batch_first=True)
        self.dec_embedding = torch.nn.Embedding(vocab, embedding)
        self.decoder = torch.nn.LSTM(embedding, units, batch_first=True)
        self.out = torch.nn.Linear(2 * units, vocab)

    def run(self, lstm, embedded, tokens):
        lengths = (tokens != 0).sum(1).clamp(min=1).cpu()
        packed = pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
        out, _ = lstm(packed)
        return pad_packed_sequence(out, batch_first=True, total_length=tokens.shape[1])[0]

    def forward(self, src, dec):
        enc = self.run(self.encoder, self.src_embedding(src), src)
        dec_out = self.run(self.decoder, self.dec_embedding(dec), dec)
        attention = torch.softmax(torch.bmm(dec_out, enc.transpose(1, 2)), dim=-1)
        context = torch.bmm(attention, enc)
        return self.out(torch.cat([context, dec_out], dim=-1))  # logits; softmax is in cross_entropy


def cnn_data(raw, count, device):
    stored = len(raw) // (784 * 4 + 4)  # the labels follow all the images
    count = min(count, stored)
    images = raw[: count * 784 * 4].view(np.float32).reshape(count, 1, 28, 28)
    labels = raw[stored * 784 * 4:].view(np.int32)[:count]
    return (torch.from_numpy(images.copy()).to(device),), torch.from_numpy(labels.astype(np.int64)).to(device)


def seq2seq_data(raw, count, device):
    ints = raw.view(np.int32)
    s, t = SEQ2SEQ["src"], SEQ2SEQ["tgt"]
    total = len(ints) // (s + 2 * t)
    src = ints[: total * s].reshape(total, s)[:count]
    dec = ints[total * s: total * (s + t)].reshape(total, t)[:count]
    target = ints[total * (s + t):].reshape(total, t)[:count]
    as_long = lambda a: torch.from_numpy(a.astype(np.int64)).to(device)
    return (as_long(src), as_long(dec)), as_long(target)


def train(net, opt, xs, ys, batch, start_at=0, end_at=None):
    total = 0.0
    batches = 0
    end_at = len(ys) if end_at is None else end_at
    for start in range(start_at, end_at, batch):
        opt.zero_grad()
        logits = net(*(x[start:start + batch] for x in xs))
        target = ys[start:start + batch]
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1))
        loss.backward()
        opt.step()
        total += loss.item()  # also waits for the GPU, so the clock below is honest
        batches += 1
    return total / batches


def main():
    path, count, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    kind = sys.argv[4] if len(sys.argv) > 4 else "cnn"
    device = sys.argv[6] if len(sys.argv) > 6 else "cpu"
    batch = int(sys.argv[5]) if len(sys.argv) > 5 else (SEQ2SEQ["batch"] if kind == "seq2seq" else CNN_BATCH)
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    raw = np.fromfile(path, dtype=np.uint8)
    if kind == "seq2seq":
        xs, ys = seq2seq_data(raw, count, device)
        net = Seq2seq(SEQ2SEQ["vocab"], SEQ2SEQ["embedding"], SEQ2SEQ["units"]).to(device)
    else:
        xs, ys = cnn_data(raw, count, device)
        net = cnn().to(device)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    train(net, opt, xs, ys, batch, 0, batch)  # warm-up batch, as the TensorFlow.js runs have
    cpu_start = time.process_time()
    start = time.perf_counter()
    loss = train(net, opt, xs, ys, batch)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    name = f"pytorch {torch.__version__}" + (f" {torch.cuda.get_device_name(0)}" if device == "cuda" else "")
    print("BENCH " + json.dumps({
        "backend": name,
        "samples": count,
        "samplesPerSec": count / seconds,
        "samplesPerCpuSec": count / cpu_seconds,
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "loss": loss,
    }))


if __name__ == "__main__":
    main()
