"""Cross-entropy of the LM head at the supervised positions only, computed in chunks.

The head is a [positions, vocab] matmul (8,192 logits per position): computing it only where a
row has a target skips most of it for task rows, and chunks of CHUNK_POSITIONS keep each logits
tensor (and its gradient) under glibc's 32 MiB mmap threshold, so its memory is reused from
step to step instead of being faulted in fresh (allocator.py).
"""

import torch
from torch import Tensor, nn

CHUNK_POSITIONS = 512


def head_cross_entropy(head: nn.Module, hidden: Tensor, targets: Tensor) -> tuple[Tensor, Tensor]:
    """Mean cross-entropy of head(hidden) against targets ([positions, hidden] and [positions]),
    and the share of positions whose arg-max is the target (detached)."""
    total = hidden.new_zeros((), dtype=torch.float32)
    correct = hidden.new_zeros((), dtype=torch.float32)
    for start in range(0, len(targets), CHUNK_POSITIONS):
        logits = head(hidden[start : start + CHUNK_POSITIONS])
        chunk_targets = targets[start : start + CHUNK_POSITIONS]
        total = total + nn.functional.cross_entropy(logits, chunk_targets, reduction="sum")
        correct += (logits.detach().argmax(-1) == chunk_targets).sum()
    count = max(1, len(targets))
    return total / count, correct / count
