"""Writes the two tiny classifier folders test/llmlingua2/fixtures/ holds, one per published
LLMLingua-2 layout, so TypeScript tests cover both without downloads:

- bert-tiny: BERT-multilingual-cased layout (WordPiece "##", [CLS]/[SEP] by TemplateProcessing,
  token_type_ids input, 512 positions);
- xlmr-tiny: XLM-RoBERTa layout (SentencePiece Unigram with "▁", <s>/</s> by
  RobertaProcessing, pad id 1, no token_type_ids input, 514 positions of which 512 usable).

Each has random weights (seeded), a hand-made vocabulary, and export-check.json: torch's keep
probabilities for fixed id sequences, framed by the family's own special tokens.

Run from training/:  /usr/bin/python3 -m llmlingua2.make_fixtures
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import Tensor, nn

from ctxtrain.paths import REPO_ROOT

from .encoder import EncoderConfig, TokenClassifier
from .export import CHECK_TOLERANCE, OPSET, keep_probabilities, write_json
from .wordpiece import tokenizer_json as wordpiece_tokenizer_json

OUT = REPO_ROOT / "test" / "llmlingua2" / "fixtures"
SEED = 77
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
PUNCTUATION = ".,;:!?'\"-()%$£—“”"
WORDS = ["The", "pass", "key", "is", "Remember", "it", "café", "naïve", "well", "known", "Call", "me"]
EXTRA_CHARS = "éïü日本語"


def bert_vocab() -> list[str]:
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    for char in LETTERS + EXTRA_CHARS:
        vocab += [char, "##" + char]
    vocab += list(PUNCTUATION) + WORDS + ["##member", "##ing"]
    return list(dict.fromkeys(vocab))


def xlmr_tokenizer_json() -> dict:
    pieces = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -8.0)]
    pieces += [(c, -10.0) for c in LETTERS + PUNCTUATION + EXTRA_CHARS]
    pieces += [("▁" + c, -9.0) for c in LETTERS + PUNCTUATION]
    pieces += [("▁" + w, -2.0) for w in WORDS] + [("member", -3.0), ("ing", -3.0)]
    special = [
        {"id": i, "content": p, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
        for i, (p, _) in enumerate(pieces[:4])
    ]
    metaspace = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": special,
        "normalizer": None,
        "pre_tokenizer": metaspace,
        "post_processor": {
            "type": "RobertaProcessing",
            "sep": ["</s>", 2],
            "cls": ["<s>", 0],
            "trim_offsets": True,
            "add_prefix_space": True,
        },
        "decoder": metaspace,
        "model": {"type": "Unigram", "unk_id": 3, "vocab": [list(p) for p in pieces], "byte_fallback": False},
    }


class _NoTokenTypes(nn.Module):
    """The XLM-R export: no token_type_ids input (XLM-R has a single token type)."""

    def __init__(self, model: TokenClassifier):
        super().__init__()
        self.model = model

    def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tensor:
        return self.model(input_ids, attention_mask, torch.zeros_like(input_ids))


class _WithTokenTypes(_NoTokenTypes):
    def forward(self, input_ids: Tensor, attention_mask: Tensor, token_type_ids: Tensor) -> Tensor:  # type: ignore[override]
        return self.model(input_ids, attention_mask, token_type_ids)


def write_fixture(name: str, model_type: str, tokenizer: dict, tokenizer_config: dict, vocab_size: int,
                  positions: int, frame: tuple[list[int], list[int]], pad_id: int) -> None:
    folder = OUT / name
    (folder / "onnx").mkdir(parents=True, exist_ok=True)
    torch.manual_seed(SEED)
    config = EncoderConfig(vocab_size=vocab_size, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                           intermediate_size=32, max_position_embeddings=positions, dropout=0.0, pad_token_id=pad_id)
    model = TokenClassifier(config).eval()
    with torch.no_grad():  # larger weights than training's init, so probabilities spread out
        for parameter in model.parameters():
            parameter.mul_(20.0)
    takes_types = model_type == "bert"
    wrapper = _WithTokenTypes(model) if takes_types else _NoTokenTypes(model)
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if takes_types else [])
    ids = torch.randint(5, vocab_size, (2, 6))
    inputs = (ids, torch.ones_like(ids)) + ((torch.zeros_like(ids),) if takes_types else ())
    torch.onnx.export(
        wrapper, inputs, str(folder / "onnx" / "model.onnx"), input_names=names, output_names=["logits"],
        dynamic_axes={**{n: {0: "batch_size", 1: "sequence_length"} for n in names},
                      "logits": {0: "batch_size", 1: "sequence_length"}},
        opset_version=OPSET,
    )
    hf = config.hf_config()
    hf["model_type"] = model_type
    hf["architectures"] = ["XLMRobertaForTokenClassification" if model_type == "xlm-roberta" else "BertForTokenClassification"]
    write_json(folder / "config.json", hf)
    (folder / "tokenizer.json").write_text(json.dumps(tokenizer, ensure_ascii=False, indent=1))
    write_json(folder / "tokenizer_config.json", tokenizer_config)

    generator = torch.Generator().manual_seed(SEED)
    contents = [torch.randint(5, vocab_size, (n,), generator=generator).tolist() for n in (7, 3, 12)]
    prefix, suffix = frame
    framed = [prefix + c + suffix for c in contents]
    probabilities = keep_probabilities(model, framed)
    write_json(folder / "export-check.json", {
        "format": 1,
        "content_ids": contents,
        "keep_probabilities": [p[len(prefix): len(p) - len(suffix)] for p in probabilities],
        "tolerance": CHECK_TOLERANCE,
        "computed_by": f"torch {torch.__version__} (training/llmlingua2/make_fixtures.py)",
    })


def main() -> None:
    vocab = bert_vocab()
    write_fixture(
        "bert-tiny", "bert", wordpiece_tokenizer_json(vocab),
        {"tokenizer_class": "BertTokenizer", "do_lower_case": False, "cls_token": "[CLS]", "sep_token": "[SEP]",
         "pad_token": "[PAD]", "unk_token": "[UNK]", "mask_token": "[MASK]", "model_max_length": 512},
        len(vocab), 512, ([2], [3]), 0,
    )
    xlmr = xlmr_tokenizer_json()
    write_fixture(
        "xlmr-tiny", "xlm-roberta", xlmr,
        {"tokenizer_class": "XLMRobertaTokenizer", "bos_token": "<s>", "eos_token": "</s>", "cls_token": "<s>",
         "sep_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>", "model_max_length": 512},
        len(xlmr["model"]["vocab"]), 514, ([0], [2]), 1,
    )
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
