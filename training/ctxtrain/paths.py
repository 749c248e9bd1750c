"""Folders the toolkit reads and writes, relative to the repository."""

from pathlib import Path

TRAINING_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = TRAINING_DIR.parent
DATA_DIR = TRAINING_DIR / ".data"
CORPUS_DIR = DATA_DIR / "corpus"
RUNS_DIR = TRAINING_DIR / ".runs"
MODELS_DIR = REPO_ROOT / "models"
TOKENIZER_DIR = MODELS_DIR / "_tokenizer"
