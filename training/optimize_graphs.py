"""Rewrites a model folder's exported ONNX graphs in place for ONNX Runtime's fast CPU kernels
(see ctxtrain/lm_head.py): the LM head Einsum becomes Gemm, and the int8 graph's embedding lookup
gathers int8 rows instead of dequantizing the whole table on every run (same numbers, fewer
operations); the int8 graph's projections quantize their activations per run for ONNX Runtime's
integer kernels (ctxtrain/quantize.py, dynamic_int8_matmuls: same weights, coarser activations).
export.py applies all three to new exports, this script to committed folders; a rewritten graph
is left as it is.

    /usr/bin/python3 training/optimize_graphs.py models/ctxpress-5m
"""

import argparse
import sys
from pathlib import Path

import onnx

sys.path.insert(0, str(Path(__file__).parent))
from ctxtrain.lm_head import gemm_lm_head, int8_embedding_gather  # noqa: E402
from ctxtrain.quantize import dynamic_int8_matmuls  # noqa: E402


def optimize_file(path: Path) -> str:
    # Graph only: weights in external data files are untouched (the rewrite adds no float weight).
    model = onnx.load(str(path), load_external_data=False)
    gemms = gemm_lm_head(model.graph)
    gathers = int8_embedding_gather(model.graph)
    matmuls = dynamic_int8_matmuls(model.graph)
    onnx.save(model, str(path))
    onnx.checker.check_model(str(path))  # by path: it then finds external data
    return f"{path}: {gemms} Einsum -> Gemm, {gathers} int8 Gather, {matmuls} int8 MatMul -> MatMulInteger"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    for path in sorted((args.folder / "onnx").glob("model*.onnx")):
        print(optimize_file(path))


if __name__ == "__main__":
    main()
