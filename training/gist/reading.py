"""Reading segmented rows through the AutoCompressor: the training loss and the evaluations.

Summary vectors accumulate across the segments of a row (softprompt ← [softprompt; new]); the
softprompt is detached at substep boundaries and segments before `grad_from` run without
gradients, so gradients flow through at most two compression steps, as in the paper.
"""

import math

import numpy as np
import torch
from torch import Tensor, nn

from ctxtrain.data import IGNORE
from ctxtrain.special_tokens import ENDOFTEXT_ID

from .autocompressor import AutoCompressor
from .rows import QaExample, SegmentedRows, pad_segment


def row_loss(model: AutoCompressor, rows: SegmentedRows) -> tuple[Tensor, Tensor]:
    """Mean next-token cross-entropy over the targeted tokens, and their arg-max accuracy."""
    batch = rows.segments[0].tokens.shape[0]
    softprompt = model.empty_softprompt(batch)
    total = torch.zeros(())
    correct = torch.zeros(())
    count = 0
    last = len(rows.segments) - 1
    for index, segment in enumerate(rows.segments):
        if index in rows.detach_before:
            softprompt = softprompt.detach()
        learn = index >= rows.grad_from
        with torch.set_grad_enabled(learn and torch.is_grad_enabled()):
            hidden, vectors = model.read_segment(softprompt, segment.tokens, segment.lengths, index < last)
            selected = segment.targets != IGNORE
            if learn and bool(selected.any()):
                logits = model.lm.lm_head(hidden[selected])
                targets = segment.targets[selected]
                total = total + nn.functional.cross_entropy(logits, targets, reduction="sum")
                correct = correct + (logits.argmax(-1) == targets).sum().detach()
                count += int(selected.sum())
        if vectors is not None:
            softprompt = torch.cat([softprompt, vectors], dim=1)
    return total / max(1, count), correct / max(1, count)


def _nll(model: AutoCompressor, softprompt: Tensor, tokens: list[int], scored_from: int) -> tuple[float, int]:
    """Summed NLL of tokens[scored_from:] read after the softprompt, and how many were scored."""
    segment = pad_segment([(tokens[:-1], tokens[1:])])
    hidden, _ = model.read_segment(softprompt, segment.tokens, segment.lengths, summarize=False)
    logp = torch.log_softmax(model.lm.lm_head(hidden[0, scored_from - 1 :]).double(), dim=-1)
    targets = torch.tensor(tokens[scored_from:])
    return float(-logp.gather(-1, targets.unsqueeze(-1)).sum()), len(targets)


@torch.no_grad()
def segment_perplexities(model: AutoCompressor, stream: np.ndarray, windows: int, segment: int) -> dict[str, float]:
    """The paper's core measurement on held-out text: perplexity of segment 2 given nothing,
    given the summary vectors of segment 1, and given segment 1 in full. Segment 2's first token
    is left out everywhere (after vectors nothing was trained to predict it)."""
    rng = np.random.default_rng(2305)
    sums = {"none": 0.0, "gist": 0.0, "full": 0.0}
    scored = 0
    for start in rng.integers(0, len(stream) - 2 * segment - 1, windows):
        first = [ENDOFTEXT_ID, *stream[start : start + segment].tolist()]
        second = stream[start + segment : start + 2 * segment].tolist()
        empty = model.empty_softprompt(1)
        none, n = _nll(model, empty, [ENDOFTEXT_ID, *second], 2)
        full, _ = _nll(model, empty, [*first, *second], len(first) + 1)
        head = pad_segment([(first, first)])
        _, vectors = model.read_segment(empty, head.tokens, head.lengths, summarize=True)
        gist, _ = _nll(model, vectors, second, 1)
        sums["none"] += none
        sums["full"] += full
        sums["gist"] += gist
        scored += n
    return {key: math.exp(value / scored) for key, value in sums.items()}


def even_segments(tokens: list[int], segment: int) -> list[list[int]]:
    """`tokens` cut into ceil(len/segment) segments of near-equal length."""
    parts = max(1, math.ceil(len(tokens) / segment))
    bounds = [round(i * len(tokens) / parts) for i in range(parts + 1)]
    return [tokens[bounds[i] : bounds[i + 1]] for i in range(parts)]


@torch.no_grad()
def compress(model: AutoCompressor, tokens: list[int], segment: int) -> Tensor:
    """Summary vectors [1, n·κ, hidden] of a document cut into segments of about `segment`."""
    softprompt = model.empty_softprompt(1)
    for piece in even_segments(tokens, segment):
        batch = pad_segment([(piece, piece)])
        _, vectors = model.read_segment(softprompt, batch.tokens, batch.lengths, summarize=True)
        softprompt = torch.cat([softprompt, vectors], dim=1)
    return softprompt


@torch.no_grad()
def qa_exact_match(model: AutoCompressor, examples: list[QaExample], segment: int) -> dict[str, float]:
    """Teacher-forced exact match of the answer read after the document's summary vectors."""
    hits: dict[str, list[bool]] = {}
    for example in examples:
        softprompt = compress(model, example.context, segment)
        tokens = [*example.tail, *example.answer]
        batch = pad_segment([(tokens[:-1], tokens[1:])])
        hidden, _ = model.read_segment(softprompt, batch.tokens, batch.lengths, summarize=False)
        predicted = model.lm.lm_head(hidden[0, len(example.tail) - 1 :]).argmax(-1).tolist()
        hits.setdefault(example.task, []).append(predicted == example.answer)
    return {task: sum(h) / len(h) for task, h in sorted(hits.items())}
