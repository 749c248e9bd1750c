"""Trains the project's byte-level BPE on the train split and writes models/_tokenizer/.

Run (after `npx tsx training/prepare-data.ts`):
    /usr/bin/python3 training/train_tokenizer.py [--vocab-size 8192] [--out models/_tokenizer]
"""

import argparse
import json
import time
from pathlib import Path

from ctxtrain.bpe import BpeTokenizer
from ctxtrain.bpe_trainer import count_pretokens, train_bpe
from ctxtrain.hf_files import write_tokenizer_files
from ctxtrain.paths import CORPUS_DIR, REPO_ROOT


def read_texts(path: Path):
    with path.open() as lines:
        for line in lines:
            yield json.loads(line)["text"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vocab-size", type=int, default=8192)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "models" / "_tokenizer")
    args = parser.parse_args()

    started = time.time()
    counts = count_pretokens(read_texts(CORPUS_DIR / "train.jsonl"))
    print(f"{len(counts)} distinct pre-tokens, {sum(counts.values())} in all ({time.time() - started:.0f}s)")
    vocab, merges = train_bpe(counts, args.vocab_size)
    print(f"vocab {len(vocab)}, merges {len(merges)} ({time.time() - started:.0f}s)")
    write_tokenizer_files(args.out, vocab, merges)

    tokenizer = BpeTokenizer.from_file(args.out / "tokenizer.json")
    for split in ("train", "heldout"):
        chars = tokens = 0
        for text in read_texts(CORPUS_DIR / f"{split}.jsonl"):
            chars += len(text)
            tokens += len(tokenizer.encode(text))
        print(f"{split}: {tokens} tokens, {chars / tokens:.2f} characters per token")
    print(f"wrote {args.out} in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
