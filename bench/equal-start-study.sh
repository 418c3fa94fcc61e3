#!/bin/bash
# The equal-start study behind bench/results/equal-start.json (issue 14's accuracy gap), for the MLP:
#   bench/equal-start-study.sh 1 2 3 4 5 6 7 8 9 10     (~3 minutes per seed on a busy 2-vCPU machine)
#   /usr/bin/python3 bench/torch_order_study.py 11,12,...,22 > tmp/bench/equal-start-study/order.jsonl
#   /usr/bin/python3 bench/equal_start_summary.py tmp/bench/equal-start-study
# Per seed: the generated trainer's run with its data, initial weights and batch order written out
# (bench/equal-start.ts), then PyTorch from that start (init nnc, order nnc: must follow step for step), with each
# source of randomness swapped for PyTorch's own (init torch and/or order torch), and on the file's own sample
# order as torch_bench.py reads it (data file, once shuffled: data file-shuffled).
set -euo pipefail
cd "$(dirname "$0")/.."
out=tmp/bench/equal-start-study
mkdir -p "$out"
for s in "$@"; do
  nice -n 10 npx tsx bench/equal-start.ts --model mlp --seed "$s" > "$out/nnc-mlp-$s.json"
  : > "$out/torch-mlp-$s.jsonl"
  for v in "nnc nnc trainer" "torch nnc trainer" "nnc torch trainer" "torch torch trainer" "torch torch file" "torch torch file-shuffled"; do
    read -r init order data <<< "$v"
    nice -n 10 /usr/bin/python3 bench/equal_start.py "tmp/bench/equal-start-mlp-$s" --init "$init" --order "$order" --data "$data" >> "$out/torch-mlp-$s.jsonl"
  done
done
