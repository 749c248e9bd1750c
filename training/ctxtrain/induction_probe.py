"""Is a model copying by order (induction) or only boosting tokens it has seen (bag of context)?

Rows of 12 uniformly random tokens followed by a second copy, either in the same order or
shuffled; the loss is taken on the second copy (its first token excluded). A model that only
raises the logits of tokens already in the context scores both alike; an induction circuit
(find the earlier occurrence of the current token, predict what followed it) helps only the
ordered copy. The gap `shuffled - ordered` is the induction signal; chance is ln(8,184) = 9.01.
"""

import numpy as np
import torch
from torch import nn

from .model import LlamaLM
from .special_tokens import ENDOFTEXT_ID, SPECIAL_TOKENS

ROWS = 32
SEGMENT = 12
SEED = 7


def _rows(vocab_size: int, shuffled: bool, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    rng = np.random.default_rng(SEED)  # the same segments for both orders
    inputs, targets = [], []
    for _ in range(ROWS):
        segment = rng.integers(len(SPECIAL_TOKENS), vocab_size, SEGMENT)
        second = rng.permutation(segment) if shuffled else segment
        tokens = [ENDOFTEXT_ID, *segment.tolist(), *second.tolist()]
        # Position i predicts tokens[i + 1]; the second copy's first token is unpredictable.
        scored = [-100] * (SEGMENT + 1) + tokens[SEGMENT + 2 :] + [-100]
        inputs.append(tokens)
        targets.append(scored)
    return torch.tensor(inputs, device=device), torch.tensor(targets, device=device)


@torch.no_grad()
def copy_losses(model: LlamaLM, device: torch.device) -> dict[str, float]:
    """Mean loss on the second copy, {"ordered": ..., "shuffled": ...}, in nats."""
    losses = {}
    for name, shuffled in (("ordered", False), ("shuffled", True)):
        inputs, targets = _rows(model.config.vocab_size, shuffled, device)
        logits = model(inputs)
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100)
        losses[name] = round(float(loss), 4)
    return losses
