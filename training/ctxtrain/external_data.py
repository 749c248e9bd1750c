"""Moves the weights of several ONNX graphs into one shared external-data file.

`model.onnx` and `model_embeds.onnx` hold the same weights; storing each distinct tensor once
(deduplicated by content) halves the folder. Each graph file then carries only its ops, and ONNX
Runtime reads the weights from `model.onnx_data` next to it (the file name transformers.js
expects for model.onnx with `use_external_data_format`).
"""

import hashlib
from pathlib import Path

import onnx
from onnx import numpy_helper

ALIGNMENT = 64


def share_external_data(graph_paths: list[Path], data_name: str) -> dict[str, tuple[int, int]]:
    """Rewrites the graphs in place; returns {initializer name: (offset, length)} of the first
    graph, so callers can locate a tensor (e.g. the embedding table) inside the data file."""
    models = [onnx.load(str(path)) for path in graph_paths]
    data_path = graph_paths[0].parent / data_name
    offsets: dict[bytes, tuple[int, int]] = {}
    first_graph_offsets: dict[str, tuple[int, int]] = {}
    with data_path.open("wb") as data:
        for index, model in enumerate(models):
            for tensor in model.graph.initializer:
                raw = numpy_helper.to_array(tensor).tobytes()
                if len(raw) < 1024:
                    continue  # small constants stay inline
                key = hashlib.sha256(raw + str(tensor.data_type).encode()).digest()
                if key not in offsets:
                    offset = data.tell()
                    pad = (-offset) % ALIGNMENT
                    data.write(b"\0" * pad)
                    offsets[key] = (offset + pad, len(raw))
                    data.write(raw)
                offset, length = offsets[key]
                if index == 0:
                    first_graph_offsets[tensor.name] = (offset, length)
                tensor.ClearField("raw_data")
                for field in ("float_data", "int32_data", "int64_data", "double_data"):
                    tensor.ClearField(field)
                tensor.data_location = onnx.TensorProto.EXTERNAL
                del tensor.external_data[:]
                for k, v in (("location", data_name), ("offset", str(offset)), ("length", str(length))):
                    entry = tensor.external_data.add()
                    entry.key, entry.value = k, v
    for model, path in zip(models, graph_paths):
        onnx.save(model, str(path))
        onnx.checker.check_model(str(path))
    return first_graph_offsets
