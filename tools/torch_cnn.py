#!/usr/bin/python3
"""fnn's --arch cnn1 and cnn2 written as PyTorch networks, to time and check fnn against.

Not part of fnn (fnn never imports this); it needs Debian's python3-torch and python3-numpy.
The networks are layer for layer the presets in src/cli/cli_arch.cpp:
  cnn1: conv 1->32 3x3, relu, maxpool 2, conv 32->64 3x3, relu, maxpool 2, dense 1600->128,
        relu, dense 128->10
  cnn2: conv 1->32 3x3 pad 1, bn, relu, maxpool 2, conv 32->64 3x3 pad 1, bn, relu, maxpool 2,
        dropout 0.25, dense 3136->128, bn, relu, dropout 0.5, dense 128->10
Data: the raw Fashion-MNIST (or MNIST) IDX files, pixels / 255; the first 54,000 training images
are trained on (fnn's 10 % validation split), reshuffled every epoch; batch 64. The optimizer is
the preset's (momentum SGD, or Adam) at a constant learning rate: the schedule costs nothing and
does not change the work. Timing: time.perf_counter() around each epoch's training pass only.

  /usr/bin/python3 tools/torch_cnn.py --arch cnn1 --epochs 3 --threads 1 --data .cache/fashion-mnist
"""
import argparse
import gzip
import os
import statistics
import struct
import time

import numpy as np
import torch
import torch.nn as nn


def read_idx(path):
    """An IDX file (optionally gzipped) as a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, dims = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(folder, stem):
    for name in (stem, stem + ".gz"):
        if os.path.exists(os.path.join(folder, name)):
            return os.path.join(folder, name)
    raise FileNotFoundError(f"{folder}/{stem}[.gz]")


def network(arch):
    if arch == "cnn1":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Dropout(0.25), nn.Flatten(), nn.Linear(3136, 128), nn.BatchNorm1d(128), nn.ReLU(),
        nn.Dropout(0.5), nn.Linear(128, 10))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--arch", choices=["cnn1", "cnn2"], required=True)
    ap.add_argument("--data", default=".cache/fashion-mnist", help="folder of the IDX files")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    images = read_idx(find(args.data, "train-images-idx3-ubyte"))
    labels = read_idx(find(args.data, "train-labels-idx1-ubyte"))
    test_images = read_idx(find(args.data, "t10k-images-idx3-ubyte"))
    test_labels = read_idx(find(args.data, "t10k-labels-idx1-ubyte"))
    n_train = len(images) * 9 // 10
    x = torch.from_numpy(images[:n_train].astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    y = torch.from_numpy(labels[:n_train].astype(np.int64))
    xt = torch.from_numpy(test_images.astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    yt = torch.from_numpy(test_labels.astype(np.int64))
    model = network(args.arch)
    opt = (torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9) if args.arch == "cnn1"
           else torch.optim.Adam(model.parameters(), lr=0.002))
    loss_fn = nn.CrossEntropyLoss()
    seconds = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(n_train)
        start = time.perf_counter()
        for i in range(0, n_train, args.batch):
            idx = order[i:i + args.batch]
            opt.zero_grad()
            loss_fn(model(x[idx]), y[idx]).backward()
            opt.step()
        seconds.append(time.perf_counter() - start)
        model.eval()
        with torch.no_grad():
            correct = sum((model(xt[i:i + 1000]).argmax(1) == yt[i:i + 1000]).sum().item()
                          for i in range(0, len(xt), 1000))
        print(f"epoch {epoch} train_seconds {seconds[-1]:.2f} test_acc {correct / len(xt):.4f}",
              flush=True)
    print(f"torch {torch.__version__} threads {args.threads} arch {args.arch} "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')} "
          f"median_epoch_seconds {statistics.median(seconds):.2f}")


if __name__ == "__main__":
    main()
