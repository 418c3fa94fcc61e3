#!/usr/bin/python3
"""Summarises the equal-start study (bench/equal-start-study.sh's folder) into bench/results/equal-start.json.
  /usr/bin/python3 bench/equal_start_summary.py tmp/bench/equal-start-study"""
import collections
import glob
import json
import os
import statistics
import sys


def stats(values):
    v = [x * 100 for x in values]
    return {'n': len(v), 'meanPercent': round(statistics.mean(v), 3),
            'sdPoints': round(statistics.stdev(v), 3) if len(v) > 1 else None, 'perRun': [round(x, 2) for x in v]}


def by_seed(table):
    return {k: {'seeds': sorted(v), **stats([v[s] for s in sorted(v)])} for k, v in sorted(table.items())}


def main():
    d = sys.argv[1]
    runs = []
    for f in sorted(glob.glob(os.path.join(d, 'torch-*.jsonl'))):
        runs += [json.loads(line) for line in open(f) if line.strip()]
    equal, variants = [], collections.defaultdict(dict)
    for r in runs:
        data = r.get('dataOrder', 'trainer')
        tail = '' if r['dropout'] else ', no dropout'
        variants[f"{r['model']}: PyTorch, init {r['init']}, order {r['order']}, data {data}{tail}"][r['seed']] = r['testAccuracy']['torch']
        variants[f"{r['model']}: nnc native step{tail}"][r['seed']] = r['testAccuracy']['nnc']
        if r['init'] == 'nnc' and r['order'] == 'nnc' and data == 'trainer':
            equal.append({
                'model': r['model'], 'seed': r['seed'], 'dropout': r['dropout'],
                'weightsAfter1StepMaxAbsDiff': r['oneStep']['maxAbsWeightDiff'], 'update1StepMaxAbs': r['oneStep']['maxAbsUpdate'],
                'lossMaxAbsDiffFirst100Steps': r['maxAbsLossDiffFirst100'], 'firstStepLossDiffOver1e-3': r['firstStepLossDiffOver1e-3'],
                'finalWeightsMaxAbsDiff': r['finalMaxAbsWeightDiff'], 'meanLossPerEpoch': r['meanLossPerEpoch'],
                'bestEpoch': r.get('bestEpoch'), 'testAccuracy': r['testAccuracy'],
            })
    order = collections.defaultdict(dict)
    order_file = os.path.join(d, 'order.jsonl')
    if os.path.exists(order_file):
        for line in open(order_file):
            r = json.loads(line)
            order[r['mode']][r['seed']] = r['acc']
    out = {
        'about': 'bench/equal-start-study.sh and bench/torch_order_study.py, summarised by bench/equal_start_summary.py: '
                 "PyTorch trained from the generated trainer's own start (its data, initial weights and batch order), then "
                 "with each source of randomness replaced by PyTorch's own; test accuracy on the 10,000 t10k images",
        'equalStart': sorted(equal, key=lambda e: (e['model'], not e['dropout'], e['seed'])),
        'variants': by_seed(variants),
        'torchBenchOrderStudy': by_seed(order),
    }
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'results', 'equal-start.json')
    with open(target, 'w') as f:
        f.write(json.dumps(out, indent=1) + '\n')
    for k, v in list(out['variants'].items()) + [(f'torch_bench order study, {k}', v) for k, v in out['torchBenchOrderStudy'].items()]:
        print(f"{k}: {v['meanPercent']}% ± {v['sdPoints']} (n {v['n']}, seeds {v['seeds'][0]}-{v['seeds'][-1]})")


if __name__ == '__main__':
    main()
