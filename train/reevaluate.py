"""Redo a trained run's thresholds and dev evaluation without training it again.

    python -m train.reevaluate --run runs/hoc-la [--thresholds auto|per-label|global]

For runs trained before a change to how thresholds are chosen or runs are evaluated: the weights stay,
metrics.json and the checkpoint's thresholds are rewritten (training time and memory are kept).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path

import torch
from transformers import AutoTokenizer

from .data import load_labels, load_records
from .evaluate import THRESHOLD_CHOICES
from .export import load_run
from .train import ASSESSED, TrainConfig, assess, print_report, reported_config, split_for_thresholds


def reevaluate(run: Path, thresholds: str | None = None) -> dict:
    model, ckpt = load_run(run)
    cfg = TrainConfig(**ckpt["train_config"])
    if thresholds:
        cfg.thresholds = thresholds
    torch.set_num_threads(cfg.threads)
    labels = load_labels(cfg.labels)
    multi_label = ckpt["task"] == "multi_label"
    records = load_records(cfg.data, labels)
    tune_records = split_for_thresholds(records, cfg, multi_label)[1]
    tokenizer = AutoTokenizer.from_pretrained(str(run / "tokenizer"))
    fresh = assess(model, ckpt["label_embeddings"], tokenizer, cfg, labels, tune_records, multi_label)

    report = json.loads((run / "metrics.json").read_text())
    report = {k: v for k, v in report.items() if k not in ASSESSED} | fresh | {"config": reported_config(cfg)}
    ckpt["thresholds"], ckpt["train_config"] = fresh["thresholds"], asdict(cfg)
    torch.save(ckpt, run / "checkpoint.pt")
    (run / "metrics.json").write_text(json.dumps(report, indent=2) + "\n")
    return report


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", type=Path, required=True, help="a run folder written by train.train")
    p.add_argument(
        "--thresholds",
        choices=THRESHOLD_CHOICES,
        help="default: the run's setting (auto for runs older than the option)",
    )
    a = p.parse_args(argv)
    if not (a.run / "checkpoint.pt").exists():
        print(f"error: {a.run / 'checkpoint.pt'}: no such file (is {a.run} a run folder?)", file=sys.stderr)
        return 2
    return print_report(lambda: reevaluate(a.run, a.thresholds))


if __name__ == "__main__":
    sys.exit(main())
