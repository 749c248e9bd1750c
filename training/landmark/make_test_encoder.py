"""Writes test/landmark/fixtures/mean-pool-encoder: a weightless stand-in for a transformers.js
feature-extraction export (BERT-style inputs input_ids / attention_mask / token_type_ids, output
last_hidden_state, a WordPiece tokenizer adding [CLS] … [SEP]), so that the TS embedder's hub
path (special tokens, mean pooling over real tokens, padding) is tested against a formula:
hidden(id) = [1, id / 1000, id mod 7, id mod 3].

Run: /usr/bin/python3 training/landmark/make_test_encoder.py   (deterministic, a few KB)
"""

import json
import shutil
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test" / "landmark" / "fixtures" / "mean-pool-encoder"
TOKENIZER = ROOT / "models" / "lingua2-bert-mini"


class FormulaEncoder(nn.Module):
    def forward(self, input_ids, attention_mask, token_type_ids):
        ids = input_ids.float()
        hidden = torch.stack((torch.ones_like(ids), ids / 1000, torch.remainder(ids, 7), torch.remainder(ids, 3)), -1)
        # The mask and token types are inputs of every BERT export; they must not change the states.
        return hidden + 0 * attention_mask.unsqueeze(-1) + 0 * token_type_ids.unsqueeze(-1)


def main() -> None:
    (OUT / "onnx").mkdir(parents=True, exist_ok=True)
    ids = torch.tensor([[2, 10, 3], [2, 11, 3]])
    axes = {0: "batch_size", 1: "sequence_length"}
    torch.onnx.export(
        FormulaEncoder(), (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(OUT / "onnx" / "model.onnx"),
        input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
        dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "last_hidden_state": axes},
        opset_version=14,
    )
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copyfile(TOKENIZER / name, OUT / name)
    config = {"model_type": "bert", "hidden_size": 4, "max_position_embeddings": 32, "pad_token_id": 0}
    (OUT / "config.json").write_text(json.dumps(config, indent=2) + "\n")


if __name__ == "__main__":
    main()
