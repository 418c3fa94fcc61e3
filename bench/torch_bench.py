#!/usr/bin/python3
"""PyTorch side of the nnc benchmark: the textbook Fashion-MNIST MLP and the CNN of specs/fashion_cnn.nn, trained
like the generated trainers train them (same layers, Keras' glorot-uniform/zero initialisation, adam(0.001,
eps 1e-7), batch size, epochs, training-sample count, test images), reading the IDX gz files directly.

  /usr/bin/python3 bench/torch_bench.py train --model mlp|cnn --data-dir DIR --train N --epochs E --batch B [--threads T]
                                              [--seed S] [--random-subset] [--validation V [--patience P] [--restore-best]]

--validation V holds V of the training file's samples out (drawn at random with the training samples, as the spec's
`validation: 10%` does in the generated trainer), computes val_loss after every epoch, and with --patience stops
after P epochs without improvement; --restore-best keeps the weights of the epoch with the lowest val_loss, as the
spec's early_stopping { restore_best_weights: true } does in the generated trainer (at the end of training, also
when it did not stop early: Keras 3's EarlyStopping.on_train_end).
  /usr/bin/python3 bench/torch_bench.py sgemm [--n 2048] [--threads T]
  /usr/bin/python3 bench/torch_bench.py step --model mlp|cnn --batch B [--steps N] [--threads T]
  /usr/bin/python3 bench/torch_bench.py info

--threads default leaves PyTorch's own thread count; a number calls torch.set_num_threads(N). The caller sets
OPENBLAS_NUM_THREADS (and OMP_NUM_THREADS) in the environment before Python starts: OpenBLAS reads it only then.
Prints one JSON object on stdout.
"""
import argparse
import gzip
import json
import os
import platform
import re
import sys
import time

import torch
import torch.nn as nn


def set_threads(threads):
    # On 2 vCPUs torch.set_num_threads(2) on top of OpenBLAS's own threads oversubscribes (issue 14): the bench
    # measures default, 1 and 2 with OPENBLAS_NUM_THREADS set to match, and compares against the fastest.
    if threads != 'default':
        torch.set_num_threads(int(threads))


def read_idx(path):
    with gzip.open(path, 'rb') as f:
        raw = f.read()
    rank = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(rank)]
    data = torch.frombuffer(bytearray(raw[4 + 4 * rank:]), dtype=torch.uint8)
    return data.reshape(dims)


def load_split(data_dir, split, limit=None, random_subset=False, validation=0):
    images = read_idx(os.path.join(data_dir, f'{split}-images-idx3-ubyte.gz'))
    labels = read_idx(os.path.join(data_dir, f'{split}-labels-idx1-ubyte.gz'))
    # NCHW with one channel; scale(1/255) as the specs normalise.
    prepare = lambda pick: (images[pick].float().div_(255.0).unsqueeze(1), labels[pick].long())
    if limit is None and validation == 0:
        return prepare(slice(None))
    # random_subset: `limit` samples drawn with the run's seed, as the generated trainer's seeded split draws its
    # training samples from a file that also holds its validation share; else the first `limit`. `validation`
    # further samples, disjoint from those, make the held-out split (returned second).
    limit = images.shape[0] - validation if limit is None else limit
    if limit + validation > images.shape[0]:
        raise SystemExit(f'{split}: {limit} training + {validation} validation samples, the file has {images.shape[0]}')
    order = torch.randperm(images.shape[0]) if random_subset or validation > 0 else torch.arange(images.shape[0])
    if validation == 0:
        return prepare(order[:limit])
    return prepare(order[:limit]), prepare(order[limit:limit + validation])


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 500), nn.Sigmoid(), nn.Linear(500, 200), nn.Sigmoid(),
                         nn.Linear(200, 10))


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.3), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))


def keras_init(module):
    # tfjs layers default to glorot-uniform weights and zero biases; torch's defaults differ.
    if isinstance(module, (nn.Linear, nn.Conv2d)):
        nn.init.xavier_uniform_(module.weight)
        nn.init.zeros_(module.bias)


def environment():
    config = torch.__config__.show()
    blas = re.search(r'BLAS_INFO=(\w+)', config)
    loaded = set()
    try:
        with open('/proc/self/maps') as maps:
            loaded = {line.split()[-1] for line in maps if 'blas' in line or 'mkl' in line}
    except OSError:
        pass
    return {
        'torch': torch.__version__, 'python': platform.python_version(), 'threads': torch.get_num_threads(),
        'interop_threads': torch.get_num_interop_threads(), 'cpu_count': os.cpu_count(),
        'blas_info': blas.group(1) if blas else None, 'mkldnn': torch.backends.mkldnn.is_available(),
        'cpu_capability': (re.search(r'CPU capability usage: (\w+)', config) or [None, None])[1],
        'blas_libraries': sorted(loaded),
        'uses_openblas': any('openblas' in lib for lib in loaded),
        'openblas_num_threads_env': os.environ.get('OPENBLAS_NUM_THREADS'),
        'omp_num_threads_env': os.environ.get('OMP_NUM_THREADS'),
    }


