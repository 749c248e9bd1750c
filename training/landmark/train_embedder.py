"""Trains the landmark embedder contrastively, then exports it as a model folder.

Each example is a query (a task's question, or a sentence of a block with words dropped), the
block holding its answer, and hard negatives from the same haystack (training/landmark/
make-data.ts writes them from the TRAIN split). The loss is InfoNCE of each query against every
block in the batch: its own positive, the other examples' positives and all hard negatives
(in-batch negatives). A candidate that is another example's positive for the very same query
text (every passkey question is "What is the pass key?") is masked out rather than counted as
a negative.

Run one round (seeds fixed, resumable):
  nice -n 10 /usr/bin/python3 training/landmark/train_embedder.py training/configs/landmark-embedder.json
Options: --threads N, --stop-at STEP, --time-steps N (time N steps and exit), --export-only, --out DIR.
A config may name `data_files` (default train.jsonl) and `init_from` (an earlier run whose
weights a fresh run starts from). The whole pipeline: training/landmark/train.sh.
"""

import argparse
import json
import math
import random
import shutil
import sys
import time
from pathlib import Path

import onnx
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))

from embedder_model import EmbedderConfig, LandmarkEmbedder  # noqa: E402

from ctxtrain.paths import DATA_DIR, MODELS_DIR, RUNS_DIR, TOKENIZER_DIR  # noqa: E402

PAD_ID = 1
OPSET = 14
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")
CHECK_TEXTS = [
    "What is the pass key?",
    "The pass key is 40297. Remember it. 40297 is the pass key.",
    "Call me Ishmael. Some years ago, never mind how long precisely, I thought I would sail about.",
]


def load_config(path: Path) -> dict:
    raw = json.loads(path.read_text())
    raw["model"] = EmbedderConfig(**raw["model"])
    return raw


def pad(rows: list[list[int]], limit: int) -> tuple[torch.Tensor, torch.Tensor]:
    rows = [row[:limit] or [PAD_ID] for row in rows]
    width = max(len(row) for row in rows)
    ids = torch.full((len(rows), width), PAD_ID, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row)
        mask[i, : len(row)] = 1
    return ids, mask


def embed(model: LandmarkEmbedder, rows: list[list[int]], limit: int) -> torch.Tensor:
    ids, mask = pad(rows, limit)
    return model(ids, mask)


def contrastive_loss(model: LandmarkEmbedder, examples: list[dict], config: dict) -> tuple[torch.Tensor, float]:
    queries = embed(model, [e["q"] for e in examples], config["max_query_tokens"])
    blocks = [e["p"] for e in examples] + [n for e in examples for n in e["n"][: config["hard_negatives"]]]
    candidates = embed(model, blocks, config["max_block_tokens"])
    logits = queries @ candidates.T / config["temperature"]
    same_query = torch.tensor(
        [[i != j and examples[i]["q"] == examples[j]["q"] for j in range(len(examples))] for i in range(len(examples))]
    )
    logits[:, : len(examples)] = logits[:, : len(examples)].masked_fill(same_query, -1e9)
    labels = torch.arange(len(examples))
    accuracy = float((logits.argmax(-1) == labels).float().mean())
    return nn.functional.cross_entropy(logits, labels), accuracy


@torch.no_grad()
def recall(model: LandmarkEmbedder, documents: list[dict], config: dict) -> dict:
    """recall@1 and @4 of the gold block per task on the held-out documents."""
    model.eval()
    hits: dict[str, dict[str, list[float]]] = {}
    for document in documents:
        vectors = torch.cat(
            [
                embed(model, document["blocks"][i : i + 64], config["max_block_tokens"])
                for i in range(0, len(document["blocks"]), 64)
            ]
        )
        query = embed(model, [document["q"]], config["max_query_tokens"])[0]
        ranked = torch.argsort(vectors @ query, descending=True).tolist()
        gold = set(document["gold"])
        task = hits.setdefault(document["task"], {"recall@1": [], "recall@4": []})
        task["recall@1"].append(float(bool(gold & set(ranked[:1]))))
        task["recall@4"].append(float(bool(gold & set(ranked[:4]))))
    model.train()
    return {task: {k: round(sum(v) / len(v), 3) for k, v in values.items()} for task, values in hits.items()}


