"""Reads an exported model folder's fp32 ONNX weights back into a LlamaLM state dict.

A run's checkpoint lives in an ignored folder (training/.runs) and is lost with the machine;
the exported fp32 graph (onnx/model.onnx + model.onnx_data) holds the same weights, so a later
run can continue from what was committed. Named initializers keep the module's parameter names
behind an "lm." prefix; the projections are anonymous MatMul inputs (onnx::MatMul_N) stored as
weightᵀ, found through the node that reads them (/layers.N/self_attn/q_proj/MatMul).
"""

import re
from pathlib import Path

import onnx
import torch
from onnx import numpy_helper

_PROJECTION_NODE = re.compile(r"^/layers\.(\d+)/(self_attn|mlp)/(\w+_proj)/MatMul$")


def state_dict_from_export(folder: Path) -> dict[str, torch.Tensor]:
    """The parameters of `folder`/onnx/model.onnx under LlamaLM's names (model.layers.N...).

    Raises FileNotFoundError when the folder has no fp32 graph, ValueError when a projection's
    weight cannot be traced to its module."""
    graph_path = folder / "onnx" / "model.onnx"
    if not graph_path.exists():
        raise FileNotFoundError(f"{graph_path}: no fp32 graph to read weights from")
    graph = onnx.load(str(graph_path)).graph  # external data is read from beside the graph
    initializers = {init.name: init for init in graph.initializer}
    state: dict[str, torch.Tensor] = {}
    for name, init in initializers.items():
        if name.startswith("lm."):
            state[name.removeprefix("lm.")] = torch.from_numpy(numpy_helper.to_array(init).copy())
    for node in graph.node:
        # The exporter stores equal tensors once (an untrained model's all-ones norms) and names
        # the others through Identity nodes whose outputs keep the parameter names.
        if node.op_type == "Identity" and node.input[0] in initializers and node.output[0].startswith("lm."):
            tensor = numpy_helper.to_array(initializers[node.input[0]]).copy()
            state[node.output[0].removeprefix("lm.")] = torch.from_numpy(tensor)
            continue
        match = _PROJECTION_NODE.match(node.name)
        if node.op_type != "MatMul" or match is None:
            continue
        weight = next((x for x in node.input if x in initializers), None)
        if weight is None:
            raise ValueError(f"{node.name}: no weight initializer among its inputs")
        layer, block, projection = match.groups()
        array = numpy_helper.to_array(initializers[weight]).T.copy()  # MatMul stores weightᵀ
        state[f"model.layers.{layer}.{block}.{projection}.weight"] = torch.from_numpy(array)
    # A tied LM head reads the embedding table (the graph's Gemm takes lm.model.embed_tokens).
    state.setdefault("lm_head.weight", state["model.embed_tokens.weight"])
    return state
