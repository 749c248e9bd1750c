"""Model hyper-parameters, and their Hugging Face (`model_type: "llama"`) form for config.json."""

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from .special_tokens import ENDOFTEXT_ID, PAD_ID


@dataclass(frozen=True)
class ModelConfig:
    vocab_size: int = 8192
    hidden_size: int = 256
    num_hidden_layers: int = 4
    num_attention_heads: int = 8
    num_key_value_heads: int = 4
    head_dim: int = 32
    intermediate_size: int = 688
    max_position_embeddings: int = 2048
    rope_theta: float = 10000.0
    rms_norm_eps: float = 1e-5
    tie_word_embeddings: bool = True
    initializer_range: float = 0.02

    def __post_init__(self) -> None:
        if self.num_attention_heads % self.num_key_value_heads != 0:
            raise ValueError("num_attention_heads must be a multiple of num_key_value_heads")
        if self.head_dim % 2 != 0:
            raise ValueError("head_dim must be even (RoPE rotates pairs)")

    @classmethod
    def from_dict(cls, values: dict) -> "ModelConfig":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})

    def parameter_count(self) -> int:
        d, f, v = self.hidden_size, self.intermediate_size, self.vocab_size
        q = self.num_attention_heads * self.head_dim
        kv = self.num_key_value_heads * self.head_dim
        per_layer = d * q + 2 * d * kv + q * d + 3 * d * f + 2 * d
        head = 0 if self.tie_word_embeddings else v * d
        return v * d + self.num_hidden_layers * per_layer + d + head

    def hf_config(self) -> dict:
        """config.json as Hugging Face transformers and transformers.js read a Llama model."""
        config = {
            "architectures": ["LlamaForCausalLM"],
            "model_type": "llama",
            **{k: v for k, v in asdict(self).items()},
            "hidden_act": "silu",
            "attention_bias": False,
            "attention_dropout": 0.0,
            "mlp_bias": False,
            "bos_token_id": ENDOFTEXT_ID,
            "eos_token_id": ENDOFTEXT_ID,
            "pad_token_id": PAD_ID,
            "rope_scaling": None,
            "torch_dtype": "float32",
            "use_cache": True,
        }
        return config


def load_model_config(path: Path) -> ModelConfig:
    return ModelConfig.from_dict(json.loads(Path(path).read_text()))
