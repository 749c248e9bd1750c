"""A gist (AutoCompressor) run: the base reader to extend, κ, segment lengths, and phases.

The learning-rate schedule is ctxtrain's (per-phase warm-up, then cosine to min_lr_ratio), so a
phase here maps onto a ctxtrain `Phase` for `lr_at`/`phase_at`.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from ctxtrain.config import ModelConfig
from ctxtrain.paths import REPO_ROOT
from ctxtrain.run_config import Phase, RunConfig, load_run_config


@dataclass(frozen=True)
class GistPhase:
    name: str
    steps: int
    lr: float
    warmup: int
    rows: dict[str, int]  # rows per batch of each kind: "lm", "qa", "plain"
    lm_tokens: int = 768  # tokens of an lm row (2 substeps x 2 segments)
    plain_tokens: int = 512
    # Share of qa batches compressing the context into this many segments ({"1": 0.3, ...}).
    qa_segments: dict[str, float] = field(default_factory=lambda: {"1": 0.5, "2": 0.5})
    qa_file: str | None = None  # relative to training/.data/gist


@dataclass(frozen=True)
class GistConfig:
    name: str
    seed: int
    summary_tokens: int
    # Default segment length of the exported model (what the compressor cuts documents into).
    segment_tokens: int
    min_segment: int
    max_segment: int
    phases: list[GistPhase]
    model: ModelConfig
    # A ctxtrain checkpoint (relative to the repository) whose weights the run starts from;
    # None trains from a random init (smoke runs).
    init_from: str | None = None
    threads: int = 1
    weight_decay: float = 0.1
    betas: tuple[float, float] = (0.9, 0.95)
    grad_clip: float = 1.0
    min_lr_ratio: float = 0.1
    qa_loss_weight: float = 1.0
    plain_loss_weight: float = 0.5
    checkpoint_every: int = 25
    eval_every: int = 100
    eval_windows: int = 16
    eval_qa: int = 48
    qa_eval_file: str | None = None
    # The dtype every exported graph loads as by default (config.json's transformers.js dtype):
    # "q8" for the shipped model, whose float32 graphs are not committed; None keeps float32.
    export_dtype: str | None = None
    # False: the int8 graphs dequantize their weights and compute in float (weight-only).
    int8_activations: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def schedule(self) -> RunConfig:
        phases = [
            Phase(name=p.name, steps=p.steps, seq_len=p.lm_tokens, rows=p.rows, lr=p.lr, warmup=p.warmup)
            for p in self.phases
        ]
        return RunConfig(name=self.name, seed=self.seed, model=self.model, phases=phases, min_lr_ratio=self.min_lr_ratio)

    def phase_at(self, step: int) -> GistPhase:
        phase, _ = self.schedule.phase_at(step)
        return next(p for p in self.phases if p.name == phase.name)


def load_gist_config(path: Path) -> GistConfig:
    raw = json.loads(Path(path).read_text())
    phases = [GistPhase(**p) for p in raw.pop("phases")]
    base = raw.pop("base_config", None)
    # The model is the base run's (the reader being extended) unless given inline.
    model = (
        load_run_config(REPO_ROOT / base).model if base is not None else ModelConfig.from_dict(raw.pop("model"))
    )
    if "betas" in raw:
        raw["betas"] = tuple(raw["betas"])
    return GistConfig(model=model, phases=phases, **raw)