def lr_at(step: int, config: dict) -> float:
    if step < config["warmup"]:
        return config["lr"] * (step + 1) / config["warmup"]
    progress = (step - config["warmup"]) / max(1, config["steps"] - config["warmup"])
    floor = config["lr"] * config["min_lr_ratio"]
    return floor + (config["lr"] - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def batches(examples: list[dict], size: int, seed: int, step: int) -> list[dict]:
    """The examples of a global step. Per epoch: a seeded shuffle, then runs of 16 batches are
    sorted by block length so that a batch pads little, then the batches are shuffled; resuming
    replays the same order."""
    per_epoch = len(examples) // size
    epoch, index = divmod(step, per_epoch)
    rng = random.Random(seed * 1000 + epoch)
    order = list(range(len(examples)))
    rng.shuffle(order)
    run = 16 * size
    order = [i for start in range(0, len(order), run) for i in sorted(order[start : start + run], key=lambda i: len(examples[i]["p"]))]
    groups = [order[b * size : (b + 1) * size] for b in range(per_epoch)]
    rng.shuffle(groups)
    return [examples[i] for i in groups[index]]


def train(config: dict, run_dir: Path, stop_at: int | None, time_steps: int | None) -> LandmarkEmbedder:
    torch.manual_seed(config["seed"])
    model = LandmarkEmbedder(config["model"])
    decay = [p for p in model.parameters() if p.dim() >= 2]
    keep = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": config["weight_decay"]}, {"params": keep, "weight_decay": 0.0}],
        lr=config["lr"],
    )
    data = DATA_DIR / config.get("data", "landmark")
    examples = [json.loads(line) for name in config.get("data_files", ["train.jsonl"]) for line in (data / name).open()]
    documents = [json.loads(line) for line in (data / "eval.jsonl").open()]
    run_dir.mkdir(parents=True, exist_ok=True)
    checkpoint = run_dir / "checkpoint.pt"
    step, wall = 0, 0.0
    if checkpoint.exists() and time_steps is None:
        state = torch.load(checkpoint)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        step, wall = state["step"], state["wall_seconds"]
        print(f"resumed at step {step}", flush=True)
    elif config.get("init_from"):
        # A later round starts from an earlier run's weights (a fresh optimiser and schedule).
        model.load_state_dict(torch.load(RUNS_DIR / config["init_from"] / "checkpoint.pt")["model"])
        print(f"initialised from {config['init_from']}", flush=True)
    end = config["steps"] if stop_at is None else min(stop_at, config["steps"])
    if time_steps is not None:
        end = step + time_steps
    log = (run_dir / "log.jsonl").open("a") if time_steps is None else None

    def write(record: dict) -> None:
        print(json.dumps(record), flush=True)
        if log is not None:
            log.write(json.dumps(record) + "\n")
            log.flush()

    def save() -> None:
        tmp = checkpoint.with_suffix(".tmp")
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step, "wall_seconds": wall}, tmp)
        tmp.replace(checkpoint)

    model.train()
    timed = []
    while step < end:
        started = time.time()
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, config)
        loss, accuracy = contrastive_loss(model, batches(examples, config["batch"], config["seed"], step), config)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        step += 1
        elapsed = time.time() - started
        wall += elapsed
        timed.append(elapsed)
        if time_steps is not None:
            continue
        if step % 25 == 0 or step == end:
            write({"step": step, "loss": round(float(loss), 4), "batch_accuracy": round(accuracy, 3),
                   "lr": round(lr_at(step - 1, config), 6), "seconds_per_step": round(elapsed, 2), "wall_seconds": round(wall)})
        if step % config["checkpoint_every"] == 0 or step == end:
            save()
        if step % config["eval_every"] == 0 or step == end:
            write({"step": step, "eval": recall(model, documents, config)})
    if time_steps is not None:
        steady = timed[2:] or timed
        print(json.dumps({"threads": torch.get_num_threads(), "steps": len(timed),
                          "seconds_per_step": round(sum(steady) / len(steady), 3)}), flush=True)
    if log is not None:
        log.close()
        (run_dir / "summary.json").write_text(json.dumps(
            {"steps": step, "wall_seconds": round(wall), "threads": torch.get_num_threads(),
             "examples": len(examples), "eval": recall(model, documents, config)}, indent=2) + "\n")
    return model


