#!/usr/bin/python3
"""The PyTorch peer of `glassnet bench`: the same workloads, timed the same way.

    /usr/bin/python3 bench/torch_peer.py --workload W3 --optimizer adam --threads 1

Workloads (as src/glassnet/train/throughput.hpp defines them):
  W1  30 -> 64 -> 64 -> 1, ReLU, BCEWithLogitsLoss, batch 64, 50,000 random rows
  W2  30 -> 15 x 64 -> 1, Sigmoid or (Linear, BatchNorm1d, ReLU), batch 256, 50,000 rows
  W3  784 -> 256 -> 128 -> 10, ReLU, CrossEntropyLoss, batch 128, Fashion-MNIST's 60,000
  W4  1024 -> 2048 -> 2048 -> 10, ReLU, CrossEntropyLoss, batch 512, 16,384 random rows
SGD without momentum (lr 0.1 on W3, 0.01 elsewhere) or Adam (lr 1e-3). An epoch: a
shuffle (randperm and gather), then zero_grad, forward, loss, backward and step per
batch. Inference: forward passes under no_grad in eval mode. Prints one JSON object:
samples per second (median, min, max over the timed epochs), GFLOP/s, peak RSS.
"""
import argparse
import gzip
import json
import os
import resource
import statistics
import struct
import time

import numpy as np
import torch
from torch import nn

WORKLOADS = {
    "W1": (30, [64, 64], 1, 64, 50_000),
    "W2": (30, [64] * 15, 1, 256, 50_000),
    "W3": (784, [256, 128], 10, 128, 60_000),
    "W4": (1024, [2048, 2048], 10, 512, 16_384),
}


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = struct.unpack(">" + "I" * dims, raw[4:4 + 4 * dims])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def data(name, inputs, outputs, rows, fashion):
    if name == "W3":
        x = idx(os.path.join(fashion, "train-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / 255
        y = idx(os.path.join(fashion, "train-labels-idx1-ubyte.gz")).astype(np.int64)
        return torch.from_numpy(x), torch.from_numpy(y)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((rows, inputs), dtype=np.float32)
    if outputs == 1:
        y = (x @ rng.standard_normal(inputs).astype(np.float32) > 0).astype(np.float32).reshape(-1, 1)
    else:
        y = rng.integers(0, outputs, size=rows).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def network(inputs, hidden, outputs, variant):
    layers, width = [], inputs
    for h in hidden:
        layers.append(nn.Linear(width, h))
        if variant == "relu-bn":
            layers += [nn.BatchNorm1d(h), nn.ReLU()]
        else:
            layers.append(nn.Sigmoid() if variant == "sigmoid" else nn.ReLU())
        width = h
    layers.append(nn.Linear(width, outputs))
    return nn.Sequential(*layers)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--workload", default="W1", choices=sorted(WORKLOADS))
    p.add_argument("--variant", default="relu", choices=["relu", "sigmoid", "relu-bn"])
    p.add_argument("--optimizer", default="sgd", choices=["sgd", "adam"])
    p.add_argument("--inference", action="store_true")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--fashion-mnist", default="/usr/share/datasets/fashion-mnist")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    inputs, hidden, outputs, batch, rows = WORKLOADS[a.workload]
    x, y = data(a.workload, inputs, outputs, rows, a.fashion_mnist)
    rows = x.shape[0]
    model = network(inputs, hidden, outputs, a.variant)
    sizes = [inputs] + hidden + [outputs]
    parameters = sum(i * o + o for i, o in zip(sizes[:-1], sizes[1:]))
    rates = []
    if a.inference:
        model.eval()
        with torch.no_grad():
            for epoch in range(a.warmup + a.epochs):
                start = time.perf_counter()
                for i in range(0, rows, batch):
                    model(x[i:i + batch])
                if epoch >= a.warmup:
                    rates.append(rows / (time.perf_counter() - start))
        flops = 2 * parameters
    else:
        loss_fn = nn.BCEWithLogitsLoss() if outputs == 1 else nn.CrossEntropyLoss()
        if a.optimizer == "sgd":
            opt = torch.optim.SGD(model.parameters(), lr=0.1 if a.workload == "W3" else 0.01)
        else:
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        model.train()
        for epoch in range(a.warmup + a.epochs):
            start = time.perf_counter()
            order = torch.randperm(rows)
            xs, ys = x[order], y[order]
            for i in range(0, rows, batch):
                opt.zero_grad(set_to_none=True)
                loss_fn(model(xs[i:i + batch]), ys[i:i + batch]).backward()
                opt.step()
            if epoch >= a.warmup:
                rates.append(rows / (time.perf_counter() - start))
        flops = 6 * parameters
    median = statistics.median(rates)
    print(json.dumps({
        "workload": a.workload, "variant": a.variant, "optimizer": "" if a.inference else a.optimizer,
        "inference": a.inference, "threads": a.threads,
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
        "samples_per_s": {"median": median, "min": min(rates), "max": max(rates)},
        "gflops": flops * median / 1e9,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
