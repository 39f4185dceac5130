#!/usr/bin/env bash
# Rebuild the shipped models, their baselines and the training benchmark from scratch on a CPU.
# Deterministic under the fixed seed (torch deterministic algorithms, one data order per seed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
COMMON=(--epochs 3 --train-layers 3 --seed 13)

for set in hoc mtc5; do
  $PY -m train.train --data data/$set/train.jsonl --dev data/$set/dev.jsonl --out runs/$set-la "${COMMON[@]}"
  $PY -m train.train --data data/$set/train.jsonl --dev data/$set/dev.jsonl --out runs/$set-cls --baseline "${COMMON[@]}"
  # HoC also ships the fp16-weight graph for WebGPU; the 100 MB budget leaves the five-class model on int8.
  EXTRA=(); [ "$set" = hoc ] && EXTRA=(--fp16)
  $PY -m train.export --run runs/$set-la --out public/models/$set-minilm-lame --id $set-minilm-lame --dev data/$set/dev.jsonl "${EXTRA[@]}"
done
$PY bench/training_report.py > bench/results/training.json
