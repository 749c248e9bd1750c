"""A Llama-style decoder (RoPE, RMSNorm, SwiGLU, grouped-query attention), written out by hand:
torch 1.13 has no scaled_dot_product_attention, and the same code is traced for ONNX export, so
the forward pass takes the exact inputs of the transformers.js causal-LM contract.

Parameter names follow Hugging Face's LlamaForCausalLM (model.layers.N.self_attn.q_proj, ...).
"""

import math

import torch
from torch import Tensor, nn

from .config import ModelConfig

# Finite, so that a query whose keys are all masked (a left-padding position) yields a uniform
# softmax instead of NaN; such rows are never read.
MASKED = -1e9

# The training path computes attention in blocks of query rows whose fp32 scores stay under this
# size: glibc then serves them from its heap (allocator.py), where one 1,024- or 2,048-square score
# tensor per layer was mmap'd and faulted in afresh every step (7.5-12.6 s a step at 1,024 tokens;
# docs/TRAINING-PROBES.md, p08). Block i also skips the keys after its last query.
SCORE_BLOCK_BYTES = 16 * 1024 * 1024


def causal_attention(q: Tensor, key: Tensor, value: Tensor) -> Tensor:
    """Causal attention of rows that start at position 0 with no padding and no cache (the
    training path), in blocks of query rows. q, key, value: [batch, heads, seq, head_dim]."""
    batch, heads, seq, head_dim = q.shape
    rows = max(16, SCORE_BLOCK_BYTES // (4 * batch * heads * seq))
    scale = 1 / math.sqrt(head_dim)
    blocks = []
    for start in range(0, seq, rows):
        end = min(seq, start + rows)
        scores = torch.matmul(q[:, :, start:end], key[:, :, :end].transpose(2, 3)) * scale
        # Query start+i sees keys 0..start+i.
        visible = torch.ones(end - start, end, dtype=torch.bool, device=q.device).tril(diagonal=start)
        probs = torch.softmax(scores.masked_fill(~visible, MASKED), dim=-1)
        blocks.append(torch.matmul(probs, value[:, :, :end]))
    return torch.cat(blocks, dim=2)


class RMSNorm(nn.Module):
    def __init__(self, size: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x: Tensor) -> Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope_cos_sin(position_ids: Tensor, head_dim: int, theta: float) -> tuple[Tensor, Tensor]:
    """cos/sin of shape [batch, 1, seq, head_dim] for Hugging Face's half-split RoPE layout."""
    exponents = torch.arange(0, head_dim, 2, dtype=torch.float32, device=position_ids.device) / head_dim
    inv_freq = 1.0 / (theta**exponents)
    angles = position_ids.to(torch.float32).unsqueeze(-1) * inv_freq
    angles = torch.cat((angles, angles), dim=-1).unsqueeze(1)
    return angles.cos(), angles.sin()


class Attention(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.heads = config.num_attention_heads
        self.kv_heads = config.num_key_value_heads
        self.head_dim = config.head_dim
        d = config.hidden_size
        self.q_proj = nn.Linear(d, self.heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(d, self.kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(d, self.kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(self.heads * self.head_dim, d, bias=False)

    def forward(
        self, x: Tensor, cos: Tensor, sin: Tensor, bias: Tensor | None, past_key: Tensor, past_value: Tensor
    ) -> tuple[Tensor, Tensor, Tensor]:
        """`bias` None: rows from position 0, no padding, empty cache (the training path)."""
        batch, seq, _ = x.shape
        q = self.q_proj(x).view(batch, seq, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(batch, seq, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(batch, seq, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        key = torch.cat((past_key, k), dim=2)
        value = torch.cat((past_value, v), dim=2)
        # Grouped-query attention: query heads h*g .. h*g+g-1 share key/value head h.
        group = self.heads // self.kv_heads
        if bias is None:
            out = causal_attention(
                q, key.repeat_interleave(group, dim=1), value.repeat_interleave(group, dim=1)
            ).transpose(1, 2).reshape(batch, seq, self.heads * self.head_dim)
            return self.o_proj(out), key, value
        q = q.reshape(batch, self.kv_heads, group * seq, self.head_dim)
        scores = torch.matmul(q, key.transpose(2, 3)) / math.sqrt(self.head_dim)
        scores = scores.view(batch, self.heads, seq, -1) + bias
        probs = torch.softmax(scores, dim=-1).view(batch, self.kv_heads, group * seq, -1)
        out = torch.matmul(probs, value).view(batch, self.heads, seq, self.head_dim)
        out = out.transpose(1, 2).reshape(batch, seq, self.heads * self.head_dim)
        return self.o_proj(out), key, value


class MLP(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        d, f = config.hidden_size, config.intermediate_size
        self.gate_proj = nn.Linear(d, f, bias=False)
        self.up_proj = nn.Linear(d, f, bias=False)
        self.down_proj = nn.Linear(f, d, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        return self.down_proj(nn.functional.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.input_layernorm = RMSNorm(config.hidden_size, config.rms_norm_eps)
        self.self_attn = Attention(config)
        self.post_attention_layernorm = RMSNorm(config.hidden_size, config.rms_norm_eps)
        self.mlp = MLP(config)

    def forward(self, x, cos, sin, bias, past_key, past_value):
        attended, key, value = self.self_attn(self.input_layernorm(x), cos, sin, bias, past_key, past_value)
        x = x + attended
        return x + self.mlp(self.post_attention_layernorm(x)), key, value


class DecoderBody(nn.Module):
    """Embeddings, layers and final norm (Hugging Face's `LlamaModel`, prefix `model.`)."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList(DecoderLayer(config) for _ in range(config.num_hidden_layers))
        self.norm = RMSNorm(config.hidden_size, config.rms_norm_eps)


def attention_bias(attention_mask: Tensor, seq: int) -> Tensor:
    """Additive bias [batch, 1, seq, past+seq]: causal over cache slots, and padding slots
    (attention_mask 0, e.g. left padding) hidden from every query."""
    total = attention_mask.shape[1]
    past = total - seq
    query_slot = torch.arange(seq, device=attention_mask.device).unsqueeze(1) + past
    key_slot = torch.arange(total, device=attention_mask.device).unsqueeze(0)
    allowed = (key_slot <= query_slot).unsqueeze(0) & (attention_mask.unsqueeze(1) > 0)
    zero = torch.zeros((), dtype=torch.float32, device=attention_mask.device)
    return torch.where(allowed, zero, zero + MASKED).unsqueeze(1)


class LlamaLM(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        self.model = DecoderBody(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        self.apply(self._init_weights)
        # GPT-2 style: scale residual output projections by depth so deep stacks start stable.
        for layer in self.model.layers:
            std = config.initializer_range / math.sqrt(2 * config.num_hidden_layers)
            nn.init.normal_(layer.self_attn.o_proj.weight, std=std)
            nn.init.normal_(layer.mlp.down_proj.weight, std=std)
        if config.tie_word_embeddings:
            self.lm_head.weight = self.model.embed_tokens.weight

    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=self.config.initializer_range)

    def empty_cache(self, batch: int, device: torch.device | None = None) -> list[tuple[Tensor, Tensor]]:
        c = self.config
        shape = (batch, c.num_key_value_heads, 0, c.head_dim)
        return [
            (torch.zeros(shape, device=device), torch.zeros(shape, device=device)) for _ in range(c.num_hidden_layers)
        ]

    def hidden_states(
        self,
        inputs_embeds: Tensor,
        attention_mask: Tensor,
        position_ids: Tensor,
        past: list[tuple[Tensor, Tensor]],
        causal_only: bool = False,
    ) -> tuple[Tensor, list[tuple[Tensor, Tensor]]]:
        """Final-norm hidden states [batch, seq, hidden] and the grown cache. `causal_only`: the
        rows start at position 0 with no padding and `past` is empty (blocked attention)."""
        cos, sin = rope_cos_sin(position_ids, self.config.head_dim, self.config.rope_theta)
        bias = None if causal_only else attention_bias(attention_mask, inputs_embeds.shape[1])
        x = inputs_embeds
        present = []
        for layer, (past_key, past_value) in zip(self.model.layers, past):
            x, key, value = layer(x, cos, sin, bias, past_key, past_value)
            present.append((key, value))
        return self.model.norm(x), present

    def final_hidden(self, input_ids: Tensor) -> Tensor:
        """Training path: final hidden states for a batch of rows starting at position 0 (right
        padding needs no mask: causal attention never lets a real token see a later pad)."""
        batch, seq = input_ids.shape
        mask = torch.ones_like(input_ids)
        positions = torch.arange(seq, device=input_ids.device).unsqueeze(0).expand(batch, seq)
        embeds = self.model.embed_tokens(input_ids)
        hidden, _ = self.hidden_states(
            embeds, mask, positions, self.empty_cache(batch, input_ids.device), causal_only=True
        )
        return hidden

    def forward(self, input_ids: Tensor) -> Tensor:
        return self.lm_head(self.final_hidden(input_ids))
