"""Training rows of the AutoCompressor, as lists of segments read one after another.

- lm:    a random window of the train stream cut into 2 substeps of 2 random-length segments
         (the paper's setup), next-token loss on every token of every segment;
- qa:    a generated task (training/gist/make-data.ts): the document cut into 1..n random-length
         segments that are compressed, then the question read after all their summary vectors,
         loss on the answer only (a question about segment 1 answered from its vectors while
         reading what follows);
- plain: a window read as ordinary text (no summary vectors), next-token loss, so the reader
         keeps its plain-text skill.

Every batch is a pure function of (seed, step) like ctxtrain's, so resumed runs see the same data.
"""

import hashlib
import json
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ctxtrain.bpe import BpeTokenizer
from ctxtrain.data import IGNORE
from ctxtrain.special_tokens import ENDOFTEXT_ID, PAD_ID


@dataclass
class Segment:
    tokens: torch.Tensor  # [rows, width] int64, right-padded with PAD_ID
    lengths: torch.Tensor  # [rows] real tokens per row
    targets: torch.Tensor  # [rows, width] int64, IGNORE where there is no loss


@dataclass
class SegmentedRows:
    kind: str
    segments: list[Segment]
    # The softprompt is detached before these segment indices (substep boundaries).
    detach_before: frozenset[int]
    # Segments before this index run without gradients (only their summary vectors are used).
    grad_from: int = 0


@dataclass
class QaExample:
    task: str
    context: list[int]  # BOS + document tokens: what gets compressed
    tail: list[int]  # instruction, question and answer prefix, read after the vectors
    answer: list[int]  # answer tokens + <|endoftext|>


def load_qa_examples(path: Path, tokenizer: BpeTokenizer, tokenizer_file: Path) -> list[QaExample]:
    """Tokenized QA rows, cached next to the file (<name>.<hash>.tokens.pkl), keyed by the hashes
    of the tokenizer and the file: the pure-Python BPE takes minutes over the train set."""
    key = hashlib.sha256(tokenizer_file.read_bytes() + path.read_bytes()).hexdigest()[:16]
    cache = path.with_name(f"{path.stem}.{key}.tokens.pkl")
    if cache.exists():
        with cache.open("rb") as stored:
            return pickle.load(stored)
    examples = []
    with path.open() as lines:
        for line in lines:
            row = json.loads(line)
            examples.append(
                QaExample(
                    task=row["task"],
                    context=[ENDOFTEXT_ID, *tokenizer.encode(row["context"])],
                    tail=tokenizer.encode(row["tail"]),
                    answer=[*tokenizer.encode(row["answer"]), ENDOFTEXT_ID],
                )
            )
    with cache.with_suffix(".tmp").open("wb") as out:
        pickle.dump(examples, out)
    cache.with_suffix(".tmp").replace(cache)
    return examples


def pad_segment(pieces: list[tuple[list[int], list[int]]]) -> Segment:
    """(tokens, targets) per row → one right-padded segment."""
    width = max(len(tokens) for tokens, _ in pieces)
    tokens = torch.full((len(pieces), width), PAD_ID, dtype=torch.long)
    targets = torch.full((len(pieces), width), IGNORE, dtype=torch.long)
    for row, (ids, target) in enumerate(pieces):
        tokens[row, : len(ids)] = torch.tensor(ids)
        targets[row, : len(target)] = torch.tensor(target)
    lengths = torch.tensor([len(ids) for ids, _ in pieces])
    return Segment(tokens, lengths, targets)


def random_lengths(total: int, parts: int, minimum: int, rng: np.random.Generator) -> list[int]:
    """`parts` lengths of at least `minimum` summing to `total`, cut at uniform random points."""
    spare = total - parts * minimum
    if spare < 0:
        raise ValueError(f"{total} tokens cannot make {parts} segments of at least {minimum}")
    cuts = np.sort(rng.integers(0, spare + 1, parts - 1))
    sizes = np.diff(np.concatenate([[0], cuts, [spare]]))
    return [int(s) + minimum for s in sizes]


def split_row(inputs: list[int], targets: list[int], lengths: list[int]) -> list[tuple[list[int], list[int]]]:
    pieces, start = [], 0
    for length in lengths:
        pieces.append((inputs[start : start + length], targets[start : start + length]))
        start += length
    return pieces


def lm_rows(
    stream: np.ndarray, rows: int, tokens: int, min_segment: int, rng: np.random.Generator
) -> SegmentedRows:
    """Windows of `tokens` tokens in 2 substeps × 2 segments; one set of lengths per batch, as
    the reference draws them per batch."""
    halves = [tokens // 2, tokens - tokens // 2]
    lengths = [n for half in halves for n in random_lengths(half, 2, min_segment, rng)]
    per_row = []
    for _ in range(rows):
        start = int(rng.integers(0, len(stream) - tokens))
        window = [ENDOFTEXT_ID, *stream[start : start + tokens].tolist()]
        per_row.append(split_row(window[:-1], window[1:], lengths))
    segments = [pad_segment([row[i] for row in per_row]) for i in range(len(lengths))]
    return SegmentedRows("lm", segments, detach_before=frozenset({2}))


def plain_rows(stream: np.ndarray, rows: int, tokens: int, rng: np.random.Generator) -> SegmentedRows:
    pieces = []
    for _ in range(rows):
        start = int(rng.integers(0, len(stream) - tokens))
        window = [ENDOFTEXT_ID, *stream[start : start + tokens].tolist()]
        pieces.append((window[:-1], window[1:]))
    return SegmentedRows("plain", [pad_segment(pieces)], detach_before=frozenset())


def qa_segments(example: QaExample, parts: int, min_segment: int, rng: np.random.Generator) -> list[tuple[list[int], list[int]]]:
    """The context in `parts` random-length segments (no loss), then tail + answer (loss on the
    answer tokens only)."""
    lengths = random_lengths(len(example.context), parts, min_segment, rng)
    context = split_row(example.context, [IGNORE] * len(example.context), lengths)
    final = [*example.tail, *example.answer]
    targets = [IGNORE] * (len(example.tail) - 1) + example.answer
    return [*context, (final[:-1], targets)]


class QaPool:
    """QA examples grouped so that a batch can ask for contexts fitting n segments."""

    def __init__(self, examples: list[QaExample], min_segment: int, max_segment: int):
        self.examples = examples
        self.min_segment = min_segment
        self.max_segment = max_segment

    def fitting(self, parts: int) -> list[QaExample]:
        return [
            e
            for e in self.examples
            if parts * self.min_segment <= len(e.context) <= parts * self.max_segment
        ]

    def rows(self, rows: int, parts: int, rng: np.random.Generator) -> SegmentedRows:
        candidates = self.fitting(parts)
        if not candidates:
            raise ValueError(f"no QA example has a context for {parts} segments")
        per_row = [
            qa_segments(candidates[int(rng.integers(0, len(candidates)))], parts, self.min_segment, rng)
            for _ in range(rows)
        ]
        segments = [pad_segment([row[i] for row in per_row]) for i in range(parts + 1)]
        # Gradients through at most two compression steps: earlier segments only feed vectors.
        return SegmentedRows("qa", segments, detach_before=frozenset(), grad_from=max(0, parts - 2))
