"""The rule that picks the shipped HoC model from the evidence-loss sweep (bench/training_report.py)."""

import importlib.util
import json
from pathlib import Path

import torch

spec = importlib.util.spec_from_file_location(
    "training_report", Path(__file__).resolve().parents[2] / "bench" / "training_report.py"
)
report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(report)


def run(weight: float, micro: float, agreement: float, layers: int = 3, label_attention: bool = True) -> dict:
    return {
        "config": {
            "data": ["data/hoc/train.jsonl"],
            "label_attention": label_attention,
            "evidence_weight": weight,
            "epochs": 3,
            "train_layers": layers,
            "seed": 13,
        },
        "dev": {"micro_f1": micro, "macro_f1": micro},
        "dev_evidence": {"evidence_agreement": agreement, "random_sentence": 0.25, "evidence_mass": agreement / 2},
    }


def test_picks_the_best_agreement_within_half_a_point_of_the_best_micro_f1():
    runs = {"w0": run(0, 0.782, 0.60), "w0.3": run(0.3, 0.778, 0.70), "w1": run(1, 0.770, 0.77)}
    sweep = report.evidence_sweep(runs)
    assert sweep["chosen"] == "w0.3"  # w1 agrees more but is 1.2 points below the best
    assert [row["evidence_weight"] for row in sweep["runs"]] == [0, 0.3, 1]


def test_the_weight_zero_run_wins_when_evidence_costs_too_much_f1():
    runs = {"w0": run(0, 0.782, 0.60), "w1": run(1, 0.770, 0.77)}
    assert report.evidence_sweep(runs)["chosen"] == "w0"


def test_baselines_are_left_out_and_every_budget_competes():
    runs = {"w0": run(0, 0.782, 0.60), "cls": run(0, 0.79, 0.0, label_attention=False)}
    assert [row["run"] for row in report.evidence_sweep(runs)["runs"]] == ["w0"]
    # All layers trained: the best micro-F1, but the 3-layer run with evidence is within half a point and agrees more.
    runs = {"w0": run(0, 0.782, 0.60), "w0.3": run(0.3, 0.791, 0.78), "all-w0": run(0, 0.793, 0.56, layers=6)}
    sweep = report.evidence_sweep(runs)
    assert sweep["chosen"] == "w0.3"
    assert [(row["train_layers"], row["evidence_weight"]) for row in sweep["runs"]] == [(3, 0), (3, 0.3), (6, 0)]


def test_carried_rows_stay_and_a_run_on_disk_replaces_its_row(tmp_path):
    earlier = {"old": run(0, 0.782, 0.60), "again": run(0.3, 0.70, 0.50)}
    again = tmp_path / "runs" / "again"
    again.mkdir(parents=True)
    (again / "metrics.json").write_text(
        json.dumps({"dev": {"micro_f1": 0.79, "macro_f1": 0.78}, "task": "multi_label"})
    )
    torch.save({"train_config": run(0.3, 0, 0)["config"] | {"batch_size": 16, "lr": 1e-4}}, again / "checkpoint.pt")
    runs = report.collect_runs(tmp_path, earlier)
    assert list(runs) == ["again", "old"]
    assert runs["old"] == earlier["old"]
    assert runs["again"]["dev"]["micro_f1"] == 0.79 and runs["again"]["config"]["evidence_weight"] == 0.3


def test_sweep_rows_name_their_threshold_rule():
    runs = {"old": run(0, 0.78, 0.6), "new": run(0.1, 0.80, 0.8) | {"threshold_rule": {"rule": "global"}}}
    rows = {row["run"]: row["thresholds"] for row in report.evidence_sweep(runs)["runs"]}
    assert rows == {"old": "per-label", "new": "global"}  # runs from before the rule tuned per label
