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
from onnx import helper, numpy_helper

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
        elif users and all(n.op_type in ("Gather", "Einsum") for n in users):
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
