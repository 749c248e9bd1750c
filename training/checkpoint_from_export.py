"""Writes a run's checkpoint from its committed model folder, so training can continue on a
machine that never had the run's own checkpoint (training/.runs is not committed).

Run: /usr/bin/python3 training/checkpoint_from_export.py training/configs/<name>.json --step N
     [--model models/<name>] [--run-dir training/.runs/<name>]

`--step` is the global step the exported weights were taken at (the model card says which); the
next `train.py` run starts from there into the config's later phases. The optimizer state is not
in the export: AdamW's moments restart at zero (the resumed phase's warm-up covers that).
Refuses to overwrite an existing checkpoint.
"""

import argparse
import sys
from pathlib import Path

from ctxtrain import checkpoint as checkpoints
from ctxtrain.model import LlamaLM
from ctxtrain.onnx_weights import state_dict_from_export
from ctxtrain.paths import MODELS_DIR, RUNS_DIR
from ctxtrain.run_config import load_run_config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config", type=Path)
    parser.add_argument("--step", type=int, required=True, help="global step of the exported weights")
    parser.add_argument("--model", type=Path, default=None, help="default models/<name>")
    parser.add_argument("--run-dir", type=Path, default=None, help="default training/.runs/<name>")
    args = parser.parse_args()
    config = load_run_config(args.config)
    if not 0 <= args.step <= config.total_steps:
        sys.exit(f"--step {args.step}: outside the config's 0..{config.total_steps} steps")
    run_dir = args.run_dir or RUNS_DIR / config.name
    checkpoint = run_dir / "checkpoint.pt"
    if checkpoint.exists():
        sys.exit(f"{checkpoint} exists; move it away to start again from the export")
    lm = LlamaLM(config.model)
    lm.load_state_dict(state_dict_from_export(args.model or MODELS_DIR / config.name))  # strict: every parameter
    run_dir.mkdir(parents=True, exist_ok=True)
    checkpoints.save(checkpoint, lm, None, args.step, 0.0)
    print(f"{checkpoint}: step {args.step}, weights of {args.model or MODELS_DIR / config.name}")


if __name__ == "__main__":
    main()