class _Exported(nn.Module):
    def __init__(self, model: LandmarkEmbedder):
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.model(input_ids, attention_mask)


def export(model: LandmarkEmbedder, out_dir: Path) -> None:
    """The model folder: config.json, tokenizer files, onnx/model.onnx + model.onnx_data (the
    weights, external so that a test can alter them), export-check.json (torch's vectors)."""
    model = model.eval()
    onnx_dir = out_dir / "onnx"
    onnx_dir.mkdir(parents=True, exist_ok=True)
    for stale in onnx_dir.glob("model*"):
        stale.unlink()
    ids, mask = pad([[5, 6, 7, 8], [9, 10]], 16)
    path = onnx_dir / "model.onnx"
    with torch.no_grad():
        torch.onnx.export(
            _Exported(model), (ids, mask), str(path),
            input_names=["input_ids", "attention_mask"], output_names=["embeddings"],
            dynamic_axes={
                "input_ids": {0: "batch_size", 1: "sequence_length"},
                "attention_mask": {0: "batch_size", 1: "sequence_length"},
                "embeddings": {0: "batch_size"},
            },
            opset_version=OPSET, do_constant_folding=True,
        )
    graph = onnx.load(str(path))
    onnx.save_model(graph, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                    location="model.onnx_data", size_threshold=0)
    for name in TOKENIZER_FILES:
        shutil.copyfile(TOKENIZER_DIR / name, out_dir / name)
    (out_dir / "config.json").write_text(json.dumps(model.config.hf_config(), indent=2) + "\n")

    from ctxtrain.bpe import BpeTokenizer

    tokenizer = BpeTokenizer.from_file(out_dir / "tokenizer.json")
    rows = [tokenizer.encode(text) for text in CHECK_TEXTS]
    with torch.no_grad():
        vectors = embed(model, rows, 10_000)
    check = {"texts": CHECK_TEXTS, "input_ids": rows, "embeddings": vectors.tolist(), "tolerance": 1e-4,
             "computed_by": f"torch {torch.__version__} float32 CPU (training/landmark/train_embedder.py)"}
    (out_dir / "export-check.json").write_text(json.dumps(check) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config", type=Path)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--stop-at", type=int, default=None)
    parser.add_argument("--time-steps", type=int, default=None)
    parser.add_argument("--export-only", action="store_true")
    parser.add_argument("--out", type=Path, default=MODELS_DIR / "landmark-embedder")
    args = parser.parse_args()
    config = load_config(args.config)
    torch.set_num_threads(args.threads or config["threads"])
    run_dir = RUNS_DIR / config["name"]
    if args.export_only:
        model = LandmarkEmbedder(config["model"])
        model.load_state_dict(torch.load(run_dir / "checkpoint.pt")["model"])
    else:
        model = train(config, run_dir, args.stop_at, args.time_steps)
        if args.time_steps is not None or (args.stop_at is not None and args.stop_at < config["steps"]):
            return
    export(model, args.out)
    print(f"exported {args.out}", flush=True)


if __name__ == "__main__":
    main()
