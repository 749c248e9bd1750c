"""One checkpoint file per run: model, optimizer, step and wall time, so a stopped run resumes."""

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
    optimizer.load_state_dict(state["optimizer"])
    print(f"resumed {name} at step {state['step']}", flush=True)
    return state["step"], state["wall_seconds"]


def save(checkpoint: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer, step: int, wall: float) -> None:
    """Writes beside the checkpoint, then renames: a run killed mid-write keeps the previous one."""
    tmp = checkpoint.with_suffix(".tmp")
    state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step, "wall_seconds": wall}
    torch.save(state, tmp)
    tmp.replace(checkpoint)
