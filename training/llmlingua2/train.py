"""Trains the LLMLingua-2 token classifier on teacher labels and exports its model folder.

Run from training/ (labels from make-labels.ts, tokenizer from train_tokenizer.py):
    nice -n 10 /usr/bin/python3 -m llmlingua2.train [--steps 1500] [--threads 1] [--out models/lingua2-bert-mini]

Prints, on the held-out labels, the agreement with the teacher: at each teacher rate r the
classifier keeps its top r share of tokens per text, compared token by token with what the
teacher kept (accuracy and F1 of "kept"), and how many oracle needle tokens survive at r.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path

import numpy as np
import torch

from ctxtrain.paths import DATA_DIR, RUNS_DIR

from .encoder import EncoderConfig, TokenClassifier
from .export import export_folder
from .labels import IGNORE, Example, load_examples
from .train_tokenizer import DEFAULT_OUT
from .wordpiece import WordPiece

LABELS_DIR = DATA_DIR / "llmlingua2"
SEED = 4242


def batches(examples: list[Example], batch_size: int, rng: random.Random):
    """Endless batches of similar length (sorted within shuffled pools: little padding)."""
    while True:
        order = examples[:]
        rng.shuffle(order)
        pool = batch_size * 16
        for p in range(0, len(order), pool):
            chunk = sorted(order[p : p + pool], key=lambda e: len(e.ids))
            groups = [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
            rng.shuffle(groups)
            yield from groups


def collate(group: list[Example]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    width = max(len(e.ids) for e in group)
    ids = np.zeros((len(group), width), dtype=np.int64)
    mask = np.zeros((len(group), width), dtype=np.int64)
    target = np.full((len(group), width), IGNORE, dtype=np.float32)
    for row, example in enumerate(group):
        n = len(example.ids)
        ids[row, :n], mask[row, :n], target[row, :n] = example.ids, 1, example.target
    return torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(target)


def soft_cross_entropy(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    valid = target >= 0
    logp = torch.log_softmax(logits[valid], dim=-1)
    y = target[valid]
    return -(y * logp[:, 1] + (1 - y) * logp[:, 0]).mean()


def probabilities(model: TokenClassifier, examples: list[Example], batch_size: int = 32) -> list[np.ndarray]:
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(examples), batch_size):
            group = examples[i : i + batch_size]
            ids, mask, _ = collate(group)
            probs = torch.softmax(model(ids, mask, torch.zeros_like(ids)), dim=-1)[..., 1].numpy()
            out.extend(probs[row, : len(e.ids)] for row, e in enumerate(group))
    model.train()
    return out


def agreement(examples: list[Example], probs: list[np.ndarray]) -> dict:
    result: dict = {}
    for rate in sorted(examples[0].teacher):
        same = total = tp = fp = fn = needle_kept = needle_total = 0
        for example, p in zip(examples, probs):
            teacher = example.teacher[rate]
            valid = teacher >= 0
            scores = p[valid]
            k = max(1, round(float(rate) * len(scores)))
            kept = np.zeros(len(scores), dtype=bool)
            kept[np.argsort(-scores, kind="stable")[:k]] = True
            gold = teacher[valid] > 0.5
            same += int((kept == gold).sum())
            total += len(scores)
            tp += int((kept & gold).sum())
            fp += int((kept & ~gold).sum())
            fn += int((~kept & gold).sum())
            needles = (example.target[valid] == 1.0) & (example.kind != "corpus")
            if example.kind != "corpus":
                needle_kept += int((kept & needles).sum())
                needle_total += int(needles.sum())
        result[rate] = {
            "accuracy": round(same / total, 4),
            "f1_kept": round(2 * tp / max(1, 2 * tp + fp + fn), 4),
            "task_label1_tokens_kept": round(needle_kept / max(1, needle_total), 4),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--tokenizer", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--run-dir", type=Path, default=RUNS_DIR / "lingua2")
    parser.add_argument("--labels", type=Path, default=LABELS_DIR, help="labels-{train,heldout}.jsonl")
    parser.add_argument("--export-only", action="store_true", help="re-export run-dir/model.pt")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    tokenizer = WordPiece.from_file(args.tokenizer / "tokenizer.json")
    train = load_examples(args.labels / "labels-train.jsonl", tokenizer)
    heldout = load_examples(args.labels / "labels-heldout.jsonl", tokenizer)
    print(f"{len(train)} train texts ({sum(len(e.ids) for e in train)} tokens), {len(heldout)} held-out", flush=True)

    config = EncoderConfig(
        vocab_size=len(tokenizer.vocab),
        hidden_size=args.hidden,
        num_hidden_layers=args.layers,
        num_attention_heads=args.hidden // 32,
        intermediate_size=4 * args.hidden,
    )
    model = TokenClassifier(config)
    if args.export_only:
        model.load_state_dict(torch.load(args.run_dir / "model.pt"))
        card = json.loads((args.out / "config.json").read_text())["ctxpress"]
        export_folder(model, args.tokenizer, args.out, card, args.run_dir / "model.onnx")
        print(f"re-exported {args.out}", flush=True)
        return
    parameters = sum(p.numel() for p in model.parameters())
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "position" not in n]
    other = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "position" not in n)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": other, "weight_decay": 0.0}], lr=args.lr)
    args.run_dir.mkdir(parents=True, exist_ok=True)
    log = (args.run_dir / "log.jsonl").open("w")

    def lr_at(step: int) -> float:
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        progress = (step - args.warmup) / max(1, args.steps - args.warmup)
        return args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))

    def evaluate(step: int) -> dict:
        record = {"step": step, "heldout_agreement": agreement(heldout, probabilities(model, heldout))}
        log.write(json.dumps({"eval": record}) + "\n")
        log.flush()
        print(json.dumps(record), flush=True)
        return record

    print(f"{parameters} parameters, {args.threads} threads", flush=True)
    started = time.time()
    stream = batches(train, args.batch, rng)
    model.train()
    for step in range(args.steps):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step)
        ids, mask, target = collate(next(stream))
        loss = soft_cross_entropy(model(ids, mask, torch.zeros_like(ids)), target)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if (step + 1) % 25 == 0:
            record = {"step": step + 1, "loss": round(float(loss), 4), "lr": round(lr_at(step), 6),
                      "seconds": round(time.time() - started, 1)}
            log.write(json.dumps(record) + "\n")
            log.flush()
            print(json.dumps(record), flush=True)
        if (step + 1) % 500 == 0 and step + 1 < args.steps:
            evaluate(step + 1)
    final = evaluate(args.steps)
    wall = round(time.time() - started)
    card = {
        "trained_by": "training/llmlingua2/train.py",
        "parameters": parameters,
        "steps": args.steps,
        "batch": args.batch,
        "train_texts": len(train),
        "wall_seconds": wall,
        "hardware": f"CPU, {args.threads} torch thread(s), torch {torch.__version__}",
        "heldout_agreement": final["heldout_agreement"],
    }
    torch.save(model.state_dict(), args.run_dir / "model.pt")
    export_folder(model, args.tokenizer, args.out, card, args.run_dir / "model.onnx")
    print(f"exported {args.out} after {wall}s", flush=True)


if __name__ == "__main__":
    main()
