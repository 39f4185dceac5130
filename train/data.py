"""Dataset files (JSON Lines, the shape of docs/model-contract.md) and their tokenization.

Training accepts any number of files; later records with the same id override earlier ones,
which is how corrections exported from the app come back.
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass, field
from pathlib import Path

import torch

log = logging.getLogger("labelwise.data")


class DataError(Exception):
    """A data problem a user can fix; the message says which file, line and field."""


@dataclass
class Label:
    name: str
    description: str


@dataclass
class Record:
    id: str
    text: str
    labels: list[str]
    # (start, end, labels) character spans of expert evidence; None where not annotated
    sentences: list[tuple[int, int, list[str]]] | None = None
    source: str = ""  # "file:line", for messages


@dataclass
class Encoded:
    """One tokenized document. targets [L]; evidence [L, T] (None without sentences)."""

    id: str
    input_ids: list[int]
    targets: torch.Tensor
    evidence: torch.Tensor | None = None
    offsets: list[tuple[int, int]] = field(default_factory=list)


def load_labels(path: str | Path) -> list[Label]:
    """labels.json: {"labels": [{"name": ..., "description": ...}, ...]} in the model's label order."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path}: label file not found") from None
    except json.JSONDecodeError as e:
        raise DataError(f"{path}:{e.lineno}: not valid JSON ({e.msg})") from None
    labels = []
    for i, item in enumerate(raw.get("labels", []) if isinstance(raw, dict) else []):
        name, description = item.get("name"), item.get("description")
        if not isinstance(name, str) or not name.strip() or not isinstance(description, str) or not description.strip():
            raise DataError(f"{path}: labels[{i}] needs a non-empty 'name' and 'description'")
        labels.append(Label(name, description))
    if len(labels) < 2:
        raise DataError(f"{path}: needs a 'labels' list of at least two labels")
    if len({label.name for label in labels}) != len(labels):
        raise DataError(f"{path}: label names must be unique")
    return labels


def _parse_line(line: str, where: str, known: set[str]) -> Record | None:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise DataError(f"{where}: not valid JSON ({e.msg} at column {e.colno})") from None
    if not isinstance(obj, dict):
        raise DataError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    rid, text, labels = obj.get("id"), obj.get("text"), obj.get("labels")
    if not isinstance(rid, (str, int)) or str(rid) == "":
        raise DataError(f"{where}: field 'id' is missing or not a string")
    if not isinstance(text, str):
        raise DataError(f"{where}: field 'text' is missing or not a string")
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise DataError(f"{where}: field 'labels' must be a list of label names")
    unknown = [x for x in labels if x not in known]
    if unknown:
        raise DataError(f"{where}: unknown label {unknown[0]!r}; known labels: {', '.join(sorted(known))}")
    if not text.strip():
        return None
    sentences = None
    if isinstance(obj.get("sentences"), list):
        sentences = []
        for j, s in enumerate(obj["sentences"]):
            ok = isinstance(s, dict) and isinstance(s.get("start"), int) and isinstance(s.get("end"), int)
            if not ok or not 0 <= s["start"] <= s["end"] <= len(text):
                raise DataError(f"{where}: sentences[{j}] needs integer 'start' <= 'end' within the text")
            sentence_labels = s.get("labels") or []
            bad = [x for x in sentence_labels if x not in known]
            if bad:
                raise DataError(f"{where}: sentences[{j}] has unknown label {bad[0]!r}")
            sentences.append((s["start"], s["end"], list(sentence_labels)))
    return Record(str(rid), text, list(dict.fromkeys(labels)), sentences, where)


def load_records(paths: list[str | Path], labels: list[Label]) -> list[Record]:
    """Read JSONL files in order; a later record with the same id replaces an earlier one.

    Empty texts are skipped and counted in the log; any malformed line raises a DataError
    naming its file and line.
    """
    known = {label.name for label in labels}
    by_id: dict[str, Record] = {}
    skipped = 0
    for path in map(Path, paths):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise DataError(f"{path}: data file not found") from None
        except UnicodeDecodeError as e:
            raise DataError(f"{path}: not UTF-8 text (byte {e.start})") from None
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            record = _parse_line(line, f"{path}:{n}", known)
            if record is None:
                skipped += 1
                continue
            by_id.pop(record.id, None)  # re-insert so the order follows the latest occurrence
            by_id[record.id] = record
    if skipped:
        log.warning("skipped %d record(s) with empty text", skipped)
    if not by_id:
        raise DataError(f"no usable records in {', '.join(map(str, paths))}")
    return list(by_id.values())


def infer_task(records: list[Record]) -> str:
    """single_label when every record has exactly one label, else multi_label."""
    return "single_label" if all(len(r.labels) == 1 for r in records) else "multi_label"


def evidence_mask(
    offsets: list[tuple[int, int]], sentences: list[tuple[int, int, list[str]]], labels: list[Label]
) -> torch.Tensor:
    """[L, T] 0/1: token t lies (even partly) in a sentence an expert gave as evidence for label l.

    Overlap, not containment, so a sentence that starts or ends inside a word piece still
    claims that piece. Special tokens have the empty span (0, 0) and never count.
    """
    index = {label.name: i for i, label in enumerate(labels)}
    mask = torch.zeros(len(labels), len(offsets))
    for start, end, sentence_labels in sentences:
        rows = [index[x] for x in sentence_labels]
        if not rows:
            continue
        for t, (a, b) in enumerate(offsets):
            if b > a and a < end and b > start:
                mask[rows, t] = 1.0
    return mask


def encode(records: list[Record], labels: list[Label], tokenizer, max_length: int) -> list[Encoded]:
    """Tokenize documents ([CLS] ... [SEP], truncated to max_length for training)."""
    index = {label.name: i for i, label in enumerate(labels)}
    out = []
    for r in records:
        enc = tokenizer(r.text, truncation=True, max_length=max_length, return_offsets_mapping=True)
        targets = torch.zeros(len(labels))
        for name in r.labels:
            targets[index[name]] = 1.0
        offsets = [tuple(o) for o in enc["offset_mapping"]]
        evidence = evidence_mask(offsets, r.sentences, labels) if r.sentences else None
        out.append(Encoded(r.id, enc["input_ids"], targets, evidence, offsets))
    return out


def collate(batch: list[Encoded], pad_id: int) -> dict[str, torch.Tensor]:
    """Pad to the longest document in the batch."""
    width = max(len(e.input_ids) for e in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    evidence = torch.zeros((len(batch), len(batch[0].targets), width))
    for i, e in enumerate(batch):
        ids[i, : len(e.input_ids)] = torch.tensor(e.input_ids)
        mask[i, : len(e.input_ids)] = 1
        if e.evidence is not None:
            evidence[i, :, : e.evidence.shape[1]] = e.evidence
    return {
        "input_ids": ids,
        "attention_mask": mask,
        "targets": torch.stack([e.targets for e in batch]),
        "evidence": evidence,
    }


def length_batches(items: list[Encoded], batch_size: int, rng: random.Random) -> list[list[Encoded]]:
    """Batches of similar length (less padding on a CPU), in random order."""
    order = sorted(range(len(items)), key=lambda i: (len(items[i].input_ids), rng.random()))
    batches = [[items[i] for i in order[k : k + batch_size]] for k in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return batches
