"""Fine-tune an encoder with label attention (or the [CLS] baseline) and evaluate it on dev.

    python -m train.train --data data/hoc/train.jsonl --labels data/hoc/labels.json \
        --dev data/hoc/dev.jsonl --out runs/hoc-la

Writes <out>/checkpoint.pt and <out>/metrics.json; `python -m train.export` turns a run into a
model folder.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import resource
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer, BertConfig, BertModel

from . import encoder as encoders
from .data import DataError, collate, encode, infer_task, length_batches, load_labels, load_records
from .evaluate import THRESHOLD_CHOICES, choose_thresholds, evidence_report, metrics, predict
from .model import Classifier, ModelConfig, classification_loss, evidence_loss

log = logging.getLogger("labelwise.train")


@dataclass
class TrainConfig:
    data: list[str] = field(default_factory=list)
    labels: str = ""
    dev: str | None = None
    out: str = "runs/model"
    encoder: str = encoders.MINILM  # or a checkpoint directory, or "tiny" (random, for tests)
    label_attention: bool = True
    layers: int = 1
    heads: int = 8
    epochs: int = 8
    batch_size: int = 16
    lr: float = 1e-4  # encoder
    head_lr: float = 1e-3  # label attention and head
    warmup: float = 0.1
    train_layers: int = 0  # > 0: fine-tune only the top N encoder layers (faster on a CPU); 0: all
    max_length: int = 512
    window_stride: int = 384
    evidence_weight: float = 0.0  # 0 = the paper's method; > 0 adds the evidence loss
    tune_fraction: float = 0.15  # share of train held out to tune thresholds (multi-label)
    thresholds: str = "auto"  # "per-label", "global", or "auto": the one cross-validation on the held-out share prefers
    seed: int = 13
    threads: int = 2
    max_steps: int = 0  # > 0 stops early (smoke runs)


def tiny_encoder(vocab_size: int) -> BertModel:
    """A randomly initialised 2-layer BERT: tests and smoke runs without pretrained weights."""
    torch.manual_seed(0)
    return BertModel(
        BertConfig(
            vocab_size=vocab_size,
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=4,
            intermediate_size=64,
            max_position_embeddings=512,
        ),
        add_pooling_layer=False,
    )


def load_encoder(name: str, tokenizer_dir: str | None = None):
    """(encoder model, tokenizer, provenance). "tiny" borrows MiniLM's tokenizer (or `tokenizer_dir`)."""
    if name == "tiny":
        path = Path(tokenizer_dir) if tokenizer_dir else encoders.resolve(encoders.MINILM)[0]
        tokenizer = AutoTokenizer.from_pretrained(str(path))
        return (
            tiny_encoder(tokenizer.vocab_size),
            tokenizer,
            {"name": "tiny-random-bert", "source": "random init", "license": "n/a", "pooling": "mean"},
        )
    path, provenance = encoders.resolve(name)
    return (
        AutoModel.from_pretrained(str(path), add_pooling_layer=False),
        AutoTokenizer.from_pretrained(str(path)),
        provenance,
    )


def split_for_thresholds(records: list, cfg: TrainConfig, multi_label: bool) -> tuple[list, list]:
    """(records to train on, records to tune thresholds on): a seeded share of train, for multi-label sets."""
    if not multi_label or cfg.tune_fraction <= 0:
        return records, []
    order = list(range(len(records)))
    random.Random(cfg.seed).shuffle(order)
    n_tune = int(len(records) * cfg.tune_fraction)
    return [records[i] for i in order[n_tune:]], [records[i] for i in order[:n_tune]]


def reported_config(cfg: TrainConfig) -> dict:
    """The config as metrics.json records it (the data and output paths are the caller's)."""
    return {k: v for k, v in asdict(cfg).items() if k not in ("data", "out")}


