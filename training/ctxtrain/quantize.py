"""int8 weight-only variant (onnx/model_quantized.onnx, transformers.js dtype "q8").

onnxruntime's Python quantization tools are not available here, so the graph is rewritten with
the onnx package: every 2-D float weight (the projections, and the tied embedding table that both
the Gather and the LM-head Einsum read) becomes an int8 tensor with one float32 scale per output
channel (symmetric, zero point 0), dequantized in the graph by DequantizeLinear. Activations and
the KV cache stay float32, so inputs and outputs are unchanged. The file is ~4x smaller; compute is
float32 after dequantisation.

The same int8 values are applied to the torch model (`quantized_copy`) so that the export check
can record the log-probs the quantized graph must reproduce exactly.
"""

import copy

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from .model import LlamaLM

MIN_ELEMENTS = 1024


def quantize_rows(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per row: returns (int8 values, float32 scale per row)."""
    scale = np.abs(weight).max(axis=1) / 127.0
    scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
    values = np.clip(np.round(weight / scale[:, None]), -127, 127).astype(np.int8)
    return values, scale


def _dequantized(weight: torch.Tensor) -> torch.Tensor:
    values, scale = quantize_rows(weight.detach().numpy())
    return torch.from_numpy(values.astype(np.float32) * scale[:, None])


def quantized_copy(lm: LlamaLM) -> LlamaLM:
    """The model with every 2-D weight replaced by its int8 round trip (what the graph computes)."""
    twin = copy.deepcopy(lm)
    with torch.no_grad():
        for parameter in twin.parameters():
            if parameter.dim() == 2 and parameter.numel() >= MIN_ELEMENTS:
                parameter.copy_(_dequantized(parameter))
    return twin


def _gemm_reading_rows(node: onnx.NodeProto, name: str) -> bool:
    """Gemm(hidden, table, transB=1): the LM head after lm_head.gemm_lm_head rewrote the Einsum
    (a graph quantized after that rewrite, e.g. training/gist's inputs_embeds graph). It reads the
    table as [vocab, hidden] like the Einsum did: one scale per token row."""
    trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
    return node.op_type == "Gemm" and trans_b == 1 and node.input[1] == name


def quantize_graph(source: str, target: str) -> None:
    """Writes the int8 weight-only version of the fp32 graph `source` (external data allowed)."""
    model = onnx.load(source)
    graph = model.graph
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    replaced = []
    new_nodes = []
    for tensor in list(graph.initializer):
        array = numpy_helper.to_array(tensor)
        if array.ndim != 2 or array.dtype != np.float32 or array.size < MIN_ELEMENTS:
            continue
        users = consumers.get(tensor.name, [])
        # MatMul reads B as [in, out]: one scale per output column. Gather/Einsum read the
        # embedding table as [vocab, hidden]: one scale per token row. Either way a scale per
        # row of the torch weight, as quantized_copy does.
        if users and all(n.op_type == "MatMul" and n.input[1] == tensor.name for n in users):
            values, scale = quantize_rows(array.T)
            values, axis = values.T, 1
        elif users and all(n.op_type in ("Gather", "Einsum") or _gemm_reading_rows(n, tensor.name) for n in users):
            values, scale = quantize_rows(array)
            axis = 0
        else:
            continue
        base = tensor.name
        replaced.append(tensor)
        graph.initializer.extend(
            [
                numpy_helper.from_array(np.ascontiguousarray(values), f"{base}_int8"),
                numpy_helper.from_array(scale, f"{base}_scale"),
                numpy_helper.from_array(np.zeros_like(scale, dtype=np.int8), f"{base}_zero"),
            ]
        )
        new_nodes.append(
            helper.make_node(
                "DequantizeLinear",
                [f"{base}_int8", f"{base}_scale", f"{base}_zero"],
                [base],
                name=f"{base}_dequantize",
                axis=axis,
            )
        )
    for tensor in replaced:
        graph.initializer.remove(tensor)
    # Dequantize nodes first: the graph must stay topologically sorted.
    nodes = new_nodes + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.save(model, target)
    onnx.checker.check_model(target)


def dynamic_int8_matmuls(graph: onnx.GraphProto) -> int:
    """Rewrites every DequantizeLinear(int8 weight) -> MatMul into the pattern ONNX Runtime fuses
    into DynamicQuantizeMatMul (u8 x s8 integer kernels, VNNI where the CPU has it):

        DynamicQuantizeLinear(X) -> MatMulInteger(Xq, W, Xzp, Wzp) -> Cast(float) -> Mul(Xs * Ws)

    Same int8 weights, scales and zero points; activations are quantized to uint8 (one scale per
    tensor) on every run. transformers.js' own q8 files have this layout. The weight-only graph
    computed the projections in float after dequantizing; ORT ran them as MatMulNBits, no faster
    than fp32 here (docs/BENCHMARKS.md, issue 15). Tables read by Gather/Gemm are left alone.
    Returns how many MatMuls changed (0 on a graph already rewritten)."""
    initializers = {init.name: init for init in graph.initializer}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)

    def int8_weight(node: onnx.NodeProto) -> bool:
        if node.op_type != "DequantizeLinear" or len(node.input) != 3:
            return False
        weight = initializers.get(node.input[0])
        users = consumers.get(node.output[0], [])
        return (
            weight is not None
            and weight.data_type == TensorProto.INT8
            and len(weight.dims) == 2
            and len(users) > 0
            and all(u.op_type == "MatMul" and u.input[1] == node.output[0] for u in users)
        )

    # Dequantized weight name -> (int8 weight, scale, zero point).
    weights = {n.output[0]: tuple(n.input) for n in graph.node if int8_weight(n)}
    nodes: list[onnx.NodeProto] = []
    for node in graph.node:
        if node.op_type == "DequantizeLinear" and node.output[0] in weights:
            continue
        if node.op_type != "MatMul" or node.input[1] not in weights:
            nodes.append(node)
            continue
        # Emitted where the MatMul was, so its activation input is already computed.
        weight, scale, zero_point = weights[node.input[1]]
        x, out = node.input[0], node.output[0]
        nodes += [
            helper.make_node("DynamicQuantizeLinear", [x], [f"{out}_xq", f"{out}_xs", f"{out}_xzp"]),
            helper.make_node(
                "MatMulInteger", [f"{out}_xq", weight, f"{out}_xzp", zero_point], [f"{out}_int32"]
            ),
            helper.make_node("Cast", [f"{out}_int32"], [f"{out}_float"], to=TensorProto.FLOAT),
            helper.make_node("Mul", [f"{out}_xs", scale], [f"{out}_scale"]),
            helper.make_node("Mul", [f"{out}_float", f"{out}_scale"], [out]),
        ]
    rewritten = sum(1 for n in graph.node if n.op_type == "MatMul" and n.input[1] in weights)
    del graph.node[:]
    graph.node.extend(nodes)
    return rewritten
