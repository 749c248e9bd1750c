"""Rewrites the exported graphs' LM head and embedding lookup into nodes ONNX Runtime runs fast.

The export computes logits with Einsum("nd,vd->nv", hidden, embedding table) so that the tied
table is stored once. ONNX Runtime's CPU Einsum does not reach its GEMM kernels: profiled on the
5M model (one 256-token step on a 1,536-token cache, 2-core EPYC) it took ~15-25% of the step,
more than every projection together. Gemm with transB=1 reads the same [vocab, hidden] table as
stored and runs MLAS SGEMM. In the int8 graph the table goes through DequantizeLinear on every
run (8192 x 256 values) before both the Gather and the LM head; the Gather instead picks the int8
rows and scales only of the tokens it needs.
"""

import numpy as np
import onnx
from onnx import helper, numpy_helper


def _producers(graph: onnx.GraphProto) -> dict[str, onnx.NodeProto]:
    return {name: node for node in graph.node for name in node.output}


def gemm_lm_head(graph: onnx.GraphProto) -> int:
    """Replaces Einsum("nd,vd->nv") by Gemm(transB=1); returns how many nodes changed."""
    changed = 0
    for index, node in enumerate(graph.node):
        equation = next((a.s.decode() for a in node.attribute if a.name == "equation"), None)
        if node.op_type != "Einsum" or equation != "nd,vd->nv":
            continue
        gemm = helper.make_node("Gemm", list(node.input), list(node.output), name=f"{node.name}_gemm", transB=1)
        graph.node.remove(node)
        graph.node.insert(index, gemm)
        changed += 1
    return changed


def int8_embedding_gather(graph: onnx.GraphProto) -> int:
    """Gather(DequantizeLinear(int8 table, per-row scale), ids) -> Gather of int8 rows times their
    scales (symmetric, zero point 0, as quantize.py writes it); returns how many Gathers changed."""
    producers = _producers(graph)
    initializers = {tensor.name for tensor in graph.initializer}
    changed = 0
    for node in list(graph.node):
        if node.op_type != "Gather" or node.input[0] not in producers:
            continue
        dequantize = producers[node.input[0]]
        axis = next((a.i for a in dequantize.attribute if a.name == "axis"), 1)
        if dequantize.op_type != "DequantizeLinear" or axis != 0:
            continue
        values, scale = dequantize.input[0], dequantize.input[1]
        if values not in initializers or scale not in initializers:
            continue
        ids, out = node.input[1], node.output[0]
        name = node.name or out
        rows = [
            helper.make_node("Gather", [values, ids], [f"{name}_int8_rows"], name=f"{name}_int8_rows", axis=0),
            helper.make_node("Cast", [f"{name}_int8_rows"], [f"{name}_rows"], name=f"{name}_cast", to=onnx.TensorProto.FLOAT),
            helper.make_node("Gather", [scale, ids], [f"{name}_row_scales"], name=f"{name}_row_scales", axis=0),
            helper.make_node("Unsqueeze", [f"{name}_row_scales", f"{name}_last_axis"], [f"{name}_scales"], name=f"{name}_unsqueeze"),
            helper.make_node("Mul", [f"{name}_rows", f"{name}_scales"], [out], name=f"{name}_scale"),
        ]
        graph.initializer.append(numpy_helper.from_array(np.array([-1], dtype=np.int64), f"{name}_last_axis"))
        position = list(graph.node).index(node)
        graph.node.remove(node)
        for offset, new in enumerate(rows):
            graph.node.insert(position + offset, new)
        changed += 1
    return changed
