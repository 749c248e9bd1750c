"""Builds models/gist-tiny-random: a seeded, untrained AutoCompressor with the full gist export
contract (reader graphs + onnx/summarize.onnx + gist-check.json), for tests of the runtime, the
gist compressor, the store and the workers. It knows no English; never judge quality with it.

Run from training/: /usr/bin/python3 -m gist.make_tiny
"""

import torch

from ctxtrain.model import LlamaLM
from ctxtrain.paths import MODELS_DIR
from make_tiny_random import CONFIG

from .autocompressor import AutoCompressor
from .export import export_gist_folder

# tiny-random's shape and init (std 0.2, so outputs depend strongly on every input and the checks
# catch mask, position and softprompt mistakes), with its own seed and κ summary tokens.
SEED = 20240602
SUMMARY_TOKENS = 4
SEGMENT_TOKENS = 32


def main() -> None:
    torch.manual_seed(SEED)
    model = AutoCompressor(LlamaLM(CONFIG), SUMMARY_TOKENS)
    # Distinct summary embeddings (the EOS initialisation makes all κ rows equal).
    with torch.no_grad():
        model.embed_summary.normal_(std=CONFIG.initializer_range)
    out = MODELS_DIR / "gist-tiny-random"
    export_gist_folder(model, out, SEGMENT_TOKENS)
    print(f"wrote {out}: κ={SUMMARY_TOKENS}, segments of {SEGMENT_TOKENS} tokens")


if __name__ == "__main__":
    main()
