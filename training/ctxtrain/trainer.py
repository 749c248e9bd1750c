"""The training loop: AdamW, per-phase warm-up + cosine, resumable checkpoints, JSONL logs."""

import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from . import checkpoint as checkpoints
from .bpe import BpeTokenizer
from .allocator import keep_freed_memory
from .data import IGNORE, Batch, BatchSource, TaskExample
from .head_loss import head_cross_entropy
from .induction_probe import copy_losses
from .model import LlamaLM
from .paths import DATA_DIR, TOKENIZER_DIR
from .precision import autocast
from .run_config import RunConfig
from .token_files import corpus_tokens, task_tokens

HELDOUT_WINDOWS = 16
HELDOUT_SEQ = 512


def hardware(device: torch.device | None = None) -> dict:
    """What a run ran on, for summary.json: the CPU, and the GPU when `device` is CUDA."""
    described = {
        "device": device.type if device else "cpu",
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
    }
    if device is not None and device.type == "cuda":
        described["gpu"] = torch.cuda.get_device_name(device)
    return described


def batch_losses(model: LlamaLM, batch: Batch) -> dict[str, torch.Tensor]:
    """Mean cross-entropy per row kind, and the task rows' token accuracy. The LM head runs only
    where a row has a target (head_loss.py): every position of lm rows, the answer of task rows."""
    hidden = model.final_hidden(batch.inputs)
    losses: dict[str, torch.Tensor] = {}
    for kind in sorted(set(batch.kinds)):
        rows = [i for i, k in enumerate(batch.kinds) if k == kind]
        targets = batch.targets[rows]
        selected = targets != IGNORE
        losses[kind], accuracy = head_cross_entropy(model.lm_head, hidden[rows][selected], targets[selected])
        if kind == "task":
            losses["task_token_acc"] = accuracy
    return losses


@torch.no_grad()
def heldout_loss(model: LlamaLM, stream: np.ndarray, device: torch.device) -> float:
    rng = np.random.default_rng(12345)
    starts = rng.integers(0, len(stream) - HELDOUT_SEQ - 1, HELDOUT_WINDOWS)
    rows = torch.tensor(np.stack([stream[s : s + HELDOUT_SEQ + 1] for s in starts]).astype(np.int64), device=device)
    logits = model(rows[:, :-1])
    return float(nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), rows[:, 1:].reshape(-1)))


def first_per_task(examples: list[TaskExample], count: int, tasks: list[str] | None) -> list[TaskExample]:
    """The first `count` examples of each task (of `tasks` only, unless None), in file order."""
    kept: list[TaskExample] = []
    seen: dict[str, int] = {}
    for example in examples:
        if (tasks is None or example.task in tasks) and seen.get(example.task, 0) < count:
            seen[example.task] = seen.get(example.task, 0) + 1
            kept.append(example)
    return kept


@torch.no_grad()
def task_accuracy(model: LlamaLM, examples: list[TaskExample], device: torch.device) -> dict[str, dict[str, float]]:
    """Per task, teacher-forced: "exact_match" (every answer token is the arg-max prediction;
    greedy decoding can only do as well, so an upper bound that tracks it closely at the cost of
    one pass) and "first_token" (the first answer token alone: for a passkey, the digit that has
    to be found from the question; the rest is copying what followed it)."""
    exact: dict[str, list[bool]] = {}
    first: dict[str, list[bool]] = {}
    for example in examples:
        tokens = torch.tensor([[*example.prompt, *example.answer]], device=device)
        hidden = model.final_hidden(tokens)[0, len(example.prompt) - 1 : -1]
        predicted = model.lm_head(hidden).argmax(-1).tolist()
        exact.setdefault(example.task, []).append(predicted == example.answer)
        first.setdefault(example.task, []).append(predicted[:1] == example.answer[:1])
    return {"exact_match": _shares(exact), "first_token": _shares(first)}


def _shares(hits: dict[str, list[bool]]) -> dict[str, float]:
    return {task: sum(h) / len(h) for task, h in sorted(hits.items())}


def _parameter_groups(model: LlamaLM, weight_decay: float) -> list[dict]:
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    keep = [p for n, p in model.named_parameters() if p.dim() < 2]
    return [{"params": decay, "weight_decay": weight_decay}, {"params": keep, "weight_decay": 0.0}]


