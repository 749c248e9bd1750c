"""The classifier's int8 graph (onnx/model_quantized.onnx, transformers.js dtype "q8"), the
variant the model folder ships and loads by default; the fp32 graph stays with the training run.

Written by the project's own quantizer (ctxtrain/quantize.py), as ctxpress-5m's: every 2-D
weight of at least 1,024 values becomes int8 with one float32 scale per output channel (the 16
projections of the 4 blocks, the word and position tables; the 128 x 2 head and the 2-row
token-type table stay float32); the tables are gathered as int8 rows (ctxtrain/lm_head.py) and
the projections quantize their activations to uint8 per run (DynamicQuantizeLinear +
MatMulInteger). Measured against the fp32 graph on held-out text (bench/llmlingua2/int8.ts,
models/lingua2-bert-mini/README.md): the same keep decision on 99.8-99.9% of tokens at rates
0.33 and 0.5, F1 against teacher labels within 0.0003, 14% less CPU; the weight-only variant
(--weight-only) agreed as well but took 18% more CPU than fp32, so activations are quantized.

export.py writes it on every export; for a folder whose fp32 graph exists only as a file
(the committed classifier before this variant), from training/:

    /usr/bin/python3 -m llmlingua2.int8 --fp32 FILE [--out ../models/lingua2-bert-mini]

writes onnx/model_quantized.onnx, names q8 the default dtype in config.json and records the
variant's tolerance in export-check.json.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import onnx

from ctxtrain.int8_twin import write_int8_twin

from .train_tokenizer import DEFAULT_OUT

QUANTIZED_FILE = "model_quantized.onnx"
# The dtype loaders pick when the caller names none (transformers.js' convention, honoured by
# ctxpress's model-folder.ts and by transformers.js).
DEFAULT_DTYPE = {"model": "q8"}
# Max |keep-probability difference| allowed between the int8 graph on ONNX Runtime and torch's
# fp32 model (export-check.json's keep_probabilities). Measured between the int8 and fp32 graphs:
# max 0.025 over 57,144 tokens of 180 held-out labelled texts, 0.015 over 27,908 tokens of 12
# held-out documents (means 0.0007), 0.0066 on the two check texts; twice the largest.
INT8_TOLERANCE = 0.05


def write_int8_graph(fp32_path: Path, target: Path, activations: bool = True) -> str:
    """Quantizes the fp32 classifier graph into `target`; returns what changed (for the log).
    `activations` False leaves the projections weight-only (float activations), for comparison."""
    target.parent.mkdir(parents=True, exist_ok=True)
    counts = write_int8_twin(fp32_path, target, activations)
    onnx.checker.check_model(str(target))
    return (
        f"{target}: {os.path.getsize(target)} bytes, {counts['gather']} int8 Gather, "
        f"{counts['matmul_integer']} MatMul -> MatMulInteger"
    )


def int8_check() -> dict:
    """export-check.json's record of the variant: compared with torch's fp32 probabilities."""
    return {QUANTIZED_FILE: {"tolerance": INT8_TOLERANCE, "reference": "keep_probabilities"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fp32", type=Path, required=True, help="the classifier's fp32 model.onnx")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the model folder")
    parser.add_argument("--weight-only", action="store_true", help="float activations (to measure; not shipped)")
    args = parser.parse_args()
    print(write_int8_graph(args.fp32, args.out / "onnx" / QUANTIZED_FILE, not args.weight_only))
    config_path = args.out / "config.json"
    config = json.loads(config_path.read_text())
    card = config.pop("ctxpress", None)
    # Key order as export.py writes it.
    config["transformers.js_config"] = {"dtype": DEFAULT_DTYPE}
    if card is not None:
        config["ctxpress"] = card
    config_path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")
    check_path = args.out / "export-check.json"
    check = json.loads(check_path.read_text())
    check["variants"] = int8_check()
    check_path.write_text(json.dumps(check, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
