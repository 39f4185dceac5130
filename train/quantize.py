"""The shipped graphs beside the fp32 reference: int8 (fused, MatMul inputs rotated, int8 per token) for WASM and
the CLI, and fp16-stored weights computing in fp32 for WebGPU.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper
from transformers import BertModel

from .graph import (
    CLASSIFIER_OUTPUTS,
    fused_graph,
    nodes_by_output,
    tensor_consumers,
    topological_insert,
    weighted_matmuls,
)

# Every int8 MatMul's input is rotated by a block-diagonal Hadamard matrix of (at most) this size, then
# quantized per token (rotate_activations, quantize_matmuls). Chosen on HoC dev against the fp32 graph, by mean
# |probability difference| (documents keeping fp32's label set, of 183): ONNX Runtime's dynamic quantization
# after SmoothQuant 0.0028 (179); rotated, one range per tensor: blocks of 32 0.0056 (embedding table also one
# range), 64 0.0016 (180); rotated, per token: blocks of 64 0.00097 (181), 128 0.00101 (179). A handful of
# dev documents lie within 0.004 of a threshold and flip under almost any 8-bit activations: quantizing only
# the attention output projections (mean 0.0004) flips two.
ROTATION_BLOCK = 64


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
