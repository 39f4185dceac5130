#!/usr/bin/env bash
# Rebuild the shipped models, their baselines, the evidence-loss sweep and the training benchmark from
# scratch on a CPU. Deterministic under the fixed seed (torch deterministic algorithms, one data order per seed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

run() { # run OUT DATASET EPOCHS [train options...]
  local out=$1 set=$2 epochs=$3
  shift 3
  $PY -m train.train --data data/$set/train.jsonl --dev data/$set/dev.jsonl --out "$out" \
    --epochs "$epochs" --train-layers "${LAYERS:-3}" --seed 13 "$@"
}

# The budgets the shipped models were trained on (2-core CPU): HoC 3 epochs, the five-class set 2.
# Each [CLS] baseline gets its model's budget.
run runs/hoc-la hoc 3
for weight in 0.3 0.5 1; do # the evidence loss (issue 5); weight 0 is runs/hoc-la
  run runs/hoc-la-ev$weight hoc 3 --evidence-weight $weight
done
# The same budget with all six encoder layers trained, one thread each as they were measured.
for weight in 0 0.1 0.2 0.3; do
  LAYERS=6 run runs/hoc-la-all6-ev$weight hoc 3 --evidence-weight $weight --threads 1
done
# Five epochs at the shipped weight (the loss was still falling after three), two threads, and its baseline.
LAYERS=6 run runs/hoc-la-all6-ev0.1-e5 hoc 5 --evidence-weight 0.1
run runs/hoc-cls hoc 3 --baseline
LAYERS=6 run runs/hoc-cls-all6 hoc 3 --baseline
LAYERS=6 run runs/hoc-cls-all6-e5 hoc 5 --baseline # the shipped HoC model's budget
run runs/mtc5-la mtc5 2
run runs/mtc5-cls mtc5 2 --baseline

# The shipped HoC model is the run the sweep's rule picks (bench/training_report.py).
$PY bench/training_report.py > bench/results/training.json
chosen=$($PY -c "import json; print(json.load(open('bench/results/training.json'))['evidence_sweep']['chosen'])")
# --keep-graphs: the committed int8 and fp16 graphs stay byte for byte as they are and are measured again (HoC 1.4.1
# kept 1.4.0's int8 graph and 1.3.0's fp16 one; a rebuild on another CPU can differ in the last bits). Delete a
# graph from the folder to build it again; the fp32 reference (model.onnx, not committed) is always rebuilt.
$PY -m train.export --run "runs/$chosen" --out public/models/hoc-minilm-lame --id hoc-minilm-lame --version 1.4.1 --dev data/hoc/dev.jsonl --fp16 --keep-graphs
# The 100 MB budget for committed models leaves the five-class model on int8 only.
$PY -m train.export --run runs/mtc5-la --out public/models/mtc5-minilm-lame --id mtc5-minilm-lame --version 1.0.2 --dev data/mtc5/dev.jsonl --keep-graphs
$PY bench/training_report.py > bench/results/training.json # again, with the exported models' sizes
# The pretrained encoder alone, for schemes taught in the loop (issue 19); seconds.
$PY -m train.export_encoder --out public/models/minilm-encoder
