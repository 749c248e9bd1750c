"""Exports a trained run into a model folder (models/<name>/ by default).

Run: /usr/bin/python3 training/export_model.py training/configs/<name>.json [--out models/<name>]
     [--default-dtype q8]   (default: the config's "export_dtype"; the embedded models name "q8",
                             so loaders pick their int8 graph)
"""

import argparse
from pathlib import Path

import torch

from ctxtrain.export import export_model_folder
from ctxtrain.model import LlamaLM
from ctxtrain.paths import MODELS_DIR, RUNS_DIR
from ctxtrain.run_config import load_run_config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config", type=Path)
    parser.add_argument("--run-dir", type=Path, default=None, help="default training/.runs/<name>")
    parser.add_argument("--out", type=Path, default=None, help="default models/<name>")
    parser.add_argument(
        "--default-dtype",
        default=None,
        help='variant loaders pick by default, e.g. "q8" (default: the run config\'s export_dtype, else fp32)',
    )
    args = parser.parse_args()
    config = load_run_config(args.config)
    run_dir = args.run_dir or RUNS_DIR / config.name
    state = torch.load(run_dir / "checkpoint.pt", map_location="cpu")  # a GPU run exports here too
    lm = LlamaLM(config.model)
    lm.load_state_dict(state["model"])
    out = args.out or MODELS_DIR / config.name
    check = export_model_folder(
        lm,
        out,
        default_dtype=args.default_dtype or config.export_dtype,
        int8_activations=config.int8_activations,
    )
    print(f"exported step {state['step']} of {config.name} to {out} ({len(check['input_ids'])} check tokens)")


if __name__ == "__main__":
    main()
