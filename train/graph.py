"""ONNX graph helpers for the export: the PyTorch-to-ONNX export, ONNX Runtime's transformer fusions, and the
small rewrites the quantization passes share (find nodes, insert nodes keeping the graph sorted).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import onnx
import onnxruntime as ort
import torch
from onnxruntime.transformers.fusion_options import FusionOptions
from onnxruntime.transformers.optimizer import optimize_model
from transformers import BertModel

OPSET = 17


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


def session(path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
