"""Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json in the Hugging Face
layout that `AutoTokenizer.from_pretrained(<folder>)` of transformers.js (and of Python
transformers) loads."""

import json
from pathlib import Path

from .bytelevel import SPLIT_PATTERN
from .special_tokens import ENDOFTEXT_ID, PAD_ID, SPECIAL_TOKENS

MODEL_MAX_LENGTH = 2048


def tokenizer_json(vocab: list[str], merges: list[tuple[str, str]]) -> dict:
    eos = SPECIAL_TOKENS[ENDOFTEXT_ID]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {
                "id": i,
                "content": token,
                "single_word": False,
                "lstrip": False,
                "rstrip": False,
                "normalized": False,
                "special": True,
            }
            for i, token in enumerate(SPECIAL_TOKENS)
        ],
        "normalizer": None,
        "pre_tokenizer": {
            "type": "Sequence",
            "pretokenizers": [
                {
                    "type": "Split",
                    "pattern": {"Regex": SPLIT_PATTERN},
                    "behavior": "Isolated",
                    "invert": False,
                },
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
            ],
        },
        # Like Llama: encoding with special tokens prepends BOS (<|endoftext|>), as in training.
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": eos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [
                {"SpecialToken": {"id": eos, "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 1}},
                {"Sequence": {"id": "B", "type_id": 1}},
            ],
            "special_tokens": {eos: {"id": eos, "ids": [ENDOFTEXT_ID], "tokens": [eos]}},
        },
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": {token: i for i, token in enumerate(vocab)},
            "merges": [f"{left} {right}" for left, right in merges],
        },
    }


def write_tokenizer_files(folder: Path, vocab: list[str], merges: list[tuple[str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    eos = SPECIAL_TOKENS[ENDOFTEXT_ID]
    pad = SPECIAL_TOKENS[PAD_ID]
    extra = [t for t in SPECIAL_TOKENS if t not in (eos, pad)]
    (folder / "tokenizer.json").write_text(json.dumps(tokenizer_json(vocab, merges), ensure_ascii=False, indent=1))
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": eos,
        "eos_token": eos,
        "pad_token": pad,
        "unk_token": None,
        "additional_special_tokens": extra,
        "add_bos_token": True,
        "add_eos_token": False,
        "model_max_length": MODEL_MAX_LENGTH,
        # Decoding must give back the exact text (no " ." -> "." clean-up).
        "clean_up_tokenization_spaces": False,
        "padding_side": "left",
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")
    special_map = {"bos_token": eos, "eos_token": eos, "pad_token": pad, "additional_special_tokens": extra}
    (folder / "special_tokens_map.json").write_text(json.dumps(special_map, indent=2) + "\n")
