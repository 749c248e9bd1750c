"""Encodes the corpus splits and every task set once into token-id files (ctxtrain/token_files.py).

Run after prepare-data.ts and make-task-data.ts: /usr/bin/python3 training/prepare_tokens.py
Then training/.data/tokens/ is all a run reads (copy it, not the text, to a GPU machine).
"""

import argparse
from pathlib import Path

from ctxtrain.bpe import BpeTokenizer
from ctxtrain.paths import DATA_DIR, TOKENIZER_DIR
from ctxtrain.token_files import corpus_tokens, task_tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="corpus/ and tasks/ (default training/.data)")
    args = parser.parse_args()
    tokenizer_file = TOKENIZER_DIR / "tokenizer.json"
    tokenizer = BpeTokenizer.from_file(tokenizer_file)
    for split in ("train", "heldout"):
        stream = corpus_tokens(split, tokenizer, tokenizer_file, args.data_dir)
        print(f"{split}: {len(stream):,} tokens", flush=True)
    for task_file in sorted((args.data_dir / "tasks").glob("*.jsonl")):
        examples = task_tokens(task_file, tokenizer, tokenizer_file, args.data_dir)
        print(f"{task_file.name}: {len(examples):,} rows", flush=True)


if __name__ == "__main__":
    main()