def train(
    config: RunConfig,
    run_dir: Path,
    stop_at: int | None = None,
    threads: int | None = None,
    data_dir: Path = DATA_DIR,
    device: torch.device | None = None,
    precision: str | None = None,
) -> LlamaLM:
    """Trains `config` into `run_dir` from its last checkpoint up to `stop_at` (default: the end).

    `device` defaults to the CPU; `precision` to the config's (see precision.py). Raises
    ValueError when a phase's rows cannot be built (unknown kind, no task example that fits)."""
    device = device or torch.device("cpu")
    precision = precision or config.precision
    keep_freed_memory()
    torch.set_num_threads(threads or config.threads)
    torch.manual_seed(config.seed)
    run_dir.mkdir(parents=True, exist_ok=True)
    tokenizer_file = TOKENIZER_DIR / "tokenizer.json"
    tokenizer = BpeTokenizer.from_file(tokenizer_file)
    train_stream = corpus_tokens("train", tokenizer, tokenizer_file, data_dir)
    heldout_stream = corpus_tokens("heldout", tokenizer, tokenizer_file, data_dir)
    tasks_dir = data_dir / "tasks"

    def tasks_of(task_file: str) -> list[TaskExample]:
        return task_tokens(tasks_dir / task_file, tokenizer, tokenizer_file, data_dir)

    eval_tasks = (
        first_per_task(tasks_of(config.eval_task_file), config.eval_per_task, config.eval_tasks)
        if config.eval_task_file
        else []
    )

    model = LlamaLM(config.model).to(device)
    optimizer = torch.optim.AdamW(
        _parameter_groups(model, config.weight_decay), lr=config.phases[0].lr, betas=config.betas
    )
    checkpoint = run_dir / "checkpoint.pt"
    step, wall = checkpoints.resume(checkpoint, model, optimizer, config.name)
    end = min(config.total_steps, stop_at if stop_at is not None else config.total_steps)

    sources: dict[str, BatchSource] = {}
    log = (run_dir / "log.jsonl").open("a")

    def evaluate() -> None:
        model.eval()
        record = {"step": step, "heldout_loss": heldout_loss(model, heldout_stream, device)}
        record["heldout_ppl"] = float(np.exp(record["heldout_loss"]))
        record["copy_losses"] = copy_losses(model, device)
        if eval_tasks:
            accuracy = task_accuracy(model, eval_tasks, device)
            record["task_exact_match"] = accuracy["exact_match"]
            record["task_first_token"] = accuracy["first_token"]
        model.train()
        log.write(json.dumps({"eval": record}) + "\n")
        log.flush()
        print(f"eval {json.dumps(record)}", flush=True)

    model.train()
    while step < end:
        phase, _ = config.phase_at(step)
        if phase.name not in sources:
            tasks = tasks_of(phase.task_file) if phase.task_file else None
            if tasks is not None and phase.tasks is not None:
                tasks = [t for t in tasks if t.task in phase.tasks]
            sources[phase.name] = BatchSource(
                train_stream, config.model.vocab_size, phase.seq_len, phase.rows, tasks, phase.repeat_vocab
            )
        started = time.time()
        batch = sources[phase.name].batch(config.seed, step).to(device)
        lr = config.lr_at(step)
        for group in optimizer.param_groups:
            group["lr"] = lr
        with autocast(device, precision):
            losses = batch_losses(model, batch)
        total = sum(losses[kind] * weight for kind, weight in config.loss_weights.items() if kind in losses)
        optimizer.zero_grad(set_to_none=True)
        total.backward()
        grad_norm = float(nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip))
        optimizer.step()
        step += 1
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        elapsed = time.time() - started
        wall += elapsed
        if step % 10 == 0 or step == end:
            record = {
                "step": step,
                "phase": phase.name,
                "lr": lr,
                "grad_norm": round(grad_norm, 3),
                "seconds_per_step": round(elapsed, 2),
                "tokens_per_second": round(batch.inputs.numel() / elapsed),
                "wall_seconds": round(wall),
                **{k: round(float(v), 4) for k, v in losses.items()},
            }
            log.write(json.dumps(record) + "\n")
            log.flush()
            print(json.dumps(record), flush=True)
        if step % config.checkpoint_every == 0 or step == end:
            checkpoints.save(checkpoint, model, optimizer, step, wall)
        if step % config.eval_every == 0 or step == end:
            evaluate()
    log.close()
    (run_dir / "summary.json").write_text(
        json.dumps(
            {"steps": step, "wall_seconds": round(wall), "precision": precision, "hardware": hardware(device)},
            indent=2,
        )
        + "\n"
    )
    return model
