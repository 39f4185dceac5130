"""How far the exported graphs agree: the fp32 graph with PyTorch, and each quantized graph with fp32 on dev,
every document windowed as the app windows it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

from .evaluate import decide, decision_margin, metrics
from .graph import session
from .inference import combine_logits, probabilities, windows

# Documents whose fp32 probabilities lie this close to a decision can flip under any quantization noise: the
# agreement of the quantized graphs is also reported over the documents beyond it, and a multi-label document
# whose int8 probabilities lie within it is scored again by the fp16-weight graph (model.json "borderline").
AGREEMENT_MARGIN = 0.02


def window_rows(text: str, tokenizer, length: int, stride: int) -> np.ndarray:
    """The windows of `text` as the app feeds them: [windows, seq] int64, [CLS] ... [SEP] each."""
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    rows = [[tokenizer.cls_token_id, *ids[a:b], tokenizer.sep_token_id] for a, b in windows(len(ids), length, stride)]
    return np.array(rows, dtype=np.int64)


def onnx_predict(
    sess: ort.InferenceSession, texts: list[str], tokenizer, length: int, stride: int, multi_label: bool
) -> np.ndarray:
    """Document probabilities [N, L] from an ONNX graph, windowed as the app does."""
    out = []
    for text in texts:
        batch = window_rows(text, tokenizer, length, stride)
        logits = sess.run(["logits"], {"input_ids": batch, "attention_mask": np.ones_like(batch)})[0]
        out.append(probabilities(combine_logits(logits, multi_label), multi_label))
    return np.array(out)


def check_parity(module: torch.nn.Module, sess: ort.InferenceSession, tokenizer, texts: list[str]) -> float:
    """Largest absolute difference between PyTorch and ONNX Runtime on logits and attention."""
    enc = tokenizer(texts, padding=True, truncation=True, max_length=512, return_tensors="pt")
    with torch.no_grad():
        logits, attention = module(enc["input_ids"], enc["attention_mask"])
    o_logits, o_attention = sess.run(
        None, {"input_ids": enc["input_ids"].numpy(), "attention_mask": enc["attention_mask"].numpy()}
    )
    return float(max(np.abs(o_logits - logits.numpy()).max(), np.abs(o_attention - attention.numpy()).max()))


def agreement(
    fp32: Path,
    quantized: dict[str, Path],
    texts: list[str],
    gold: np.ndarray,
    thresholds: np.ndarray | None,
    tokenizer,
    length: int,
    stride: int,
    multi_label: bool,
    recheck: bool,
) -> dict[str, dict]:
    """Per quantized graph (by precision): its dev metrics and how often it decides as the fp32 graph does, over all
    documents and over those beyond AGREEMENT_MARGIN. With `recheck`, also int8 with the borderline recheck."""
    report = {}
    p32 = onnx_predict(session(fp32), texts, tokenizer, length, stride, multi_label)
    clear = decision_margin(p32, thresholds) >= AGREEMENT_MARGIN
    scored = {}
    for key, graph in quantized.items():
        p = onnx_predict(session(graph), texts, tokenizer, length, stride, multi_label)
        same = (decide(p32, thresholds) == decide(p, thresholds)).all(1)
        report[key] = {
            "dev": metrics(gold, p, thresholds),
            "same_label_set_as_fp32": round(float(same.mean()), 4),
            "beyond_margin": {
                "margin": AGREEMENT_MARGIN,
                "documents": int(clear.sum()),
                "same_label_set_as_fp32": round(float(same[clear].mean()), 4) if clear.any() else None,
            },
            "max_probability_difference": round(float(np.abs(p32 - p).max()), 4),
            "mean_probability_difference": round(float(np.abs(p32 - p).mean()), 5),
        }
        scored[key] = p
    if recheck:
        # What the app and CLI decide: int8, and the fp16-weight graph for documents int8 puts near a threshold.
        near = (np.abs(scored["int8"] - thresholds) < AGREEMENT_MARGIN).any(1)
        p = np.where(near[:, None], scored["fp16"], scored["int8"])
        report["int8"]["with_borderline_recheck"] = {
            "rechecked_documents": int(near.sum()),
            "dev": metrics(gold, p, thresholds),
            "same_label_set_as_fp32": round(float((decide(p32, thresholds) == decide(p, thresholds)).all(1).mean()), 4),
        }
    return report