def build(cfg: TrainConfig, n_labels: int, multi_label: bool, tokenizer_dir: str | None = None):
    encoder_model, tokenizer, provenance = load_encoder(cfg.encoder, tokenizer_dir)
    model_cfg = ModelConfig(
        encoder=cfg.encoder,
        num_labels=n_labels,
        multi_label=multi_label,
        label_attention=cfg.label_attention,
        layers=cfg.layers,
        heads=cfg.heads,
        cls_id=tokenizer.cls_token_id,
        sep_id=tokenizer.sep_token_id,
    )
    if encoder_model.config.hidden_size % model_cfg.heads:
        model_cfg.heads = encoder_model.config.num_attention_heads
    return Classifier(model_cfg, encoder_model), tokenizer, provenance


def train(cfg: TrainConfig, tokenizer_dir: str | None = None) -> dict:
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    torch.use_deterministic_algorithms(True)
    rng = random.Random(cfg.seed)
    labels = load_labels(cfg.labels)
    records = load_records(cfg.data, labels)
    task = infer_task(records)
    multi_label = task == "multi_label"
    model, tokenizer, provenance = build(cfg, len(labels), multi_label, tokenizer_dir)
    if cfg.evidence_weight > 0 and not cfg.label_attention:
        raise SystemExit("--evidence-weight needs label attention (not --baseline)")
    fit_records, tune_records = split_for_thresholds(records, cfg, multi_label)
    items = encode(fit_records, labels, tokenizer, cfg.max_length)
    with_evidence = sum(e.evidence is not None for e in items)
    log.info(
        "%s: %d training documents (%d with sentence evidence), %d for thresholds, %d labels",
        task,
        len(items),
        with_evidence,
        len(tune_records),
        len(labels),
    )

    label_tokens = tokenizer([label.description for label in labels], padding=True, return_tensors="pt")
    # Frozen token embeddings: a third of MiniLM's weights, little to gain from 1,300 abstracts,
    # and their dense gradient and optimizer update cost time on a CPU.
    model.encoder.embeddings.requires_grad_(False)
    if cfg.train_layers:
        # Frozen lower layers need no backward pass and keep no activations.
        for layer in model.encoder.encoder.layer[: -cfg.train_layers]:
            layer.requires_grad_(False)
    head_params = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    optimizer = torch.optim.AdamW(
        [
            {"params": [p for p in model.encoder.parameters() if p.requires_grad], "lr": cfg.lr},
            {"params": head_params, "lr": cfg.head_lr},
        ],
        weight_decay=0.01,
    )
    steps_per_epoch = -(-len(items) // cfg.batch_size)
    total = cfg.max_steps or cfg.epochs * steps_per_epoch
    warmup = max(1, int(cfg.warmup * total))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )

    history, step = [], 0
    for epoch in range(cfg.epochs):
        model.train()
        started, losses = time.time(), []
        for batch in length_batches(items, cfg.batch_size, rng):
            b = collate(batch, tokenizer.pad_token_id)
            label_embeddings = model.encode_labels(label_tokens["input_ids"], label_tokens["attention_mask"])
            logits, attention = model(b["input_ids"], b["attention_mask"], label_embeddings)
            loss = classification_loss(logits, b["targets"], multi_label)
            if cfg.evidence_weight > 0:
                loss = loss + cfg.evidence_weight * evidence_loss(attention, b["evidence"])
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            losses.append(loss.item())
            step += 1
            if step % 20 == 0:
                log.info("epoch %d step %d/%d loss %.4f", epoch + 1, step, total, np.mean(losses[-20:]))
            if cfg.max_steps and step >= cfg.max_steps:
                break
        history.append(
            {"epoch": epoch + 1, "loss": round(float(np.mean(losses)), 4), "seconds": round(time.time() - started, 1)}
        )
        log.info("epoch %d: loss %.4f in %.0f s", epoch + 1, history[-1]["loss"], history[-1]["seconds"])
        if cfg.max_steps and step >= cfg.max_steps:
            break

    model.eval()
    with torch.no_grad():
        label_embeddings = model.encode_labels(label_tokens["input_ids"], label_tokens["attention_mask"])
    report = {
        "config": reported_config(cfg),
        "task": task,
        "history": history,
        "train_documents": len(items),
        "threshold_documents": len(tune_records),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "seconds_per_epoch": round(float(np.mean([h["seconds"] for h in history])), 1),
    } | assess(model, label_embeddings, tokenizer, cfg, labels, tune_records, multi_label)

    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.save(
        {
            "model": model.state_dict(),
            "model_config": asdict(model.cfg),
            "train_config": asdict(cfg),
            "label_embeddings": label_embeddings,
            "labels": [asdict(label) for label in labels],
            "thresholds": report["thresholds"],
            "task": task,
            "encoder": provenance,
            "encoder_config": model.encoder.config.to_dict(),
        },
        out / "checkpoint.pt",
    )
    tokenizer.save_pretrained(str(out / "tokenizer"))
    (out / "metrics.json").write_text(json.dumps(report, indent=2) + "\n")
    return report


