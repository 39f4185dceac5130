"""Inference over whole documents (windows, as the app does), metrics, thresholds, evidence agreement."""

from __future__ import annotations

import numpy as np
import torch

from .data import Record
from .inference import combine_logits, probabilities, windows
from .model import Classifier


@torch.no_grad()
def predict(
    model: Classifier,
    label_embeddings: torch.Tensor,
    records: list[Record],
    tokenizer,
    length: int,
    stride: int,
    multi_label: bool,
) -> tuple[np.ndarray, list[np.ndarray], list[list[tuple[int, int]]]]:
    """Probabilities [N, L], per-document token attention [L, T] (content tokens, rows sum to 1),
    and each document's token character offsets.

    Long documents are split into windows; a label's logit is the max over windows
    (multi-label) or the mean (single-label); a token's attention is the mean over the
    windows that cover it, renormalised.
    """
    model.eval()
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    probs, attentions, all_offsets = [], [], []
    for r in records:
        enc = tokenizer(r.text, add_special_tokens=False, return_offsets_mapping=True)
        ids, offsets = enc["input_ids"], [tuple(o) for o in enc["offset_mapping"]]
        n_labels = label_embeddings.shape[0]
        spans = windows(len(ids), length, stride)
        batch = torch.tensor([[cls] + ids[a:b] + [sep] for a, b in spans])
        logits, attention = model(batch, torch.ones_like(batch), label_embeddings)
        doc_probs = probabilities(combine_logits(logits.numpy(), multi_label), multi_label)
        probs.append(doc_probs.astype(np.float32))
        token_attention = torch.zeros(n_labels, len(ids))
        if attention is not None:
            cover = torch.zeros(len(ids))
            for w, (a, b) in enumerate(spans):
                token_attention[:, a:b] += attention[w, :, 1 : 1 + b - a]
                cover[a:b] += 1
            token_attention = token_attention / cover.clamp(min=1)
            token_attention = token_attention / token_attention.sum(-1, keepdim=True).clamp(min=1e-12)
        attentions.append(token_attention.numpy())
        all_offsets.append(offsets)
    return np.stack(probs), attentions, all_offsets


def f1_scores(gold: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """gold, pred [N, L] 0/1 -> micro- and macro-F1 (a label with no gold and no predictions counts 1)."""
    tp = (gold * pred).sum(0)
    fp = ((1 - gold) * pred).sum(0)
    fn = (gold * (1 - pred)).sum(0)
    micro = 2 * tp.sum() / max(2 * tp.sum() + fp.sum() + fn.sum(), 1e-12)
    denom = 2 * tp + fp + fn
    per_label = np.where(denom > 0, 2 * tp / np.maximum(denom, 1e-12), 1.0)
    return {"micro_f1": float(micro), "macro_f1": float(per_label.mean())}


def decide(probs: np.ndarray, thresholds: np.ndarray | None) -> np.ndarray:
    """Multi-label: probability >= threshold. Single-label (thresholds None): the argmax."""
    if thresholds is None:
        return np.eye(probs.shape[1])[probs.argmax(1)]
    return (probs >= thresholds).astype(float)


def decision_margin(probs: np.ndarray, thresholds: np.ndarray | None) -> np.ndarray:
    """Per document, how far its probabilities are from changing the decision: multi-label, the smallest
    |probability - threshold| over its labels; single-label, the top probability minus the runner-up. [N]"""
    if thresholds is None:
        top = np.sort(probs, axis=1)
        return top[:, -1] - top[:, -2]
    return np.abs(probs - thresholds).min(1)


def metrics(gold: np.ndarray, probs: np.ndarray, thresholds: np.ndarray | None) -> dict[str, float]:
    pred = decide(probs, thresholds)
    out = f1_scores(gold, pred)
    if thresholds is None:
        out["accuracy"] = float((pred.argmax(1) == gold.argmax(1)).mean())
    return {k: round(v, 4) for k, v in out.items()}


def tune_thresholds(gold: np.ndarray, probs: np.ndarray, grid: np.ndarray | None = None) -> np.ndarray:
    """Per label, the threshold on the grid that maximises that label's F1 (0.5 where it has no positives).

    Ties go to the threshold nearest 0.5, the least committal choice.
    """
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2) if grid is None else grid
    thresholds = np.full(gold.shape[1], 0.5)
    for label in range(gold.shape[1]):
        if gold[:, label].sum() == 0:
            continue
        best, best_f1 = 0.5, -1.0
        for t in sorted(grid, key=lambda t: abs(t - 0.5)):
            pred = probs[:, label] >= t
            tp = (pred & (gold[:, label] == 1)).sum()
            f1 = 2 * tp / max(pred.sum() + gold[:, label].sum(), 1)
            if f1 > best_f1 + 1e-12:
                best, best_f1 = t, f1
        thresholds[label] = best
    return thresholds


