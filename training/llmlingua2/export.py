"""Writes the classifier's model folder in the transformers.js token-classification layout:

    config.json (model_type "bert", default dtype q8), tokenizer.json, tokenizer_config.json,
    special_tokens_map.json, onnx/model_quantized.onnx, export-check.json

and the fp32 graph (model.onnx) next to the run's model.pt: the folder ships only the int8 graph
(int8.py: it decides as fp32 does, at a quarter of the size; models/ must stay small).

ONNX contract (as transformers.js' BERT token classifiers): inputs input_ids, attention_mask,
token_type_ids, int64 [batch_size, sequence_length] → logits float32 [batch_size,
sequence_length, 2]. export-check.json records torch's keep probabilities for fixed texts so
TypeScript can check ONNX Runtime against them: the fp32 graph within `tolerance`, the int8 graph
within its variant's.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch
from torch import Tensor, nn

from .encoder import TokenClassifier
from .int8 import DEFAULT_DTYPE, QUANTIZED_FILE, int8_check, write_int8_graph
from .wordpiece import CLS_ID, SEP_ID, WordPiece

OPSET = 14
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")
CHECK_TEXTS = [
    "The pass key is 40297. Remember it. In 1851, the Pequod sailed from Nantucket; "
    "Ishmael wrote: \u201cCall me Ishmael.\u201d Prices rose 3.5% \u2014 caf\u00e9, na\u00efve, \u00a340.",
    "The registration number of Gaihio is 180208.",
]
# Max |probability difference| allowed between ONNX Runtime (fp32, CPU) and torch.
CHECK_TOLERANCE = 1e-4


class _Exported(nn.Module):
    def __init__(self, model: TokenClassifier):
        super().__init__()
        self.model = model

    def forward(self, input_ids: Tensor, attention_mask: Tensor, token_type_ids: Tensor) -> Tensor:
        return self.model(input_ids, attention_mask, token_type_ids)


def keep_probabilities(model: TokenClassifier, batch: list[list[int]]) -> list[list[float]]:
    """Right-padded batch → softmax(logits)[..., 1] per real token (eval mode: no dropout)."""
    model.eval()
    width = max(len(ids) for ids in batch)
    ids = torch.tensor([row + [0] * (width - len(row)) for row in batch])
    mask = torch.tensor([[1] * len(row) + [0] * (width - len(row)) for row in batch])
    with torch.no_grad():
        probs = torch.softmax(model(ids, mask, torch.zeros_like(ids)).double(), dim=-1)[..., 1]
    return [probs[i, : len(row)].tolist() for i, row in enumerate(batch)]


def export_folder(model: TokenClassifier, tokenizer_dir: Path, out_dir: Path, card: dict, fp32_path: Path) -> dict:
    """Exports the fp32 graph to `fp32_path` and the model folder (int8 graph) to `out_dir`."""
    model = model.eval()
    fp32_path.parent.mkdir(parents=True, exist_ok=True)
    # An fp32 graph left in the folder by an older export would be shipped and go stale.
    (out_dir / "onnx" / "model.onnx").unlink(missing_ok=True)
    ids = torch.randint(5, model.config.vocab_size, (2, 7))
    mask = torch.ones_like(ids)
    axes = {"batch_size": 0, "sequence_length": 1}
    dynamic = {name: {v: k for k, v in axes.items()} for name in ("input_ids", "attention_mask", "token_type_ids")}
    dynamic["logits"] = {0: "batch_size", 1: "sequence_length"}
    # The wrapper in eval mode too: export restores the wrapper's mode afterwards, recursively,
    # which would leave the model in training mode (dropout on) for the golden values.
    torch.onnx.export(
        _Exported(model).eval(),
        (ids, mask, torch.zeros_like(ids)),
        str(fp32_path),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["logits"],
        dynamic_axes=dynamic,
        opset_version=OPSET,
        do_constant_folding=True,
    )
    print(write_int8_graph(fp32_path, out_dir / "onnx" / QUANTIZED_FILE), flush=True)
    if tokenizer_dir.resolve() != out_dir.resolve():
        for name in TOKENIZER_FILES:
            shutil.copyfile(tokenizer_dir / name, out_dir / name)
    config = model.config.hf_config()
    config["transformers.js_config"] = {"dtype": DEFAULT_DTYPE}
    config["ctxpress"] = card
    write_json(out_dir / "config.json", config)

    tokenizer = WordPiece.from_file(out_dir / "tokenizer.json")
    batch = [[CLS_ID, *(i for i, _, _ in tokenizer.encode(text)), SEP_ID] for text in CHECK_TEXTS]
    check = {
        "format": 1,
        "texts": CHECK_TEXTS,
        "input_ids": batch,
        "keep_probabilities": keep_probabilities(model, batch),
        "tolerance": CHECK_TOLERANCE,
        "variants": int8_check(),
        "computed_by": f"torch {torch.__version__} float64 softmax of float32 logits, CPU (training/llmlingua2/export.py)",
    }
    write_json(out_dir / "export-check.json", check)
    return check


def write_json(path: Path, value: dict) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