def train(args):
    set_threads(args.threads)
    torch.manual_seed(args.seed)
    if args.validation > 0:
        (x, y), (x_val, y_val) = load_split(args.data_dir, 'train', args.train, args.random_subset, args.validation)
    else:
        x, y = load_split(args.data_dir, 'train', args.train, args.random_subset)
    x_test, y_test = load_split(args.data_dir, 't10k')
    model = (mlp if args.model == 'mlp' else cnn)()
    model.apply(keras_init)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()  # on logits: softmax + sparse categorical crossentropy
    n = x.shape[0]
    epoch_rates, val_losses = [], []
    best, best_epoch, best_state, wait = float('inf'), None, None, 0
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(n)
        start = time.perf_counter()
        for i in range(0, n, args.batch):
            ids = order[i:i + args.batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[ids]), y[ids])
            loss.backward()
            optimizer.step()
        epoch_rates.append(n / (time.perf_counter() - start))
        if args.validation == 0:
            continue
        # Untimed, as the generated trainer's validation is: val_loss in eval mode (no dropout), early stopping on it.
        model.eval()
        with torch.no_grad():
            val_losses.append(sum(loss_fn(model(x_val[i:i + 256]), y_val[i:i + 256]).item() * y_val[i:i + 256].shape[0]
                                  for i in range(0, x_val.shape[0], 256)) / x_val.shape[0])
        if val_losses[-1] < best:
            best, best_epoch, wait = val_losses[-1], epoch, 0
            if args.restore_best:
                best_state = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            wait += 1
            if args.patience is not None and wait >= args.patience:
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    with torch.no_grad():
        model(x_test[:256])  # warm-up
        start = time.perf_counter()
        predicted = torch.cat([model(x_test[i:i + 256]).argmax(1) for i in range(0, x_test.shape[0], 256)])
        infer_seconds = time.perf_counter() - start
    steady = epoch_rates[1:] if len(epoch_rates) > 1 else epoch_rates
    return {
        'model': args.model, 'trainSamples': n, 'epochs': args.epochs, 'epochsRun': len(epoch_rates), 'batchSize': args.batch,
        'validationSamples': args.validation, 'valLoss': val_losses,
        'restoredEpoch': best_epoch + 1 if best_state is not None else None,
        'epochSamplesPerSec': [round(r) for r in epoch_rates],
        'samplesPerSec': len(steady) / sum(1 / r for r in steady),
        'allEpochsSamplesPerSec': len(epoch_rates) / sum(1 / r for r in epoch_rates),
        'testAccuracy': (predicted == y_test).float().mean().item(), 'testSamples': x_test.shape[0],
        'inferImagesPerSec': x_test.shape[0] / infer_seconds, 'env': environment(),
    }


def step_cpu(args):
    # CPU time of one training step on a fixed random batch (bench/step-cpu.ts): on a shared machine the process's
    # CPU time moves far less with load than its wall time.
    set_threads(args.threads)
    torch.manual_seed(args.seed)
    model = (mlp if args.model == 'mlp' else cnn)()
    model.apply(keras_init)
    x = torch.rand(args.batch, 1, 28, 28)
    y = torch.randint(0, 10, (args.batch,))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()

    def one():
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        optimizer.step()
    for _ in range(5):
        one()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        one()
    return {'model': args.model, 'batch': args.batch, 'steps': args.steps, 'threads': torch.get_num_threads(),
            'cpuMsPerStep': (time.process_time() - cpu) * 1000 / args.steps,
            'wallMsPerStep': (time.perf_counter() - wall) * 1000 / args.steps}


def best_time(fn, repeats):
    fn()
    best = float('inf')
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def sgemm(args):
    set_threads(args.threads)
    n = args.n
    flops = 2.0 * n ** 3
    result = {'n': n, 'env': environment()}
    try:
        import numpy as np
        a = np.random.rand(n, n).astype(np.float32)
        b = np.random.rand(n, n).astype(np.float32)
        result['numpy'] = np.__version__
        result['numpyGflops'] = flops / best_time(lambda: a @ b, args.repeats) / 1e9
    except ImportError:
        result['numpy'] = None
    ta, tb = torch.rand(n, n), torch.rand(n, n)
    result['torchGflops'] = flops / best_time(lambda: torch.mm(ta, tb), args.repeats) / 1e9
    return result


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest='cmd', required=True)
    t = sub.add_parser('train')
    t.add_argument('--model', choices=['mlp', 'cnn'], required=True)
    t.add_argument('--data-dir', default='/usr/share/datasets/fashion-mnist')
    t.add_argument('--train', type=int, default=None)
    t.add_argument('--epochs', type=int, default=1)
    t.add_argument('--batch', type=int, default=32)
    t.add_argument('--seed', type=int, default=42)
    t.add_argument('--threads', default='default')
    t.add_argument('--random-subset', action='store_true')
    t.add_argument('--validation', type=int, default=0)
    t.add_argument('--patience', type=int, default=None)
    t.add_argument('--restore-best', action='store_true')
    s = sub.add_parser('sgemm')
    s.add_argument('--n', type=int, default=2048)
    s.add_argument('--repeats', type=int, default=5)
    s.add_argument('--threads', default='default')
    st = sub.add_parser('step')
    st.add_argument('--model', choices=['mlp', 'cnn'], required=True)
    st.add_argument('--batch', type=int, default=32)
    st.add_argument('--steps', type=int, default=100)
    st.add_argument('--seed', type=int, default=42)
    st.add_argument('--threads', default='default')
    sub.add_parser('info')
    args = parser.parse_args()
    commands = {'train': train, 'sgemm': sgemm, 'step': step_cpu, 'info': lambda _: environment()}
    out = commands[args.cmd](args)
    sys.stdout.write(json.dumps(out) + '\n')


if __name__ == '__main__':
    main()
