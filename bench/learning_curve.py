"""Learning curve of the taught learner against TF-IDF + logistic regression on the same documents (issue 19).

    .venv/bin/python bench/learning_curve.py --out bench/results/learning-curve.json [--sets hoc mtc5]

For each set, `labelwise simulate` screens the pool (train) in the app's order for the whole scheme (most uncertain
first), starting from the label descriptions alone and training after every decision, and scores dev after 0, 10,
25, 50, 100, 200 and 400 decisions. The baseline is TF-IDF (word 1-2 grams, sublinear tf, fitted on pool + dev text
as the learner's idf is) with one class-balanced logistic regression per label (multi-label: each label predicted
for the share of dev it has among the decided documents, since at 0.5 an under-trained LR predicts nothing; no dev
label is used) or one multinomial one (single-label), trained on the same first n documents in the same order, at
C = 1 (sklearn's default) and C = 100; the target compares with the better of the two at each step. The shipped
fine-tuned model's dev figures (trained on all of train) stand beside them for reference.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from screening import cpu_model, run_simulate  # bench/ is on the path when run as a script
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

ROOT = Path(__file__).resolve().parent.parent
STEPS = [0, 10, 25, 50, 100, 200, 400]
SETS = {
    "hoc": ("data/hoc/train.jsonl", "data/hoc/dev.jsonl", "data/hoc/labels.json", "multi_label", "hoc-minilm-lame"),
    "mtc5": (
        "data/mtc5/train.jsonl",
        "data/mtc5/dev.jsonl",
        "data/mtc5/labels.json",
        "single_label",
        "mtc5-minilm-lame",
    ),
}


def read(path: str) -> list[dict]:
    return [json.loads(line) for line in (ROOT / path).read_text().splitlines() if line.strip()]


def tfidf_curve(pool: list[dict], dev: list[dict], order: list[int], names: list[str], task: str, c: float) -> dict:
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    vectorizer.fit([r["text"] for r in pool + dev])
    x_pool = vectorizer.transform([r["text"] for r in pool])
    x_dev = vectorizer.transform([r["text"] for r in dev])
    gold = np.array([[name in r["labels"] for name in names] for r in dev], dtype=int)
    out: dict[str, dict | None] = {}
    for n in STEPS:
        seen = order[:n]
        if n == 0 or len(seen) < n:
            out[str(n)] = None
            continue
        y = np.array([[name in pool[i]["labels"] for name in names] for i in seen], dtype=int)
        if task == "single_label":
            classes = sorted(set(int(np.argmax(row)) for row in y))
            predicted = np.zeros_like(gold)
            if len(classes) == 1:
                predicted[:, classes[0]] = 1
            else:
                model = LogisticRegression(C=c, class_weight="balanced", max_iter=1000)
                model.fit(x_pool[seen], y.argmax(axis=1))
                predicted[np.arange(len(dev)), model.predict(x_dev)] = 1
        else:
            predicted = np.zeros_like(gold)
            for label in range(len(names)):
                column = y[:, label]
                if column.min() == column.max():
                    predicted[:, label] = column[0]
                    continue
                model = LogisticRegression(C=c, class_weight="balanced", max_iter=1000)
                model.fit(x_pool[seen], column)
                # At 0.5 an under-trained LR predicts nothing: predict the label for the same share of dev as it
                # has among the decided documents (the prevalence; no dev label is used).
                top = int(round(column.mean() * len(dev)))
                if top > 0:
                    predicted[np.argsort(-model.predict_proba(x_dev)[:, 1])[:top], label] = 1
        out[str(n)] = {
            "micro_f1": round(float(f1_score(gold, predicted, average="micro", zero_division=0)), 4),
            "macro_f1": round(float(f1_score(gold, predicted, average="macro", zero_division=0)), 4),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=ROOT / "bench/results/learning-curve.json")
    p.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    a = p.parse_args(argv)
    cpu = cpu_model()
    results = {}
    for name in a.sets:
        pool_file, dev_file, scheme_file, task, shipped = SETS[name]
        pool, dev = read(pool_file), read(dev_file)
        scheme = json.loads((ROOT / scheme_file).read_text())
        names = [label["name"] for label in scheme["labels"]]
        with tempfile.TemporaryDirectory(prefix="curve-") as tmp:
            scheme_path = Path(tmp) / "scheme.json"
            scheme_path.write_text(json.dumps({**scheme, "task": task}))
            args = ["--data", pool_file, "--scheme", str(scheme_path), "--eval", dev_file]
            steps, seconds, report = run_simulate([*args, "--stop-after", str(STEPS[-1])], Path(tmp) / "summary.json")
        index = {r["id"]: i for i, r in enumerate(pool)}
        order = [index[json.loads(line)["id"]] for line in steps.splitlines()]
        learner = report["evaluation"]["by_step"]
        baselines = {f"C={c:g}": tfidf_curve(pool, dev, order, names, task, c) for c in (1.0, 100.0)}
        model = json.loads((ROOT / "public/models" / shipped / "model.json").read_text())
        results[name] = {
            "pool": pool_file,
            "eval": dev_file,
            "task": task,
            "documents": {"pool": len(pool), "eval": len(dev)},
            "labelwise": {str(n): learner.get(str(n)) for n in STEPS},
            "tfidf_logistic_regression": baselines,
            # Against the better of the two baselines at each step (chosen on dev: in the baseline's favour).
            "above_tfidf_from_25": all(
                (learner.get(str(n)) or {}).get("micro_f1", 0) > max(b[str(n)]["micro_f1"] for b in baselines.values())
                for n in STEPS
                if n >= 25
            ),
            "order": [pool[i]["id"] for i in order],
            "shipped_fine_tuned": {
                "model": f"{model['id']} {model['version']}",
                "trained_on": "all of train",
                "dev": {k: v for k, v in model["metrics"]["dev"].items() if k in ("micro_f1", "macro_f1", "accuracy")},
            },
            "simulate_seconds": round(seconds, 1),
            "training_ms": report["training_ms"],
        }
        print(json.dumps({name: results[name]}), flush=True)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(
        json.dumps(
            {
                "benchmark": "learning curve: labelwise simulate (app order) vs TF-IDF + logistic regression",
                "command": ".venv/bin/python bench/learning_curve.py "
                + " ".join(argv if argv is not None else sys.argv[1:]),
                "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "cpu": cpu,
                "load_average": [round(x, 2) for x in os.getloadavg()],
                "steps": STEPS,
                "sets": results,
            },
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
