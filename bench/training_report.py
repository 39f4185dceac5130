"""Collect the training runs (runs/*/metrics.json) and shipped model sizes into one JSON report, with the
evidence-loss sweep on HoC and the run its selection rule picks.

python bench/training_report.py > bench/results/training.json
python bench/training_report.py --carry bench/results/training.json > new.json

--carry keeps the rows of runs that are not in runs/ from an earlier report: a sweep that grows by a run
or two over several sessions (each run takes an hour or more on 2 cores) is judged on all of its rows. A run
in runs/ replaces its carried row.
"""

import argparse
import json
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
KEEP = (
    "task",
    "dev",
    "dev_at_0.5",
    "dev_evidence",
    "seconds_per_epoch",
    "peak_rss_mib",
    "train_documents",
    "threshold_documents",
    "threshold_rule",
)


CONFIG = ("data", "label_attention", "evidence_weight", "epochs", "train_layers", "seed", "batch_size", "lr")
# The shipped HoC model: the highest evidence agreement among the sweep's runs whose dev micro-F1 is
# within this many points of the sweep's best.
MICRO_F1_SLACK = 0.005


def train_config(run: Path) -> dict:
    ckpt = torch.load(run / "checkpoint.pt", map_location="cpu", weights_only=False, mmap=True)
    return {k: ckpt["train_config"][k] for k in CONFIG}


def evidence_sweep(runs: dict) -> dict:
    """Label-attention runs on HoC: evidence-loss weights, at one or more training budgets (epochs, trained
    layers, seed). The rule compares every run; a row names its budget, so each weight can be set beside
    the weight-0 run of the same budget."""
    sweep = {
        name: run
        for name, run in runs.items()
        if run["config"]["label_attention"]
        and "dev_evidence" in run
        and run["config"]["data"] == ["data/hoc/train.jsonl"]
    }
    best = max((r["dev"]["micro_f1"] for r in sweep.values()), default=0.0)
    eligible = [name for name, r in sweep.items() if r["dev"]["micro_f1"] >= best - MICRO_F1_SLACK - 1e-9]
    chosen = max(eligible, key=lambda name: sweep[name]["dev_evidence"]["evidence_agreement"], default=None)
    rows = sorted(
        (
            {
                "run": name,
                "epochs": r["config"]["epochs"],
                "train_layers": r["config"]["train_layers"],
                "seed": r["config"]["seed"],
                "evidence_weight": r["config"]["evidence_weight"],
                # Runs from before the threshold rule existed tuned per label.
                "thresholds": r.get("threshold_rule", {}).get("rule", "per-label"),
                "micro_f1": r["dev"]["micro_f1"],
                "macro_f1": r["dev"]["macro_f1"],
                "evidence_agreement": r["dev_evidence"]["evidence_agreement"],
                "random_sentence": r["dev_evidence"]["random_sentence"],
                "evidence_mass": r["dev_evidence"]["evidence_mass"],
            }
            for name, r in sweep.items()
        ),
        key=lambda row: (row["train_layers"], row["epochs"], row["seed"], row["evidence_weight"]),
    )
    rule = f"highest evidence agreement among runs within {100 * MICRO_F1_SLACK:.1f} points of the best dev micro-F1"
    return {"rule": rule, "chosen": chosen, "runs": rows}


def collect_runs(root: Path, carried: dict) -> dict:
    """The runs in root/runs/, over the `carried` rows of an earlier report; sorted by name."""
    runs = dict(carried)
    for metrics in sorted(root.glob("runs/*/metrics.json")):
        report = json.loads(metrics.read_text())
        runs[metrics.parent.name] = {k: report[k] for k in KEEP if k in report} | {
            "config": train_config(metrics.parent)
        }
    return dict(sorted(runs.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--carry", type=Path, help="an earlier report whose runs not in runs/ are kept")
    args = parser.parse_args(argv)
    carried = json.loads(args.carry.read_text())["runs"] if args.carry else {}
    runs = collect_runs(ROOT, carried)
    models = {}
    for manifest in sorted(ROOT.glob("public/models/*/model.json")):
        m = json.loads(manifest.read_text())
        committed = sum(f.stat().st_size for f in manifest.parent.iterdir() if f.name != "model.onnx")
        models[m["id"]] = {"sizes": m.get("sizes"), "committed_bytes": committed, "metrics": m.get("metrics")}
    json.dump({"runs": runs, "evidence_sweep": evidence_sweep(runs), "models": models}, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
