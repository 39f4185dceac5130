"""An fp32 graph from a model folder's committed fp16-weight graph, for the fp32 parity e2e test.

model.onnx (the export's fp32 reference) is a build output that a fresh clone lacks. The fp16-weight graph keeps each
large weight as fp16 behind a Cast to fp32; this writes every such weight as an fp32 initializer under the Cast's
output name and drops the Cast, so the page and the CLI load a graph that stores and computes its weights in fp32
(the token-embedding table stays int8 per row, as in the fp16-weight graph).

    .venv/bin/python e2e/fp32_graph.py SRC.fp16.onnx DST.onnx
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper


def fp32_graph(src: str, dst: str) -> None:
    model = onnx.load(src)
    graph = model.graph
    initializers = {init.name: init for init in graph.initializer}
    casts = [
        node
        for node in graph.node
        if node.op_type == "Cast"
        and node.input[0] in initializers
        and initializers[node.input[0]].data_type == TensorProto.FLOAT16
        and next(a.i for a in node.attribute if a.name == "to") == TensorProto.FLOAT
    ]
    for node in casts:
        weight = initializers.pop(node.input[0])
        graph.initializer.remove(weight)
        weights = numpy_helper.to_array(weight).astype(np.float32)
        graph.initializer.append(numpy_helper.from_array(weights, node.output[0]))
        graph.node.remove(node)
    left = [init.name for init in graph.initializer if init.data_type == TensorProto.FLOAT16]
    if not casts or left:
        raise SystemExit(f"{src}: {len(casts)} fp16 weights behind a Cast; fp16 initializers left: {left[:5]}")
    onnx.checker.check_model(model)
    onnx.save(model, dst)


if __name__ == "__main__":
    fp32_graph(sys.argv[1], sys.argv[2])
