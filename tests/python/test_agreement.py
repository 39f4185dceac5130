"""`labelwise agree` against scikit-learn's cohen_kappa_score on the same two reviewers' decisions."""

import json
import subprocess
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests/fixtures/agreement"


def reviewed(name):
    records = [json.loads(line) for line in (FIXTURES / name).read_text().splitlines() if line.strip()]
    return {r["id"]: r["labels"] for r in records if r["status"] in ("accepted", "corrected")}


def agree(a, b, *extra):
    command = ["node", "bin/labelwise.mjs", "agree", "--a", str(FIXTURES / a), "--b", str(FIXTURES / b), *extra]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def multi():
    return agree("multi-a.jsonl", "multi-b.jsonl")


def test_per_label_kappa_matches_scikit_learn(multi):
    a, b = reviewed("multi-a.jsonl"), reviewed("multi-b.jsonl")
    ids = [i for i in a if i in b]
    assert multi["documents"] == len(ids) == 38
    labels = sorted({label for d in (a, b) for labels in d.values() for label in labels})
    assert sorted(multi["labels"]) == labels  # several labels per document: no "*" entry
    for label in labels:
        ya = [label in a[i] for i in ids]
        yb = [label in b[i] for i in ids]
        entry = multi["labels"][label]
        assert entry["kappa"] == pytest.approx(cohen_kappa_score(ya, yb), abs=1e-6)
        same = sum(x == y for x, y in zip(ya, yb, strict=True))
        assert entry["agreement"] == pytest.approx(same / len(ids), abs=1e-6)
        assert entry["both"] + entry["only_a"] + entry["only_b"] + entry["neither"] == len(ids)
        low, high = entry["kappa_ci"]
        assert low < entry["kappa"] < high


def test_whole_decision_of_a_single_label_scheme_matches_scikit_learn():
    result = agree("single-a.jsonl", "single-b.jsonl")
    a, b = reviewed("single-a.jsonl"), reviewed("single-b.jsonl")
    ids = list(a)
    ya = [(a[i] or ["none"])[0] for i in ids]
    yb = [(b[i] or ["none"])[0] for i in ids]
    assert result["labels"]["*"]["kappa"] == pytest.approx(cohen_kappa_score(ya, yb), abs=1e-6)


def test_one_label_only(multi):
    result = agree("multi-a.jsonl", "multi-b.jsonl", "--label", "Resisting cell death")
    assert list(result["labels"]) == ["Resisting cell death"]
    assert result["labels"]["Resisting cell death"] == multi["labels"]["Resisting cell death"]
