"""Prints a checkpoint's copy losses on ordered and shuffled repeats (ctxtrain/induction_probe.py).

Run: /usr/bin/python3 training/probe_induction.py training/configs/<name>.json [--run-dir DIR]
"""

import argparse
import json
from pathlib import Path

import torch

from ctxtrain.induction_probe import copy_losses
from ctxtrain.model import LlamaLM
from ctxtrain.paths import RUNS_DIR
from ctxtrain.run_config import load_run_config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config", type=Path)
    parser.add_argument("--run-dir", type=Path, default=None, help="default training/.runs/<name>")
    args = parser.parse_args()
    torch.set_num_threads(1)
    config = load_run_config(args.config)
    state = torch.load((args.run_dir or RUNS_DIR / config.name) / "checkpoint.pt", map_location="cpu")
    model = LlamaLM(config.model)
    model.load_state_dict(state["model"])
    model.eval()
    print(json.dumps({"step": state["step"], **copy_losses(model, torch.device("cpu"))}))


if __name__ == "__main__":
    main()
