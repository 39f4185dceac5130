"""Inference on a model folder as src/core does it: windows, combining logits over windows, sigmoid or softmax,
thresholds, and the borderline recheck. Shared by train/evaluate.py, train/agreement.py, bench/python_throughput.py and
labelwise_batch, so every Python figure is computed the way the app and the CLI compute it.

Imports neither torch nor transformers: the batch job's actors load only onnxruntime and tokenizers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np


def windows(n_content: int, length: int, stride: int) -> list[tuple[int, int]]:
    """[start, end) ranges of content tokens; each window adds [CLS] and [SEP] (so length - 2 content).
    As src/core/windows.ts: one window every `stride` tokens, the last one ending on the last token."""
    size = length - 2
    if n_content <= size:
        return [(0, n_content)]
    starts = list(range(0, n_content - size, stride)) + [n_content - size]
    return [(s, s + size) for s in dict.fromkeys(starts)]


def window_rows(ids: list[int], cls_id: int, sep_id: int, length: int, stride: int) -> list[list[int]]:
    """The windows of one document's content token ids as the graph takes them: [CLS] ... [SEP] each."""
    return [[cls_id, *ids[a:b], sep_id] for a, b in windows(len(ids), length, stride)]


def combine_logits(window_logits: np.ndarray, multi_label: bool) -> np.ndarray:
    """[windows, labels] -> [labels] float64: max for multi-label (a label present anywhere is present), mean for
    single-label (src/core/postprocess.ts combineLogits)."""
    window_logits = np.asarray(window_logits, dtype=np.float64)
    return window_logits.max(0) if multi_label else window_logits.mean(0)


def probabilities(logits: np.ndarray, multi_label: bool) -> np.ndarray:
    """Sigmoid per label (multi-label) or softmax over the last axis (single-label)."""
    if multi_label:
        return 1 / (1 + np.exp(-logits))
    exps = np.exp(logits - logits.max(-1, keepdims=True))
    return exps / exps.sum(-1, keepdims=True)


def predict_labels(probs: np.ndarray, names: list[str], thresholds: np.ndarray | None) -> list[str]:
    """Predicted names in model.json order: probability >= threshold, or the argmax (thresholds None: single-label)."""
    if thresholds is None:
        return [names[int(np.argmax(probs))]]
    return [name for name, p, t in zip(names, probs, thresholds, strict=True) if p >= t]


def near_threshold(probs: np.ndarray, thresholds: np.ndarray, margin: float) -> np.ndarray:
    """Per document ([N, L] -> [N] bool): some probability lies within `margin` of its threshold."""
    return (np.abs(np.atleast_2d(probs) - thresholds) < margin).any(-1)


@dataclass(frozen=True)
class Manifest:
    """What inference needs from model.json."""

    id: str
    version: str
    names: list[str]
    thresholds: np.ndarray | None  # None for single-label
    length: int
    stride: int
    files: dict[str, str]
    borderline: dict | None  # {"margin", "precision"}, multi-label only

    @property
    def multi_label(self) -> bool:
        return self.thresholds is not None

    @classmethod
    def load(cls, model_dir: Path) -> Manifest:
        raw = json.loads((Path(model_dir) / "model.json").read_text())
        multi_label = raw["task"] == "multi_label"
        return cls(
            id=raw["id"],
            version=raw["version"],
            names=[label["name"] for label in raw["labels"]],
            thresholds=np.array([label["threshold"] for label in raw["labels"]], dtype=np.float64)
            if multi_label
            else None,
            length=raw["window"]["length"],
            stride=raw["window"]["stride"],
            files=raw["files"],
            borderline=raw.get("borderline") if multi_label else None,
        )