# The keys of a report that assess() writes; re-evaluating a run replaces all of them.
ASSESSED = ("thresholds", "threshold_rule", "dev", "dev_at_0.5", "dev_evidence")


def assess(model, label_embeddings, tokenizer, cfg: TrainConfig, labels, tune_records, multi_label: bool) -> dict:
    """Decision thresholds (multi-label) from the held-out training documents, then dev metrics and
    evidence agreement: the part of a report that depends on the trained weights only."""
    label_names = [label.name for label in labels]

    def evaluate_on(recs):
        probs, attentions, offsets = predict(
            model, label_embeddings, recs, tokenizer, cfg.max_length, cfg.window_stride, multi_label
        )
        gold = np.array([[float(n in r.labels) for n in label_names] for r in recs])
        return gold, probs, attentions, offsets

    report: dict = {"thresholds": None}
    thresholds = None
    if multi_label:
        thresholds = np.full(len(labels), 0.5)
        if tune_records:
            gold, probs, _, _ = evaluate_on(tune_records)
            thresholds, report["threshold_rule"] = choose_thresholds(gold, probs, cfg.thresholds)
            log.info("thresholds: %s", report["threshold_rule"])
        report["thresholds"] = thresholds.tolist()
    if cfg.dev:
        dev = load_records([cfg.dev], labels)
        gold, probs, attentions, offsets = evaluate_on(dev)
        report["dev"] = metrics(gold, probs, thresholds)
        if multi_label:
            report["dev_at_0.5"] = metrics(gold, probs, np.full(len(labels), 0.5))
        if cfg.label_attention:
            report["dev_evidence"] = evidence_report(dev, attentions, offsets, label_names)
        log.info("dev: %s", {k: v for k, v in report.items() if k.startswith("dev")})
    return report


def parse_args(argv: list[str] | None = None) -> TrainConfig:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", action="append", required=True, help="JSONL file; repeat to add more (later ids win)")
    p.add_argument("--labels", help="labels.json with names and descriptions (default: beside the first --data)")
    p.add_argument("--dev", help="JSONL file to evaluate on after training")
    p.add_argument("--baseline", action="store_true", help="the [CLS] baseline instead of label attention")
    p.add_argument("--smoke", action="store_true", help="a few steps only: checks that the data trains")
    d = TrainConfig()
    for name in (
        "out",
        "encoder",
        "layers",
        "heads",
        "epochs",
        "batch_size",
        "lr",
        "head_lr",
        "max_length",
        "evidence_weight",
        "train_layers",
        "tune_fraction",
        "thresholds",
        "seed",
        "threads",
        "max_steps",
    ):
        choices = THRESHOLD_CHOICES if name == "thresholds" else None
        p.add_argument(
            "--" + name.replace("_", "-"), type=type(getattr(d, name)), default=getattr(d, name), choices=choices
        )
    a = p.parse_args(argv)
    labels = a.labels or str(Path(a.data[0]).parent / "labels.json")
    cfg = TrainConfig(
        **{k: v for k, v in vars(a).items() if k in TrainConfig.__dataclass_fields__ and k != "labels"},
        labels=labels,
        label_attention=not a.baseline,
    )
    if a.smoke:
        cfg.max_steps, cfg.epochs, cfg.dev = min(cfg.max_steps or 2, 2), 1, None
    return cfg


def print_report(make_report) -> int:
    """Prints the report `make_report()` returns (without its history), or a data error without a traceback."""
    try:
        report = make_report()
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps({k: v for k, v in report.items() if k != "history"}))
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    return print_report(lambda: train(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
