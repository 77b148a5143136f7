#!/usr/bin/python3
"""PyTorch's side of bench/fashion_accuracy.sh: Fashion-MNIST, 784 -> 256 -> 128 -> 10
(ReLU), Adam lr 1e-3, batch 128, 10 epochs, on a random 90 % of the training images
(the other 10 % held out, as glassnet's --val-split 0.1), pixels standardised with the
training rows' mean and deviation as glassnet does, PyTorch's own initialisation.

    /usr/bin/python3 bench/torch_fashion.py --seed 1

Prints one JSON object: the test accuracy and the training time in seconds.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
from torch import nn

DATA = "/usr/share/datasets/fashion-mnist"


def idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw[4 + 4 * dims :], dtype=np.uint8).reshape(shape)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(1)  # its fastest set-up on this workload (bench/compare.sh)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    x = idx("train-images-idx3-ubyte.gz").reshape(60000, -1).astype(np.float32) / 255
    y = idx("train-labels-idx1-ubyte.gz").astype(np.int64)
    x_test = idx("t10k-images-idx3-ubyte.gz").reshape(10000, -1).astype(np.float32) / 255
    y_test = idx("t10k-labels-idx1-ubyte.gz").astype(np.int64)
    train = rng.permutation(60000)[:54000]
    mean, std = x[train].mean(axis=0), x[train].std(axis=0)
    std[std == 0] = 1
    x_train, y_train = torch.from_numpy((x[train] - mean) / std), torch.from_numpy(y[train])
    x_test = torch.from_numpy((x_test - mean) / std)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    start = time.perf_counter()
    for _ in range(args.epochs):
        order = torch.randperm(len(train))
        for begin in range(0, len(train), 128):
            batch = order[begin : begin + 128]
            optimizer.zero_grad()
            criterion(model(x_train[batch]), y_train[batch]).backward()
            optimizer.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        accuracy = float((model(x_test).argmax(dim=1) == torch.from_numpy(y_test)).float().mean())
    print(json.dumps({"test_accuracy": accuracy, "seconds": seconds}))


if __name__ == "__main__":
    main()
