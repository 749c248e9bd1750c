"""Trains the AutoCompressor: the embedded reader extended with κ summary tokens (full fine-tune,
as the paper does for OPT), on next-segment language modelling plus generated QA.

Run from training/ (resumes from .runs/<name>/checkpoint.pt):
  nice -n 10 /usr/bin/python3 -m gist.train configs/gist-5m.json [--threads 1] [--stop-at N]
      [--time-steps N]
Then export: /usr/bin/python3 -m gist.export configs/gist-5m.json --int8-only (as shipped; without
--int8-only the float32 graphs are written too, and stay out of git)
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ctxtrain import checkpoint as checkpoints
from ctxtrain.bpe import BpeTokenizer
from ctxtrain.model import LlamaLM
from ctxtrain.paths import DATA_DIR, REPO_ROOT, RUNS_DIR, TOKENIZER_DIR
from ctxtrain.token_files import corpus_tokens
from ctxtrain.trainer import hardware

from .autocompressor import AutoCompressor
from .config import GistConfig, GistPhase, load_gist_config
from .reading import qa_exact_match, row_loss, segment_perplexities
from .rows import QaPool, SegmentedRows, lm_rows, load_qa_examples, plain_rows

GIST_DATA = "gist"


def build_model(config: GistConfig, load_base: bool = True) -> AutoCompressor:
    """The base reader's weights (when the config names a checkpoint and `load_base`), then κ
    summary tokens initialised from its <|endoftext|> embedding."""
    lm = LlamaLM(config.model)
    if load_base and config.init_from is not None:
        lm.load_state_dict(torch.load(REPO_ROOT / config.init_from)["model"])
    return AutoCompressor(lm, config.summary_tokens)


def parameter_groups(model: AutoCompressor, weight_decay: float) -> list[dict]:
    # Matrices decay; norms and the summary-token table do not (like embeddings in the paper's
    # LoRA setup, they are free parameters that must move far from their EOS initialisation).
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and n != "embed_summary"]
    keep = [p for n, p in model.named_parameters() if p.dim() < 2 or n == "embed_summary"]
    return [{"params": decay, "weight_decay": weight_decay}, {"params": keep, "weight_decay": 0.0}]


def qa_parts(phase: GistPhase, rng: np.random.Generator) -> int:
    choices = sorted(phase.qa_segments.items())
    weights = np.array([w for _, w in choices], dtype=float)
    return int(choices[int(rng.choice(len(choices), p=weights / weights.sum()))][0])


class Batches:
    """The rows of every kind for a step, a pure function of (seed, step)."""

    def __init__(self, config: GistConfig, stream: np.ndarray, data_dir: Path, tokenizer_file: Path):
        self.config = config
        self.stream = stream
        self.data_dir = data_dir
        self.tokenizer_file = tokenizer_file
        self.tokenizer = BpeTokenizer.from_file(tokenizer_file)
        self.pools: dict[str, QaPool] = {}

    def pool(self, file: str) -> QaPool:
        if file not in self.pools:
            examples = load_qa_examples(self.data_dir / GIST_DATA / file, self.tokenizer, self.tokenizer_file)
            self.pools[file] = QaPool(examples, self.config.min_segment, self.config.max_segment)
        return self.pools[file]

    def at(self, step: int) -> list[SegmentedRows]:
        phase = self.config.phase_at(step)
        rng = np.random.default_rng([self.config.seed, step])
        batches = []
        if phase.rows.get("lm", 0) > 0:
            batches.append(lm_rows(self.stream, phase.rows["lm"], phase.lm_tokens, self.config.min_segment, rng))
        if phase.rows.get("qa", 0) > 0:
            if phase.qa_file is None:
                raise ValueError(f"phase {phase.name} has qa rows but no qa_file")
            batches.append(self.pool(phase.qa_file).rows(phase.rows["qa"], qa_parts(phase, rng), rng))
        if phase.rows.get("plain", 0) > 0:
            batches.append(plain_rows(self.stream, phase.rows["plain"], phase.plain_tokens, rng))
        return batches


def train(config: GistConfig, run_dir: Path, data_dir: Path, stop_at: int | None, threads: int | None, time_steps: int | None) -> None:
    torch.set_num_threads(threads or config.threads)
    torch.manual_seed(config.seed)
    run_dir.mkdir(parents=True, exist_ok=True)
    tokenizer_file = TOKENIZER_DIR / "tokenizer.json"
    tokenizer = BpeTokenizer.from_file(tokenizer_file)
    train_stream = corpus_tokens("train", tokenizer, tokenizer_file, data_dir)
    heldout_stream = corpus_tokens("heldout", tokenizer, tokenizer_file, data_dir)
    eval_examples = (
        load_qa_examples(data_dir / GIST_DATA / config.qa_eval_file, tokenizer, tokenizer_file)[: config.eval_qa]
        if config.qa_eval_file
        else []
    )

    model = build_model(config)
    schedule = config.schedule
    optimizer = torch.optim.AdamW(parameter_groups(model, config.weight_decay), lr=config.phases[0].lr, betas=config.betas)
    checkpoint = run_dir / "checkpoint.pt"
    step, wall = checkpoints.resume(checkpoint, model, optimizer, config.name)
    end = min(schedule.total_steps, stop_at if stop_at is not None else schedule.total_steps)
    if time_steps is not None:
        end = min(end, step + time_steps)
    batches = Batches(config, train_stream, data_dir, tokenizer_file)
    weights = {"lm": 1.0, "qa": config.qa_loss_weight, "plain": config.plain_loss_weight}
    log = (run_dir / "log.jsonl").open("a")

    def write(record: dict) -> None:
        log.write(json.dumps(record) + "\n")
        log.flush()
        print(json.dumps(record), flush=True)

    def evaluate() -> None:
        model.eval()
        record: dict = {"step": step}
        record["segment_ppl"] = segment_perplexities(model, heldout_stream, config.eval_windows, config.segment_tokens)
        if eval_examples:
            record["qa_exact_match"] = qa_exact_match(model, eval_examples, config.segment_tokens)
        model.train()
        write({"eval": record})

    model.train()
    while step < end:
        started = time.time()
        lr = schedule.lr_at(step)
        for group in optimizer.param_groups:
            group["lr"] = lr
        optimizer.zero_grad(set_to_none=True)
        losses: dict[str, float] = {}
        tokens = 0
        for rows in batches.at(step):
            loss, accuracy = row_loss(model, rows)
            (loss * weights[rows.kind]).backward()
            losses[rows.kind] = float(loss)
            losses[f"{rows.kind}_acc"] = float(accuracy)
            tokens += int(sum(s.lengths.sum() for s in rows.segments))
        grad_norm = float(nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip))
        optimizer.step()
        step += 1
        elapsed = time.time() - started
        wall += elapsed
        if step % 10 == 0 or step == end or time_steps is not None:
            write(
                {
                    "step": step,
                    "phase": config.phase_at(step - 1).name,
                    "lr": lr,
                    "grad_norm": round(grad_norm, 3),
                    "seconds_per_step": round(elapsed, 2),
                    "tokens_per_second": round(tokens / elapsed),
                    "wall_seconds": round(wall),
                    **{k: round(v, 4) for k, v in losses.items()},
                }
            )
        if time_steps is None and (step % config.checkpoint_every == 0 or step == end):
            checkpoints.save(checkpoint, model, optimizer, step, wall)
        if time_steps is None and (step % config.eval_every == 0 or step == schedule.total_steps):
            evaluate()
    log.close()
    if time_steps is None:
        summary = {"steps": step, "wall_seconds": round(wall), "hardware": hardware()}
        (run_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config", type=Path)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--stop-at", type=int, default=None, help="stop at this global step")
    parser.add_argument("--time-steps", type=int, default=None, help="run N steps without saving, to time them")
    parser.add_argument("--run-dir", type=Path, default=None, help="default training/.runs/<name>")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="corpus/ and gist/ (default training/.data)")
    args = parser.parse_args()
    config = load_gist_config(args.config)
    run_dir = args.run_dir or RUNS_DIR / config.name
    train(config, run_dir, args.data_dir, args.stop_at, args.threads, args.time_steps)


if __name__ == "__main__":
    main()
