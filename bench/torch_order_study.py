#!/usr/bin/python3
"""torch_bench.py's MLP run (6,000 images in the file's order, 3 epochs, batch 32, 1 thread) per seed, against the
same run on the samples shuffled once first (file-shuffled) and with numpy's permutation as the batch order
(file-numpy): does the order of the samples in the file, or torch.randperm, move PyTorch's test accuracy?
  /usr/bin/python3 bench/torch_order_study.py 11,12,13 [--data-dir tmp/bench/data/fashion-6000-10000]
Prints one JSON line per run."""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_bench  # noqa: E402


def run(x_all, y_all, x_test, y_test, seed, mode):
    torch.manual_seed(seed)
    model = torch_bench.mlp()
    model.apply(torch_bench.keras_init)
    opt = torch.optim.Adam(model.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    x, y, n = x_all, y_all, x_all.shape[0]
    if mode == 'file-shuffled':
        p = torch.randperm(n, generator=torch.Generator().manual_seed(1000 + seed))
        x, y = x[p], y[p]
    rng = np.random.default_rng(seed)
    for _ in range(3):
        model.train()
        order = torch.from_numpy(rng.permutation(n)) if mode == 'file-numpy' else torch.randperm(n)
        for i in range(0, n, 32):
            ids = order[i:i + 32]
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x[ids]), y[ids]).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        return (model(x_test).argmax(1) == y_test).float().mean().item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('seeds')
    ap.add_argument('--data-dir', default='tmp/bench/data/fashion-6000-10000')
    args = ap.parse_args()
    torch.set_num_threads(1)
    x, y = torch_bench.load_split(args.data_dir, 'train', None)
    x_test, y_test = torch_bench.load_split(args.data_dir, 't10k')
    for seed in map(int, args.seeds.split(',')):
        for mode in ['file', 'file-shuffled', 'file-numpy']:
            print(json.dumps({'seed': seed, 'mode': mode, 'acc': run(x, y, x_test, y_test, seed, mode)}), flush=True)


if __name__ == '__main__':
    main()
