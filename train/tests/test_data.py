"""Dataset files: validation with file and line, overrides by id, evidence spans to tokens."""

import json
from pathlib import Path

import numpy as np
import pytest
from transformers import AutoTokenizer

from train.data import DataError, evidence_mask, infer_task, load_labels, load_records
from train.evaluate import choose_thresholds, decision_margin, evidence_report, tune_thresholds, windows
from train.train import main

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny-model"


@pytest.fixture
def labels(tmp_path):
    path = tmp_path / "labels.json"
    path.write_text(
        json.dumps({"labels": [{"name": "A", "description": "about a"}, {"name": "B", "description": "about b"}]})
    )
    return load_labels(path)


def write(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return path


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", ":2: not valid JSON"),
        ('["a list"]', ":2: expected a JSON object"),
        ('{"id": "x", "labels": []}', ":2: field 'text'"),
        ('{"id": "x", "text": "t", "labels": "A"}', ":2: field 'labels' must be a list"),
        ('{"text": "t", "labels": []}', ":2: field 'id'"),
        ('{"id": "x", "text": "t", "labels": ["C"]}', "unknown label 'C'; known labels: A, B"),
        ('{"id": "x", "text": "t", "labels": [], "sentences": [{"start": 0, "end": 99}]}', "sentences[0]"),
    ],
)
def test_malformed_lines_name_file_line_and_field(tmp_path, labels, line, message):
    path = write(tmp_path, "bad.jsonl", [{"id": "ok", "text": "fine", "labels": ["A"]}, line])
    with pytest.raises(DataError) as err:
        load_records([path], labels)
    assert str(path) in str(err.value) and message in str(err.value)


def test_missing_file_is_a_clear_error(tmp_path, labels):
    with pytest.raises(DataError, match="data file not found"):
        load_records([tmp_path / "nope.jsonl"], labels)


def test_later_files_override_earlier_ids_and_empty_texts_are_skipped(tmp_path, labels, caplog):
    first = write(
        tmp_path,
        "a.jsonl",
        [
            {"id": "1", "text": "one", "labels": ["A"]},
            {"id": "2", "text": "two", "labels": []},
            {"id": "3", "text": "  ", "labels": []},
        ],
    )
    second = write(tmp_path, "b.jsonl", [{"id": "1", "text": "one, corrected", "labels": ["B"], "model": {"x": 1}}])
    records = load_records([first, second], labels)
    assert [(r.id, r.labels) for r in records] == [("2", []), ("1", ["B"])]
    assert "skipped 1 record(s) with empty text" in caplog.text
    assert infer_task(records) == "multi_label"


def test_evidence_spans_map_to_tokens_including_partial_word_pieces():
    tokenizer = AutoTokenizer.from_pretrained(str(TINY))
    text = "Tumours grow. Angiogenesis follows."
    enc = tokenizer(text, return_offsets_mapping=True)
    offsets = [tuple(o) for o in enc["offset_mapping"]]
    labels = load_labels(ROOT / "data" / "hoc" / "labels.json")
    start = text.index("giogenesis")  # the evidence span starts inside a word piece
    mask = evidence_mask(offsets, [(start, len(text), ["Inducing angiogenesis"])], labels)
    row = mask[[label.name for label in labels].index("Inducing angiogenesis")]
    covered = {tokenizer.convert_ids_to_tokens(enc["input_ids"][t]) for t in range(len(offsets)) if row[t]}
    first_piece = tokenizer.tokenize("Angiogenesis")[0]
    assert first_piece.startswith("an") and first_piece in covered  # the piece the span starts inside
    assert "follows" in covered and "grow" not in covered
    assert row[0] == 0 and row[-1] == 0  # [CLS] and [SEP] are never evidence
    assert mask.sum() == row.sum()  # other labels get nothing


def test_threshold_tuning_finds_the_separating_threshold():
    probs = np.array([[0.9, 0.2], [0.7, 0.1], [0.3, 0.15], [0.2, 0.05]])
    gold = np.array([[1, 0], [1, 0], [0, 0], [0, 0]])
    th = tune_thresholds(gold, probs)
    assert 0.3 < th[0] <= 0.7
    assert th[1] == 0.5  # no positives: left at 0.5


