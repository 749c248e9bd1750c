"""One checkpoint file per run: model, optimizer, step and wall time, so a stopped run resumes.

A checkpoint written from an exported model folder (checkpoint_from_export.py) has no optimizer
state: the run resumes with fresh AdamW moments."""

from pathlib import Path

import torch


def resume(checkpoint: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer, name: str) -> tuple[int, float]:
    """Loads `checkpoint` into model and optimizer when it exists; returns (step, wall seconds)."""
    if not checkpoint.exists():
        return 0, 0.0
    # Tensors load on the CPU and are copied to the model's device: a run checkpointed on a GPU
    # resumes on a CPU and the other way round.
    state = torch.load(checkpoint, map_location="cpu")
    model.load_state_dict(state["model"])
    if state["optimizer"] is not None:
        optimizer.load_state_dict(state["optimizer"])
    fresh = "" if state["optimizer"] is not None else " (weights only: fresh optimizer state)"
    print(f"resumed {name} at step {state['step']}{fresh}", flush=True)
    return state["step"], state["wall_seconds"]


def save(
    checkpoint: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer | None, step: int, wall: float
) -> None:
    """Writes beside the checkpoint, then renames: a run killed mid-write keeps the previous one.
    `optimizer` None stores weights only."""
    tmp = checkpoint.with_suffix(".tmp")
    optimizer_state = optimizer.state_dict() if optimizer is not None else None
    state = {"model": model.state_dict(), "optimizer": optimizer_state, "step": step, "wall_seconds": wall}
    torch.save(state, tmp)
    tmp.replace(checkpoint)
