"""Training batches that mix four kinds of rows, built from the prepared token ids (token_files.py):

- lm:   a random window of the train stream, loss on every token (plain language modelling);
- copy: a corpus segment repeated to fill the row, loss on the repetitions (an induction-head
        warm-up: retrieval needs a circuit that finds an earlier match and copies what followed);
- repeat: short episodes of random tokens, each repeated a few times, loss on the repetitions:
        nothing but the earlier occurrence predicts them, a pure induction signal;
- task: a generated long-context task (bench/tasks, dumped by training/make-task-data.ts),
        loss on the answer tokens and the closing <|endoftext|> only.

Every batch is a pure function of (seed, step), so a resumed run sees exactly the batches an
uninterrupted run would have seen.
"""

from dataclasses import dataclass

import numpy as np
import torch

from .special_tokens import ENDOFTEXT_ID, PAD_ID, SPECIAL_TOKENS

IGNORE = -100
ROW_KINDS = ("lm", "copy", "repeat", "task")


@dataclass
class TaskExample:
    prompt: list[int]
    answer: list[int]
    task: str


@dataclass
class Batch:
    inputs: torch.Tensor  # [rows, seq] int64
    targets: torch.Tensor  # [rows, seq] int64, IGNORE where no loss
    kinds: list[str]  # per row: "lm", "copy", "repeat" or "task"

    def to(self, device: torch.device) -> "Batch":
        """The same batch with its tensors on `device`."""
        return Batch(self.inputs.to(device), self.targets.to(device), self.kinds)


def _lm_row(stream: np.ndarray, seq: int, rng: np.random.Generator) -> tuple[list[int], list[int]]:
    start = int(rng.integers(0, len(stream) - seq))
    # Rows start with BOS like every scored sequence at inference, then text from anywhere.
    tokens = [ENDOFTEXT_ID, *stream[start : start + seq].tolist()]
    return tokens[:-1], tokens[1:]


def _copy_row(stream: np.ndarray, seq: int, rng: np.random.Generator) -> tuple[list[int], list[int]]:
    length = int(rng.integers(max(8, seq // 8), seq // 2))
    start = int(rng.integers(0, len(stream) - length))
    segment = stream[start : start + length].tolist()
    repeats = -(-seq // length) + 1
    tokens = [ENDOFTEXT_ID, *(segment * repeats)][: seq + 1]
    targets = tokens[1:]
    # No loss on the first copy: it is unpredictable text; the repetitions are predictable.
    targets = [IGNORE] * length + targets[length:]
    return tokens[:-1], targets


def _repeat_row(pool: np.ndarray, seq: int, rng: np.random.Generator) -> tuple[list[int], list[int]]:
    """Episodes of 4-16 tokens drawn uniformly from `pool`, each repeated 2-4 times and closed by
    <|endoftext|>; loss on the repetitions. Short episodes of uniform tokens are what makes an
    induction circuit appear quickly: unigram-distributed tokens in long segments did not
    (no progress in 300 steps). docs/TRAINING-PROBES.md has the measured curves."""
    tokens = [ENDOFTEXT_ID]
    predictable = [False]
    while len(tokens) < seq + 1:
        segment = pool[rng.integers(0, len(pool), int(rng.integers(4, 17)))].tolist()
        repeats = int(rng.integers(2, 5))
        tokens += segment * repeats + [ENDOFTEXT_ID]
        predictable += [False] * len(segment) + [True] * (len(segment) * (repeats - 1)) + [False]
    tokens, predictable = tokens[: seq + 1], predictable[: seq + 1]
    targets = [t if p else IGNORE for t, p in zip(tokens[1:], predictable[1:])]
    return tokens[:-1], targets


def _task_row(example: TaskExample, seq: int) -> tuple[list[int], list[int]]:
    tokens = [*example.prompt, *example.answer, ENDOFTEXT_ID]
    if len(tokens) > seq + 1:
        raise ValueError(f"task example of {len(tokens)} tokens does not fit rows of {seq + 1}")
    targets = [IGNORE] * (len(example.prompt) - 1) + tokens[len(example.prompt) :]
    pad = seq - len(targets)
    return tokens[:-1] + [PAD_ID] * pad, targets + [IGNORE] * pad


def _most_frequent(stream: np.ndarray, vocab_size: int, count: int) -> np.ndarray:
    """The `count` most frequent ordinary tokens of `stream` (special tokens excluded)."""
    frequency = np.bincount(stream, minlength=vocab_size)
    frequency[: len(SPECIAL_TOKENS)] = -1
    return np.sort(np.argsort(-frequency, kind="stable")[:count])


class BatchSource:
    def __init__(
        self,
        stream: np.ndarray,
        vocab_size: int,
        seq: int,
        rows: dict[str, int],
        tasks: list[TaskExample] | None = None,
        repeat_vocab: int | None = None,
    ):
        """`repeat_vocab`: repeat rows draw from the most frequent tokens of `stream` (None:
        every ordinary token)."""
        self.stream = stream
        self.repeat_pool = (
            np.arange(len(SPECIAL_TOKENS), vocab_size)
            if repeat_vocab is None
            else _most_frequent(stream, vocab_size, repeat_vocab)
        )
        self.seq = seq
        self.rows = rows
        unknown = set(rows) - set(ROW_KINDS)
        if unknown:
            raise ValueError(f"unknown row kinds {sorted(unknown)}; known: {ROW_KINDS}")
        fitting = [t for t in tasks or [] if len(t.prompt) + len(t.answer) + 1 <= seq + 1]
        if rows.get("task", 0) > 0 and not fitting:
            raise ValueError(f"no task example fits rows of {seq + 1} tokens")
        self.tasks = fitting

    def batch(self, seed: int, step: int) -> Batch:
        rng = np.random.default_rng([seed, step])
        inputs, targets, kinds = [], [], []
        for kind in ROW_KINDS:
            for _ in range(self.rows.get(kind, 0)):
                if kind == "lm":
                    row = _lm_row(self.stream, self.seq, rng)
                elif kind == "copy":
                    row = _copy_row(self.stream, self.seq, rng)
                elif kind == "repeat":
                    row = _repeat_row(self.repeat_pool, self.seq, rng)
                else:
                    row = _task_row(self.tasks[int(rng.integers(0, len(self.tasks)))], self.seq)
                inputs.append(row[0])
                targets.append(row[1])
                kinds.append(kind)
        return Batch(torch.tensor(inputs), torch.tensor(targets), kinds)