def test_threshold_choice_keeps_per_label_thresholds_where_one_label_is_scored_low():
    rng = np.random.default_rng(0)
    gold = (rng.random((120, 2)) < 0.4).astype(float)
    # Label 0 separates at 0.6, label 1 only at 0.15: no single threshold serves both.
    probs = np.stack([np.where(gold[:, 0] == 1, 0.9, 0.4), np.where(gold[:, 1] == 1, 0.2, 0.05)], 1)
    probs = probs + rng.uniform(-0.04, 0.04, probs.shape)
    th, choice = choose_thresholds(gold, probs)
    assert choice["rule"] == "per-label"
    assert choice["cross_validated_micro_f1"]["per-label"] == 1.0 > choice["cross_validated_micro_f1"]["global"]
    assert 0.44 < th[0] <= 0.86 and 0.09 < th[1] <= 0.16


def test_threshold_choice_falls_back_to_one_threshold_where_per_label_ones_fit_noise():
    rng = np.random.default_rng(1)
    gold = (rng.random((150, 8)) < 0.1).astype(float)  # a dozen positives a label, as in HoC's tuning share
    probs = 1 / (1 + np.exp(-(rng.normal(0, 1.5, gold.shape) + 3 * (2 * gold - 1))))  # one calibration for all
    th, choice = choose_thresholds(gold, probs)
    scores = choice["cross_validated_micro_f1"]
    assert choice["rule"] == "global" and scores["global"] >= scores["per-label"]
    assert len(set(th)) == 1
    per_label, fixed = choose_thresholds(gold, probs, "per-label")
    assert fixed == {"rule": "per-label"} and np.array_equal(per_label, tune_thresholds(gold, probs))


def test_decision_margin_is_the_distance_to_the_nearest_flip():
    probs = np.array([[0.9, 0.32], [0.52, 0.1]])
    # multi-label: the label closest to its threshold decides
    np.testing.assert_allclose(decision_margin(probs, np.array([0.5, 0.3])), [0.02, 0.02])
    np.testing.assert_allclose(decision_margin(probs, np.array([0.4, 0.5])), [0.18, 0.12])
    # single-label: top probability minus the runner-up
    np.testing.assert_allclose(decision_margin(np.array([[0.6, 0.3, 0.1], [0.4, 0.35, 0.25]]), None), [0.3, 0.05])


def test_windows_cover_every_token():
    spans = windows(1000, 512, 384)
    covered = set()
    for a, b in spans:
        assert b - a <= 510
        covered.update(range(a, b))
    assert covered == set(range(1000)) and windows(10, 512, 384) == [(0, 10)]


def test_evidence_report_counts_hits_and_chance():
    from train.data import Record

    r = Record("1", "aaa bbb", ["A"], [(0, 3, ["A"]), (4, 7, [])])
    offsets = [(0, 3), (4, 7)]
    hit = evidence_report([r], [np.array([[0.9, 0.1], [0.5, 0.5]])], [offsets], ["A", "B"])
    miss = evidence_report([r], [np.array([[0.2, 0.8], [0.5, 0.5]])], [offsets], ["A", "B"])
    assert hit["evidence_agreement"] == 1.0 and miss["evidence_agreement"] == 0.0
    assert hit["random_sentence"] == 0.5 and abs(hit["evidence_mass"] - 0.9) < 1e-6


def test_cli_reports_bad_data_without_a_traceback(tmp_path, capsys):
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps({"labels": [{"name": "A", "description": "a"}, {"name": "B", "description": "b"}]}))
    bad = write(tmp_path, "train.jsonl", [{"id": "1", "text": "t", "labels": ["Z"]}])
    assert main(["--data", str(bad), "--labels", str(labels), "--encoder", "tiny", "--smoke"]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:1: unknown label 'Z'" in err and "Traceback" not in err