def open_session(path: Path, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def session_runner(session):
    """Window rows ([rows, seq] int64, padded with 0 where the mask is 0) -> logits [rows, labels]."""

    def run(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return session.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]

    return run


def length_batches(lengths: list[int], max_rows: int, max_tokens: int) -> list[list[int]]:
    """Row indices grouped by length (shortest first) so a padded run wastes little: at most `max_rows` rows and
    `max_tokens` padded tokens per run."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    for i in order:
        last = batches[-1] if batches else None
        if last and len(last) < max_rows and (len(last) + 1) * lengths[i] <= max_tokens:
            last.append(i)
        else:
            batches.append([i])
    return batches


def run_rows(run, rows: list[list[int]], max_rows: int = 1, max_tokens: int = 8192) -> np.ndarray:
    """Logits [rows, labels] for window rows of any lengths, run in length-sorted padded batches (max_rows=1: one
    window per run, as the CLI does)."""
    out: list[np.ndarray | None] = [None] * len(rows)
    for batch in length_batches([len(row) for row in rows], max_rows, max_tokens):
        width = max(len(rows[i]) for i in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for r, i in enumerate(batch):
            ids[r, : len(rows[i])] = rows[i]
            mask[r, : len(rows[i])] = 1
        for r, logits in zip(batch, run(ids, mask), strict=True):
            out[r] = logits
    return np.stack(out) if out else np.zeros((0, 0))


class OnnxClassifier:
    """A model folder on ONNX Runtime, as src/core/classifier.ts runs it: the `precision` graph (int8 by default), and
    for a multi-label document with a probability within model.json's borderline margin of a threshold, the
    borderline graph's scores instead (that graph opened on the first document that needs it). `runner` replaces
    the ONNX graph (bench/python_throughput.py's PyTorch backend); `recheck=False` turns the recheck off."""

    def __init__(self, model_dir: Path, precision: str = "int8", threads: int = 2, runner=None, recheck: bool = True):
        from tokenizers import Tokenizer

        self.model_dir = Path(model_dir)
        self.manifest = Manifest.load(self.model_dir)
        self.threads = threads
        self.tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.cls_id = self.tokenizer.token_to_id("[CLS]")
        self.sep_id = self.tokenizer.token_to_id("[SEP]")
        self.run = runner or session_runner(open_session(self.model_dir / self.manifest.files[precision], threads))
        borderline = self.manifest.borderline
        self.borderline = borderline if recheck and borderline and borderline["precision"] != precision else None
        self._second = None

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        return [encoding.ids for encoding in self.tokenizer.encode_batch(texts, add_special_tokens=False)]

    def _probabilities(self, run, ids: list[list[int]], max_rows: int) -> np.ndarray:
        m = self.manifest
        rows, owner = [], []
        for doc, doc_ids in enumerate(ids):
            for row in window_rows(doc_ids, self.cls_id, self.sep_id, m.length, m.stride):
                rows.append(row)
                owner.append(doc)
        logits = run_rows(run, rows, max_rows)
        owner = np.array(owner)
        return np.stack(
            [
                probabilities(combine_logits(logits[owner == doc], m.multi_label), m.multi_label)
                for doc in range(len(ids))
            ]
        )

    def score_ids(self, ids: list[list[int]], max_rows: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities [N, L] float64 and whether the borderline graph rescored each document [N]."""
        if not ids:
            return np.zeros((0, len(self.manifest.names))), np.zeros(0, dtype=bool)
        probs = self._probabilities(self.run, ids, max_rows)
        rechecked = np.zeros(len(ids), dtype=bool)
        if self.borderline:
            rechecked = near_threshold(probs, self.manifest.thresholds, self.borderline["margin"])
            if rechecked.any():
                if self._second is None:
                    path = self.model_dir / self.manifest.files[self.borderline["precision"]]
                    self._second = session_runner(open_session(path, self.threads))
                again = np.flatnonzero(rechecked)
                probs[again] = self._probabilities(self._second, [ids[i] for i in again], max_rows)
        return probs, rechecked

    def score(self, texts: list[str], max_rows: int = 1) -> tuple[np.ndarray, np.ndarray]:
        return self.score_ids(self.token_ids(texts), max_rows)

    def labels(self, probs: np.ndarray) -> list[str]:
        return predict_labels(probs, self.manifest.names, self.manifest.thresholds)
