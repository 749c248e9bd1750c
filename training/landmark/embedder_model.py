"""The landmark embedder: a small bidirectional encoder over the project's BPE tokenizer.

It reuses the decoder layers of the toolkit's Llama-style model (RoPE, RMSNorm, SwiGLU) with a
padding-only attention bias instead of the causal one, pools the final-norm hidden states over
real tokens (mean, or learned attention weights), projects and L2-normalises: one unit vector
per text. Blocks and questions go
through the same model (a symmetric bi-encoder), so a query-block score is a cosine.
"""

import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import Tensor, nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ctxtrain.config import ModelConfig  # noqa: E402
from ctxtrain.model import MASKED, DecoderLayer, RMSNorm, rope_cos_sin  # noqa: E402


@dataclass(frozen=True)
class EmbedderConfig:
    vocab_size: int = 8192
    hidden_size: int = 128
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    head_dim: int = 32
    intermediate_size: int = 256
    embedding_dim: int = 128
    rope_theta: float = 10000.0
    rms_norm_eps: float = 1e-5
    initializer_range: float = 0.02
    # Longest input the TS side feeds (longer texts are cut): RoPE has no hard limit, this is
    # what training covered with margin.
    max_tokens: int = 512
    # "mean" over real tokens, or "attention": a learned softmax weight per token, so that a
    # block's vector can lean on its salient sentence (a needle) instead of averaging it away.
    pooling: str = "mean"

    def layer_config(self) -> ModelConfig:
        return ModelConfig(
            vocab_size=self.vocab_size,
            hidden_size=self.hidden_size,
            num_hidden_layers=self.num_hidden_layers,
            num_attention_heads=self.num_attention_heads,
            num_key_value_heads=self.num_attention_heads,
            head_dim=self.head_dim,
            intermediate_size=self.intermediate_size,
            rope_theta=self.rope_theta,
            rms_norm_eps=self.rms_norm_eps,
            initializer_range=self.initializer_range,
        )

    def hf_config(self) -> dict:
        """config.json: what src/model/embedder reads (pooling and normalisation are in the graph)."""
        return {
            "architectures": ["CtxpressLandmarkEmbedder"],
            "model_type": "ctxpress-embedder",
            **asdict(self),
            "normalized": True,
            "output": "embeddings",
            "pad_token_id": 1,
            # Trained on bare token ids: no <|endoftext|> in front (the tokenizer's template adds one).
            "add_special_tokens": False,
            # transformers.js' convention: onnx/model.onnx reads its weights from model.onnx_data.
            "transformers.js_config": {"use_external_data_format": {"model.onnx": 1}},
        }


class LandmarkEmbedder(nn.Module):
    def __init__(self, config: EmbedderConfig):
        super().__init__()
        self.config = config
        layer_config = config.layer_config()
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList(DecoderLayer(layer_config) for _ in range(config.num_hidden_layers))
        self.norm = RMSNorm(config.hidden_size, config.rms_norm_eps)
        self.proj = nn.Linear(config.hidden_size, config.embedding_dim, bias=False)
        if config.pooling not in ("mean", "attention"):
            raise ValueError(f"pooling must be mean or attention, got {config.pooling}")
        self.pool_score = nn.Linear(config.hidden_size, 1, bias=False) if config.pooling == "attention" else None
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=config.initializer_range)

    def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tensor:
        """Unit vectors [batch, embedding_dim]; attention_mask is 1 for tokens, 0 for padding."""
        batch, seq = input_ids.shape
        x = self.embed_tokens(input_ids)
        positions = torch.arange(seq, device=input_ids.device).unsqueeze(0).expand(batch, seq)
        cos, sin = rope_cos_sin(positions, self.config.head_dim, self.config.rope_theta)
        mask = attention_mask.to(x.dtype)
        zero = torch.zeros((), dtype=x.dtype)
        bias = torch.where(mask > 0, zero, zero + MASKED)[:, None, None, :]
        empty = x.new_zeros((batch, self.config.num_attention_heads, 0, self.config.head_dim))
        for layer in self.layers:
            x, _, _ = layer(x, cos, sin, bias, empty, empty)
        hidden = self.norm(x)
        if self.pool_score is None:
            weights = mask / mask.sum(1, keepdim=True).clamp(min=1.0)
        else:
            weights = torch.softmax(self.pool_score(hidden).squeeze(-1) + (1 - mask) * MASKED, dim=-1)
        pooled = (hidden * weights.unsqueeze(-1)).sum(1)
        return nn.functional.normalize(self.proj(pooled), dim=-1)
