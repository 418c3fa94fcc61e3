#!/usr/bin/python3
"""PyTorch side of the equal-start experiment (bench/equal-start.ts wrote DIR): the generated trainer's training data,
initial weights and batch order loaded into bench/torch_bench.py's model, trained step for step, and compared:
weights after one step, the loss per step, and test accuracy after the same epochs.

  /usr/bin/python3 bench/equal_start.py DIR [--loss torch|tfjs] [--eps-form torch|keras] [--no-dropout]

--loss tfjs: softmax, probabilities clipped to [1e-7, 1 - 1e-7], -log p (tfjs's sparse categorical crossentropy)
instead of CrossEntropyLoss on the logits. Prints one JSON object.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_bench  # noqa: E402


def torch_params(model):
    return [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]


def load_weights(model, flat, meta):
    # tfjs order: kernel, bias per layer; dense kernels are [in, out] (torch [out, in]), conv kernels HWIO (torch OIHW).
    layers = torch_params(model)
    o = 0
    tensors = []
    for w in meta['weights']:
        size = int(np.prod(w['shape']))
        tensors.append(torch.from_numpy(flat[o:o + size].copy()).reshape(w['shape']))
        o += size
    assert o == flat.size, (o, flat.size)
    assert len(tensors) == 2 * len(layers), 'expected a kernel and a bias per layer'
    with torch.no_grad():
        for layer, kernel, bias in zip(layers, tensors[0::2], tensors[1::2]):
            if isinstance(layer, nn.Linear):
                layer.weight.copy_(kernel.t())
            else:
                layer.weight.copy_(kernel.permute(3, 2, 0, 1))
            layer.bias.copy_(bias)


def flat_weights(model):
    out = []
    for layer in torch_params(model):
        kernel = layer.weight.detach()
        out.append((kernel.t() if isinstance(layer, nn.Linear) else kernel.permute(2, 3, 1, 0)).reshape(-1))
        out.append(layer.bias.detach().reshape(-1))
    return torch.cat(out).numpy()


def nhwc_flatten_cnn():
    # bench/torch_bench.py's CNN, but flattening NHWC as tfjs does, so the dense layer's weights load unchanged.
    class ToNHWC(nn.Module):
        def forward(self, x):
            return x.permute(0, 2, 3, 1)
    m = torch_bench.cnn()
    layers = list(m.children())
    flatten = next(i for i, l in enumerate(layers) if isinstance(l, nn.Flatten))
    return nn.Sequential(*layers[:flatten], ToNHWC(), *layers[flatten:])


def tfjs_loss(logits, y):
    p = torch.softmax(logits, 1).clamp(1e-7, 1 - 1e-7)
    return -torch.log(p.gather(1, y[:, None])).mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dir')
    ap.add_argument('--loss', choices=['torch', 'tfjs'], default='torch')
    ap.add_argument('--no-dropout', action='store_true')
    ap.add_argument('--init', choices=['nnc', 'torch'], default='nnc', help="torch: torch.manual_seed(seed) and xavier, as torch_bench.py draws them")
    ap.add_argument('--data', choices=['trainer', 'file', 'file-shuffled'], default='trainer', help='file: the training file in its own order, as torch_bench.py reads it')
    ap.add_argument('--order', choices=['nnc', 'torch'], default='nnc', help="torch: torch.randperm per epoch, as torch_bench.py draws it")
    args = ap.parse_args()
    d = args.dir
    meta = json.load(open(os.path.join(d, 'meta.json')))
    read = lambda f, t: np.fromfile(os.path.join(d, f), dtype=t)
    n, batch, epochs = meta['n'], meta['batch'], meta['epochs']
    x = torch.from_numpy(read('x.f32', np.float32)).reshape(meta['xShape'])
    x = x.reshape(n, 1, 28, 28) if meta['model'] == 'mlp' else x.permute(0, 3, 1, 2).contiguous()
    y = torch.from_numpy(read('y.i32', np.int32)).long()
    order = torch.from_numpy(read('order.i32', np.int32)).long().reshape(epochs, n)
    init, step1, final = read('init.f32', np.float32), read('step1.f32', np.float32), read('final.f32', np.float32)
    torch.set_num_threads(1)
    torch.manual_seed(meta['seed'])  # PyTorch's own dropout masks (and --init/--order torch) reproducible per seed

    # Is the trainer's training split the bench's PyTorch data (the first n images of the same file, /255)?
    ref_x, ref_y = torch_bench.load_split(meta['dataDir'], 'train', None)
    # (The trainer shuffles its samples once at load, seeded, so compare them as a set: pixels and label per sample.)
    rows = lambda xs, ys: [xs[i].numpy().tobytes() + bytes([int(ys[i])]) for i in range(xs.shape[0])]
    ref = {r: i for i, r in enumerate(rows(ref_x, ref_y))}
    found = [ref.get(r, -1) for r in rows(x, y)]
    same = {'fileSamples': ref_x.shape[0], 'trainerSamplesFoundInFile': sum(i >= 0 for i in found),
            'distinct': len(set(found) - {-1}), 'inFileOrder': found == list(range(n))}
    x_test, y_test = torch_bench.load_split(meta['dataDir'], 't10k')
    if args.data != 'trainer':
        # The same samples in the file's order (as torch_bench.py reads them), or that order shuffled once, seeded.
        assert meta['validation'] == 0 and ref_x.shape[0] == n, '--data file needs a file holding exactly the training split'
        x, y = ref_x, ref_y
        if args.data == 'file-shuffled':
            g = torch.Generator().manual_seed(1000 + meta['seed'])
            p = torch.randperm(n, generator=g)
            x, y = x[p], y[p]

    def make():
        if args.init == 'torch':
            torch.manual_seed(meta['seed'])
        model = torch_bench.mlp() if meta['model'] == 'mlp' else nhwc_flatten_cnn()
        if args.init == 'nnc':
            load_weights(model, init, meta)
            assert np.array_equal(flat_weights(model), init)
        else:
            model.apply(torch_bench.keras_init)
        if args.no_dropout:
            for m in model.modules():
                if isinstance(m, nn.Dropout):
                    m.p = 0.0
        return model, torch.optim.Adam(model.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-7)

    loss_fn = nn.CrossEntropyLoss() if args.loss == 'torch' else tfjs_loss

    def step(model, opt, ids):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[ids]), y[ids])
        loss.backward()
        opt.step()
        return loss.item()

    model, opt = make()
    model.train()
    step(model, opt, order[0, :batch])  # (with --init torch this compares unequal starts: not meaningful)
    after1 = flat_weights(model)
    delta_nnc, delta_torch = step1 - init, after1 - init
    one_step = {
        'maxAbsWeightDiff': float(np.abs(after1 - step1).max()),
        'maxAbsUpdate': float(np.abs(delta_nnc).max()),
        'relUpdateDiff': float(np.linalg.norm(delta_torch - delta_nnc) / np.linalg.norm(delta_nnc)),
    }

    model, opt = make()
    if args.order == 'torch':
        order = torch.stack([torch.randperm(n) for _ in range(epochs)])
    losses = []
    # The spec's early stopping on val_loss with restore_best_weights: the trainer keeps the best epoch's weights.
    es = meta.get('earlyStopping') or {}
    restore = bool(es.get('restore_best_weights')) and meta['validation'] > 0
    if meta['validation'] > 0:
        xv = torch.from_numpy(read('xval.f32', np.float32)).reshape(meta['validation'], 28, 28, 1).permute(0, 3, 1, 2).contiguous()
        yv = torch.from_numpy(read('yval.i32', np.int32)).long()
    val_losses, best, best_state, best_epoch = [], float('inf'), None, None
    for e in range(epochs):
        model.train()
        for i in range(0, n, batch):
            losses.append(step(model, opt, order[e, i:i + batch]))
        if meta['validation'] > 0:
            model.eval()
            with torch.no_grad():
                val_losses.append(float(loss_fn(model(xv), yv)))
            if val_losses[-1] < best:
                best, best_epoch = val_losses[-1], e
                best_state = {k: v.clone() for k, v in model.state_dict().items()}
    if restore and best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    with torch.no_grad():
        predicted = torch.cat([model(x_test[i:i + 256]).argmax(1) for i in range(0, x_test.shape[0], 256)])
    nnc_losses = np.array(meta['losses'])
    ours = np.array(losses)
    diff = np.abs(ours - nnc_losses)
    parted = next((i for i, v in enumerate(diff) if v > 1e-3 * max(1.0, abs(nnc_losses[i]))), None)
    per_epoch = lambda a: [float(a[e * len(a) // epochs:(e + 1) * len(a) // epochs].mean()) for e in range(epochs)]
    out = {
        'dir': d, 'model': meta['model'], 'seed': meta['seed'], 'init': args.init, 'order': args.order, 'dataOrder': args.data, 'loss': args.loss, 'dropout': not args.no_dropout,
        'data': same, 'oneStep': one_step,
        'lossFirst5': {'nnc': nnc_losses[:5].tolist(), 'torch': ours[:5].tolist()},
        'maxAbsLossDiffFirst100': float(diff[:100].max()), 'firstStepLossDiffOver1e-3': parted,
        'meanLossPerEpoch': {'nnc': per_epoch(nnc_losses), 'torch': per_epoch(ours)},
        'valLoss': {'nnc': meta.get('history', {}).get('val_loss'), 'torch': val_losses},
        'bestEpoch': {'nnc': meta.get('bestEpoch'), 'torch': best_epoch if restore else None},
        'finalMaxAbsWeightDiff': float(np.abs(flat_weights(model) - final).max()),
        'testAccuracy': {'nnc': meta['testAccuracy'], 'torch': (predicted == y_test).float().mean().item()},
    }
    sys.stdout.write(json.dumps(out) + '\n')


if __name__ == '__main__':
    main()
