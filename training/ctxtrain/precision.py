"""Mixed precision: the dtype that matrix multiplies run in during a training step.

`bf16` runs under `torch.autocast` (linear layers and matmuls in bfloat16; softmax, norms'
reductions and the loss stay float32; weights and optimizer state stay float32). On this
project's CPU (oneDNN with AVX512-BF16) a bf16 matmul measured ~4x the fp32 GFLOP/s; on a CUDA
GPU bf16 is the usual choice. The exported model is float32 either way.
"""

import contextlib
from typing import ContextManager

import torch

PRECISIONS = ("fp32", "bf16")


def autocast(device: torch.device, precision: str) -> ContextManager:
    """The context a forward pass and its loss run in; `fp32` is a no-op.

    Raises ValueError for a precision outside PRECISIONS."""
    if precision == "fp32":
        return contextlib.nullcontext()
    if precision == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    raise ValueError(f"precision {precision!r}: expected one of {PRECISIONS}")
