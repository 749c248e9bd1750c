"""Exports a causal-LM training checkpoint as a scorer model folder for make-labels.ts, so teacher
labels can be made before (or without) a shipped scorer.

Run from training/:
    /usr/bin/python3 -m llmlingua2.export_teacher configs/ctxpress-5m.json [--out .runs/lingua2/teacher]
"""

import argparse
import json
from pathlib import Path

import torch

from ctxtrain.export import export_model_folder
from ctxtrain.model import LlamaLM
from ctxtrain.paths import RUNS_DIR
from ctxtrain.run_config import load_run_config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config", type=Path)
    parser.add_argument("--out", type=Path, default=RUNS_DIR / "lingua2" / "teacher")
    args = parser.parse_args()
    config = load_run_config(args.config)
    state = torch.load(RUNS_DIR / config.name / "checkpoint.pt")
    lm = LlamaLM(config.model)
    lm.load_state_dict(state["model"])
    export_model_folder(lm, args.out)
    (args.out / "teacher.json").write_text(json.dumps({"run": config.name, "step": state["step"]}) + "\n")
    print(f"exported {config.name} at step {state['step']} to {args.out}")


if __name__ == "__main__":
    main()
