"""A training run: model hyper-parameters, optimiser, and a list of phases (curriculum).

Phases run in order; the global step decides the phase, so appending a phase to a finished run
and starting it again resumes from the last checkpoint into the new phase.
"""

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from .config import ModelConfig


@dataclass(frozen=True)
class Phase:
    name: str
    steps: int
    seq_len: int
    rows: dict[str, int]  # rows per batch of each kind: "lm", "copy", "repeat", "task"
    lr: float
    warmup: int = 0
    # False keeps the learning rate constant after warm-up: the induction warm-up needs it (with
    # a decaying rate the circuit did not appear within the phase).
    decay: bool = True
    task_file: str | None = None  # relative to <data dir>/tasks
    # Task rows only of these tasks ("passkey", "multi-key", "doc-qa", ...); None keeps every task.
    tasks: list[str] | None = None
    # Repeat rows draw from the N most frequent tokens of the train split; None: all 8,184.
    repeat_vocab: int | None = None


@dataclass(frozen=True)
class RunConfig:
    name: str
    seed: int
    model: ModelConfig
    phases: list[Phase]
    min_lr_ratio: float = 0.1
    weight_decay: float = 0.1
    betas: tuple[float, float] = (0.9, 0.95)
    grad_clip: float = 1.0
    # Weight of each row kind's mean loss in the total (kinds: see data.py).
    loss_weights: dict[str, float] = field(
        default_factory=lambda: {"lm": 1.0, "task": 1.0, "copy": 0.5, "repeat": 1.0}
    )
    checkpoint_every: int = 50
    eval_every: int = 200
    eval_task_file: str | None = None
    # Held-out task examples scored per task at each evaluation (the first N of each task), and
    # which tasks (None: every task in eval_task_file).
    eval_per_task: int = 16
    eval_tasks: list[str] | None = None
    # "fp32", or "bf16" autocast (see precision.py); train.py's --precision overrides it.
    precision: str = "fp32"
    threads: int = 2
    # The ONNX variant loaders pick when the caller names none ("q8": the int8 graph), written by
    # export_model.py into config.json; None keeps fp32. In the run config so the export is one command.
    export_dtype: str | None = None
    # False: the int8 graph keeps float activations (weight-only int8) instead of quantizing them
    # per run. The 2-layer, d=128 reader drifted 0.54 nats from torch on the export check with
    # quantized activations (ctxpress-5m: 0.12), and its answers are copied digit by digit.
    int8_activations: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def total_steps(self) -> int:
        return sum(p.steps for p in self.phases)

    def with_batch_scale(self, factor: int) -> "RunConfig":
        """The same run with every phase's rows multiplied by `factor` (a GPU's larger batches;
        steps, learning rates and the curriculum unchanged). Raises ValueError when factor < 1."""
        if factor < 1:
            raise ValueError(f"batch scale must be >= 1, got {factor}")
        phases = [replace(p, rows={kind: n * factor for kind, n in p.rows.items()}) for p in self.phases]
        return replace(self, phases=phases)

    def phase_at(self, step: int) -> tuple[Phase, int]:
        """The phase of a global step and the step's index inside it."""
        start = 0
        for phase in self.phases:
            if step < start + phase.steps:
                return phase, step - start
            start += phase.steps
        raise IndexError(f"step {step} is past the last phase")

    def lr_at(self, step: int) -> float:
        """Linear warm-up, then cosine decay to min_lr_ratio x lr (or constant), per phase."""
        phase, i = self.phase_at(step)
        if i < phase.warmup:
            return phase.lr * (i + 1) / phase.warmup
        if not phase.decay:
            return phase.lr
        progress = (i - phase.warmup) / max(1, phase.steps - phase.warmup)
        floor = phase.lr * self.min_lr_ratio
        return floor + (phase.lr - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def load_run_config(path: Path) -> RunConfig:
    raw = json.loads(Path(path).read_text())
    phases = [Phase(**p) for p in raw.pop("phases")]
    model = ModelConfig.from_dict(raw.pop("model"))
    if "betas" in raw:
        raw["betas"] = tuple(raw["betas"])
    return RunConfig(model=model, phases=phases, **raw)
