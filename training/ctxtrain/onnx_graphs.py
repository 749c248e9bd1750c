"""Traces the two ONNX graphs of a model folder: `model.onnx` (input_ids) and `model_embeds.onnx`
(inputs_embeds), both with the transformers.js causal-LM cache contract."""

from pathlib import Path

import torch
from torch import Tensor, nn

from .model import LlamaLM

OPSET = 14


def cache_names(layers: int) -> tuple[list[str], list[str]]:
    past = [f"past_key_values.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]
    present = [f"present.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]
    return past, present


class _ExportedLM(nn.Module):
    """Flat-argument forward for tracing: (first input, attention_mask, position_ids, *past)."""

    def __init__(self, lm: LlamaLM, takes_embeds: bool):
        super().__init__()
        self.lm = lm
        self.takes_embeds = takes_embeds

    def forward(self, first: Tensor, attention_mask: Tensor, position_ids: Tensor, *past_flat: Tensor):
        embeds = first if self.takes_embeds else self.lm.model.embed_tokens(first)
        past = list(zip(past_flat[0::2], past_flat[1::2]))
        hidden, present = self.lm.hidden_states(embeds, attention_mask, position_ids, past)
        batch, seq, size = hidden.shape
        # Einsum reads the (tied) embedding table as stored; a linear layer would make the export
        # constant-fold a transposed copy of it into the file.
        logits = torch.einsum("nd,vd->nv", hidden.reshape(batch * seq, size), self.lm.lm_head.weight)
        logits = logits.view(batch, seq, -1)
        return (logits, *[t for pair in present for t in pair])


def export_graph(lm: LlamaLM, path: Path, takes_embeds: bool) -> None:
    config = lm.config
    batch, seq, past_len = 2, 5, 3
    first: Tensor
    if takes_embeds:
        first = torch.randn(batch, seq, config.hidden_size)
        first_name, first_axes = "inputs_embeds", {0: "batch_size", 1: "sequence_length"}
    else:
        first = torch.randint(0, config.vocab_size, (batch, seq))
        first_name, first_axes = "input_ids", {0: "batch_size", 1: "sequence_length"}
    mask = torch.ones(batch, past_len + seq, dtype=torch.int64)
    positions = torch.arange(past_len, past_len + seq).unsqueeze(0).expand(batch, seq).contiguous()
    kv_shape = (batch, config.num_key_value_heads, past_len, config.head_dim)
    past = [torch.randn(kv_shape) for _ in range(2 * config.num_hidden_layers)]
    past_names, present_names = cache_names(config.num_hidden_layers)

    axes = {
        first_name: first_axes,
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
    }
    axes.update({name: {0: "batch_size", 2: "past_sequence_length"} for name in past_names})
    axes.update({name: {0: "batch_size", 2: "total_sequence_length"} for name in present_names})
    wrapper = _ExportedLM(lm, takes_embeds).eval()
    with torch.no_grad():
        torch.onnx.export(
            wrapper,
            (first, mask, positions, *past),
            str(path),
            input_names=[first_name, "attention_mask", "position_ids", *past_names],
            output_names=["logits", *present_names],
            dynamic_axes=axes,
            opset_version=OPSET,
            do_constant_folding=True,
        )
