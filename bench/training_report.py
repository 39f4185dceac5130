"""Collect the training runs (runs/*/metrics.json) and shipped model sizes into one JSON report.

python bench/training_report.py > bench/results/training.json
"""

import json
import sys
from pathlib import Path

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
)


def main() -> int:
    runs = {}
    for metrics in sorted(ROOT.glob("runs/*/metrics.json")):
        report = json.loads(metrics.read_text())
        runs[metrics.parent.name] = {k: report[k] for k in (*KEEP, "config") if k in report}
    models = {}
    for manifest in sorted(ROOT.glob("public/models/*/model.json")):
        m = json.loads(manifest.read_text())
        committed = sum(f.stat().st_size for f in manifest.parent.iterdir() if f.name != "model.onnx")
        models[m["id"]] = {"sizes": m.get("sizes"), "committed_bytes": committed, "metrics": m.get("metrics")}
    json.dump({"runs": runs, "models": models}, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
