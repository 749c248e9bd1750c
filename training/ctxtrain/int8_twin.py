"""The int8 twin of an exported fp32 graph, as every int8 graph of the project is made.

quantize.py's symmetric per-row int8 weights (it finds the LM head by its Einsum, so it runs on
the untouched fp32 graph), then the rewrites that let ONNX Runtime run integer kernels: the
tied LM head as one Gemm, the embedding lookup as a Gather of int8 rows, and — unless
`int8_activations` is False — the projections as DynamicQuantizeLinear + MatMulInteger.
Used by the LM export (ctxtrain/export.py), the gist folder (gist/int8_graphs.py) and the
LLMLingua-2 classifier (llmlingua2/int8.py).
"""

from pathlib import Path

import onnx

from .lm_head import gemm_lm_head, int8_embedding_gather
from .quantize import dynamic_int8_matmuls, quantize_graph


def write_int8_twin(source: Path, target: Path, int8_activations: bool) -> dict[str, int]:
    """Writes the int8 twin of `source` to `target` (self-contained); returns how many LM-head
    Gemms, int8 Gathers and integer MatMuls it rewrote."""
    quantize_graph(str(source), str(target))
    model = onnx.load(str(target), load_external_data=False)
    counts = {
        "gemm": gemm_lm_head(model.graph),
        "gather": int8_embedding_gather(model.graph),
        "matmul_integer": dynamic_int8_matmuls(model.graph) if int8_activations else 0,
    }
    onnx.save(model, str(target))
    return counts
