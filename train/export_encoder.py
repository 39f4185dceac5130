"""Export the pretrained encoder, untouched, as its own model folder: per-token hidden states for the learner.

    python -m train.export_encoder --out public/models/minilm-encoder

A taught scheme (issue 19) starts from the general-purpose encoder, never from a model fine-tuned on the same
labels. The graph returns `hidden_states` [batch, seq, hidden]; the app and CLI mean-pool them per sentence
(src/core/learner). Built as the classifiers' int8 graphs are (train/export.py): fused, rotated, int8 per token.
Deterministic: the same weights give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch
from transformers import AutoTokenizer, BertModel

from .encoder import MINILM, resolve
from .export import write_tokenizer
from .graph import export_onnx, session
from .quantize import int8_graph

OUTPUTS = {"hidden_states": {0: "batch", 1: "seq"}}
MAX_LENGTH = 256  # all-MiniLM-L6-v2 was trained on sequences of up to 256 tokens
PROBES = [
    "Vascular endothelial growth factor drives tumour angiogenesis.",
    "We measured telomerase activity in 40 primary tumours and found it in most of them.",
]


class HiddenStates(torch.nn.Module):
    def __init__(self, encoder: BertModel):
        super().__init__()
        self.encoder = encoder

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state


def mean_pooled(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def export(out: Path, name: str, version: str) -> dict:
    source, provenance = resolve(name)
    torch.manual_seed(0)  # the trace's dummy ids
    encoder = BertModel.from_pretrained(str(source), add_pooling_layer=False).eval()
    module = HiddenStates(encoder).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(source))
    out.mkdir(parents=True, exist_ok=True)
    fp32, int8 = out / "model.onnx", out / "model.int8.onnx"
    export_onnx(module, fp32, encoder.config.vocab_size, OUTPUTS)
    int8_graph(module, int8, encoder, OUTPUTS)
    write_tokenizer(source, out, MAX_LENGTH)

    enc = tokenizer(PROBES, padding=True, return_tensors="np")
    feeds = {"input_ids": enc["input_ids"].astype(np.int64), "attention_mask": enc["attention_mask"].astype(np.int64)}
    with torch.no_grad():
        reference = module(torch.from_numpy(feeds["input_ids"]), torch.from_numpy(feeds["attention_mask"])).numpy()
    mask = feeds["attention_mask"].astype(np.float32)
    pooled = mean_pooled(reference, mask)
    parity = {}
    for key, graph in (("fp32", fp32), ("int8", int8)):
        hidden = session(graph).run(["hidden_states"], feeds)[0]
        parity[key] = {
            "max_abs_difference": round(float(np.abs(hidden - reference)[mask > 0].max()), 5),
            "mean_pooled_cosine_min": round(float((mean_pooled(hidden, mask) * pooled).sum(1).min()), 5),
        }
    manifest = {
        "id": out.name,
        "version": version,
        # Extension of the model-folder contract: an encoder folder has no labels and no logits; its graph returns
        # `hidden_states` [batch, seq, hidden] for inputs input_ids and attention_mask.
        "kind": "encoder",
        "encoder": provenance,
        "hidden_size": encoder.config.hidden_size,
        "max_length": MAX_LENGTH,
        "window": {"length": MAX_LENGTH, "stride": MAX_LENGTH - 2},
        "outputs": {"hidden_states": ["batch", "seq", encoder.config.hidden_size]},
        "pooling": "mean over each sentence's tokens ([CLS] and [SEP] included), then L2-normalised",
        "files": {"int8": int8.name, "fp32": fp32.name},
        "sizes": {"int8": int8.stat().st_size, "fp32": fp32.stat().st_size},
        "parity": parity,
    }
    (out / "model.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=Path("public/models/minilm-encoder"))
    p.add_argument("--encoder", default=MINILM, help="all-MiniLM-L6-v2 (bundled) or a checkpoint directory")
    p.add_argument("--version", default="1.0.0")
    a = p.parse_args(argv)
    manifest = export(a.out, a.encoder, a.version)
    print(json.dumps({"id": manifest["id"], "sizes": manifest["sizes"], "parity": manifest["parity"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