def global_threshold(gold: np.ndarray, probs: np.ndarray, grid: np.ndarray | None = None) -> np.ndarray:
    """One threshold for every label: the grid value that maximises micro-F1 (ties nearest 0.5)."""
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2) if grid is None else grid
    best = max(
        sorted(grid, key=lambda t: abs(t - 0.5)),
        key=lambda t: f1_scores(gold, (probs >= t).astype(float))["micro_f1"],
    )
    return np.full(gold.shape[1], best)


THRESHOLD_RULES = {"per-label": tune_thresholds, "global": global_threshold}
THRESHOLD_CHOICES = ["auto", *THRESHOLD_RULES]  # what --thresholds accepts


def cross_validated_micro_f1(gold: np.ndarray, probs: np.ndarray, rule, folds: int = 5, repeats: int = 5) -> float:
    """Micro-F1 of a threshold rule on documents it was not fitted on: k-fold over the tuning documents,
    repeated over `repeats` shuffles, predictions pooled per repeat."""
    scores = []
    for repeat in range(repeats):
        order = np.random.default_rng(repeat).permutation(len(gold))
        pred = np.zeros_like(gold, dtype=float)
        for held_out in np.array_split(order, folds):
            fitted_on = np.setdiff1d(order, held_out)
            pred[held_out] = probs[held_out] >= rule(gold[fitted_on], probs[fitted_on])
        scores.append(f1_scores(gold, pred)["micro_f1"])
    return float(np.mean(scores))


def choose_thresholds(gold: np.ndarray, probs: np.ndarray, rule: str = "auto") -> tuple[np.ndarray, dict]:
    """Thresholds from the tuning documents, by `rule` ("per-label", "global" or "auto").

    Per-label thresholds fitted on a couple of hundred documents overfit a label with a dozen positives;
    one global threshold cannot correct a label the model scores too low. "auto" fits whichever rule
    scores higher under cross-validation on the tuning documents (ties: global, one parameter),
    so dev never takes part in the choice."""
    if rule != "auto":
        return THRESHOLD_RULES[rule](gold, probs), {"rule": rule}
    scores = {name: round(cross_validated_micro_f1(gold, probs, fit), 4) for name, fit in THRESHOLD_RULES.items()}
    chosen = "per-label" if scores["per-label"] > scores["global"] else "global"
    return THRESHOLD_RULES[chosen](gold, probs), {"rule": chosen, "cross_validated_micro_f1": scores}


def sentence_of_max_attention(attention: np.ndarray, offsets, sentences) -> int:
    """Index of the sentence whose tokens hold the most attention (one label's attention [T])."""
    mass = np.zeros(len(sentences))
    for t, (a, b) in enumerate(offsets):
        for s, (start, end, _) in enumerate(sentences):
            if b > a and a < end and b > start:
                mass[s] += attention[t]
                break
    return int(mass.argmax())


def evidence_report(records, attentions, all_offsets, label_names) -> dict[str, float]:
    """Over (abstract, gold label) pairs with sentence evidence: the share whose most-attended
    sentence is evidence for that label, the share a uniformly random sentence would get, and
    the mean attention mass inside evidence sentences."""
    index = {name: i for i, name in enumerate(label_names)}
    hits, chance, masses, pairs = 0, 0.0, [], 0
    for r, attention, offsets in zip(records, attentions, all_offsets, strict=True):
        if not r.sentences:
            continue
        for name in r.labels:
            is_evidence = [name in s_labels for _, _, s_labels in r.sentences]
            if not any(is_evidence):
                continue
            row = attention[index[name]]
            pairs += 1
            hits += is_evidence[sentence_of_max_attention(row, offsets, r.sentences)]
            chance += sum(is_evidence) / len(is_evidence)
            inside = [
                t
                for t, (a, b) in enumerate(offsets)
                if any(
                    ev and b > a and a < end and b > start
                    for ev, (start, end, _) in zip(is_evidence, r.sentences, strict=True)
                )
            ]
            masses.append(float(row[inside].sum()))
    if pairs == 0:
        return {"pairs": 0}
    return {
        "pairs": pairs,
        "evidence_agreement": round(hits / pairs, 4),
        "random_sentence": round(chance / pairs, 4),
        "evidence_mass": round(float(np.mean(masses)), 4),
    }
