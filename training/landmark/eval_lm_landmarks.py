"""The alternative to a trained embedder: landmark vectors read from the project's causal LM.

Each block (and the question) is run through the LM with a <|landmark|> token appended; its
vector is either the final-norm hidden state at that landmark token ("landmark-token": the
Landmark Attention idea, without the grouped-softmax training that teaches the token to
summarise its block) or the mean of the block's hidden states ("mean-hidden"), each also centred
on the document's mean block vector. Recall@1/@4 of
the gold block on the same held-out documents the embedder is evaluated on
(training/.data/landmark/eval.jsonl), printed as JSON.

Run: nice -n 10 /usr/bin/python3 training/landmark/eval_lm_landmarks.py [--config training/configs/ctxpress-5m.json] [--limit N]
"""

import argparse
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ctxtrain.model import LlamaLM  # noqa: E402
from ctxtrain.paths import DATA_DIR, RUNS_DIR, TRAINING_DIR  # noqa: E402
from ctxtrain.run_config import load_run_config  # noqa: E402

LANDMARK_ID = 2
PAD_ID = 1
BATCH = 32


@torch.no_grad()
def vectors(lm: LlamaLM, rows: list[list[int]]) -> dict[str, torch.Tensor]:
    """Unit vectors per row for both readings. Right padding needs no mask in a causal model."""
    out: dict[str, list[torch.Tensor]] = {"landmark-token": [], "mean-hidden": []}
    for start in range(0, len(rows), BATCH):
        chunk = [row + [LANDMARK_ID] for row in rows[start : start + BATCH]]
        width = max(len(row) for row in chunk)
        ids = torch.full((len(chunk), width), PAD_ID, dtype=torch.long)
        for i, row in enumerate(chunk):
            ids[i, : len(row)] = torch.tensor(row)
        hidden = lm.final_hidden(ids)
        lengths = torch.tensor([len(row) for row in chunk])
        out["landmark-token"].append(hidden[torch.arange(len(chunk)), lengths - 1])
        mask = (torch.arange(width)[None, :] < (lengths - 1)[:, None]).float().unsqueeze(-1)
        out["mean-hidden"].append((hidden * mask).sum(1) / mask.sum(1).clamp(min=1))
    return {name: torch.nn.functional.normalize(torch.cat(parts), dim=-1) for name, parts in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=TRAINING_DIR / "configs" / "ctxpress-5m.json")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None, help="evaluate the first N documents (tasks alternate)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    config = load_run_config(args.config)
    checkpoint = RUNS_DIR / config.name / "checkpoint.pt"
    state = torch.load(checkpoint)
    lm = LlamaLM(config.model).eval()
    lm.load_state_dict(state["model"])
    documents = [json.loads(line) for line in (DATA_DIR / "landmark" / "eval.jsonl").open()][: args.limit]
    hits: dict[str, dict[str, list[float]]] = {}
    for document in documents:
        blocks = vectors(lm, document["blocks"])
        query = vectors(lm, [document["q"]])
        gold = set(document["gold"])
        for name in list(blocks):
            # Centred: hidden states share a large common direction (anisotropy); removing the
            # document's mean block vector is the usual fix, so the comparison is fair to them.
            centre = blocks[name].mean(0, keepdim=True)
            blocks[f"{name} centred"] = torch.nn.functional.normalize(blocks[name] - centre, dim=-1)
            query[f"{name} centred"] = torch.nn.functional.normalize(query[name] - centre, dim=-1)
        for name in blocks:
            ranked = torch.argsort(blocks[name] @ query[name][0], descending=True).tolist()
            for k in (1, 4):
                key = f"{name} recall@{k}"
                hits.setdefault(document["task"], {}).setdefault(key, []).append(float(bool(gold & set(ranked[:k]))))
        for k in (1, 4):
            hits[document["task"]].setdefault(f"random recall@{k}", []).append(min(1.0, k * len(gold) / len(document["blocks"])))
    print(json.dumps({
        "checkpoint": str(checkpoint.relative_to(TRAINING_DIR.parent)),
        "step": state["step"],
        "documents": len(documents),
        "recall": {task: {k: round(sum(v) / len(v), 3) for k, v in sorted(values.items())} for task, values in hits.items()},
    }, indent=2))


if __name__ == "__main__":
    main()
