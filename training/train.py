"""Trains one model from a run config; resumes from training/.runs/<name>/checkpoint.pt.

Run: /usr/bin/python3 training/train.py training/configs/<name>.json [--threads 2] [--stop-at N]
         [--device cuda] [--precision bf16] [--batch-scale 8]
Then export: /usr/bin/python3 training/export_model.py training/configs/<name>.json
"""

import argparse
from pathlib import Path

import torch

from ctxtrain.paths import DATA_DIR, RUNS_DIR
from ctxtrain.precision import PRECISIONS
from ctxtrain.run_config import load_run_config
from ctxtrain.trainer import train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config", type=Path)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: the config's)")
    parser.add_argument("--stop-at", type=int, default=None, help="stop at this global step")
    parser.add_argument("--run-dir", type=Path, default=None, help="default training/.runs/<name>")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="corpus/ and tasks/ (default training/.data)")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda[:N]")
    parser.add_argument("--precision", choices=PRECISIONS, default=None, help="default: the config's")
    parser.add_argument("--batch-scale", type=int, default=1, help="multiply every phase's rows (GPU batches)")
    args = parser.parse_args()
    config = load_run_config(args.config).with_batch_scale(args.batch_scale)
    run_dir = args.run_dir or RUNS_DIR / config.name
    train(
        config,
        run_dir,
        stop_at=args.stop_at,
        threads=args.threads,
        data_dir=args.data_dir,
        device=torch.device(args.device),
        precision=args.precision,
    )


if __name__ == "__main__":
    main()
