"""Builds models/tiny-random: a seeded, untrained Llama-style model with the full export contract,
for tests of the runtime, compressors and workers (fast, deterministic, a few MB).

Run: /usr/bin/python3 training/make_tiny_random.py
"""

import torch

from ctxtrain.config import ModelConfig
from ctxtrain.export import export_model_folder
from ctxtrain.model import LlamaLM
from ctxtrain.paths import MODELS_DIR

SEED = 20240601

CONFIG = ModelConfig(
    hidden_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    head_dim=16,
    intermediate_size=172,
    max_position_embeddings=512,
    # Far above the trained models' 0.02: untrained logits and attention then depend strongly on
    # the context, so the export check catches mask, position and cache mistakes.
    initializer_range=0.2,
)


def main() -> None:
    torch.manual_seed(SEED)
    lm = LlamaLM(CONFIG)
    out = MODELS_DIR / "tiny-random"
    check = export_model_folder(lm, out)
    print(f"wrote {out}: {CONFIG.parameter_count()} parameters, {len(check['input_ids'])} check tokens")


if __name__ == "__main__":
    main()
