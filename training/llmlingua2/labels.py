"""Teacher labels (make-labels.ts output) turned into per-token training targets.

A token's target is the share of its characters the teacher kept, averaged over the teacher's
rates (a soft label: kept at every rate → 1, at none → 0); tokens inside an oracle needle get 1.
Each example is [CLS] tokens[:510] [SEP] with the special tokens left out of the loss.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .wordpiece import CLS_ID, SEP_ID, WordPiece

IGNORE = -1.0


@dataclass
class Example:
    id: str
    kind: str
    ids: np.ndarray  # int64 [length], with [CLS] and [SEP]
    target: np.ndarray  # float32 [length], IGNORE at special tokens
    # Teacher's hard label per token at each rate (for agreement), IGNORE at special tokens.
    teacher: dict[str, np.ndarray]


def _char_mask(length: int, spans: list[list[int]]) -> np.ndarray:
    mask = np.zeros(length, dtype=np.float32)
    for start, end in spans:
        mask[start:end] = 1.0
    return mask


def _token_share(mask: np.ndarray, tokens: list[tuple[int, int, int]]) -> np.ndarray:
    return np.array([mask[s:e].mean() if e > s else 0.0 for _, s, e in tokens], dtype=np.float32)


def _framed(values: np.ndarray) -> np.ndarray:
    return np.concatenate([[IGNORE], values, [IGNORE]]).astype(np.float32)


def load_examples(path: Path, tokenizer: WordPiece, max_tokens: int = 510) -> list[Example]:
    examples = []
    with Path(path).open() as lines:
        for line in lines:
            record = json.loads(line)
            text = record["text"]
            tokens = tokenizer.encode(text)[:max_tokens]
            teacher = {
                rate: (_token_share(_char_mask(len(text), spans), tokens) >= 0.5).astype(np.float32)
                for rate, spans in record["kept"].items()
            }
            soft = np.mean(list(teacher.values()), axis=0)
            needles = _token_share(_char_mask(len(text), record["needles"]), tokens) > 0
            target = np.where(needles, 1.0, soft).astype(np.float32)
            ids = np.array([CLS_ID, *(i for i, _, _ in tokens), SEP_ID], dtype=np.int64)
            examples.append(
                Example(
                    id=record["id"],
                    kind=record["kind"],
                    ids=ids,
                    target=_framed(target),
                    teacher={rate: _framed(hard) for rate, hard in teacher.items()},
                )
            )
    return examples
