"""The int8 twins of a gist folder's three graphs, sharing ONE weights file.

    onnx/model_quantized.onnx         input_ids reader (ctxtrain's export writes it self-contained)
    onnx/model_embeds_quantized.onnx  inputs_embeds reader
    onnx/summarize_quantized.onnx     the summarize graph
    onnx/model_quantized.onnx_data    their initializers, each distinct tensor stored once

The three graphs are quantized by the same deterministic rule (ctxtrain.quantize: symmetric int8,
one scale per output channel), so the projections, the embedding table and their scales are
byte-identical across graphs and share_external_data stores them once: the folder holds ~5.3 MB
of int8 weights for the 5M model instead of 21 MB of float32. The data file is named after
model_quantized.onnx, the name transformers.js expects for that graph's external data
(`use_external_data_format`), so a loader that fetches the reader's weights fetches everyone's.
"""

from pathlib import Path

from ctxtrain.external_data import share_external_data
from ctxtrain.int8_twin import write_int8_twin

INT8_SUFFIX = "_quantized"
INT8_DATA_FILE = f"model{INT8_SUFFIX}.onnx_data"


def int8_name(graph_file: str) -> str:
    """summarize.onnx -> summarize_quantized.onnx (transformers.js' q8 suffix)."""
    return f"{Path(graph_file).stem}{INT8_SUFFIX}.onnx"


def write_int8_graphs(onnx_dir: Path, extra_fp32_graphs: list[str], int8_activations: bool) -> list[Path]:
    """Quantizes `extra_fp32_graphs` (file names in onnx_dir, e.g. model_embeds.onnx and
    summarize.onnx) like ctxtrain's export quantizes model.onnx, then moves the weights of
    model_quantized.onnx and of those graphs into onnx/model_quantized.onnx_data. Returns the
    int8 graphs, model_quantized.onnx first."""
    graphs = [onnx_dir / int8_name("model.onnx")]
    if not graphs[0].exists():
        raise FileNotFoundError(f"{graphs[0]}: export the reader (ctxtrain export_model_folder) first")
    for name in extra_fp32_graphs:
        # The same rewrites as model_quantized.onnx gets, so the runtime runs the same kernels.
        target = onnx_dir / int8_name(name)
        write_int8_twin(onnx_dir / name, target, int8_activations)
        graphs.append(target)
    share_external_data(graphs, INT8_DATA_FILE)
    return graphs
