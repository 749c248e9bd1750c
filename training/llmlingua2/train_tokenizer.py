"""Trains the classifier's cased WordPiece vocabulary on the train split.

Run from training/ (after `npx tsx training/prepare-data.ts`):
    /usr/bin/python3 -m llmlingua2.train_tokenizer [--vocab-size 8000] [--out models/lingua2-bert-mini]
"""

import argparse
import time

from ctxtrain.paths import CORPUS_DIR, MODELS_DIR
from train_tokenizer import read_texts

from .wordpiece import WordPiece, count_words, train_vocab, write_tokenizer_files

DEFAULT_OUT = MODELS_DIR / "lingua2-bert-mini"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vocab-size", type=int, default=8000)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()

    started = time.time()
    counts = count_words(read_texts(CORPUS_DIR / "train.jsonl"))
    print(f"{len(counts)} distinct words, {sum(counts.values())} in all ({time.time() - started:.0f}s)")
    vocab = train_vocab(counts, args.vocab_size)
    print(f"vocab {len(vocab)} ({time.time() - started:.0f}s)")
    write_tokenizer_files(args.out, vocab)

    tokenizer = WordPiece(vocab)
    for split in ("train", "heldout"):
        words = tokens = unknown = 0
        for text in read_texts(CORPUS_DIR / f"{split}.jsonl"):
            ids = tokenizer.encode(text)
            tokens += len(ids)
            unknown += sum(1 for i, _, _ in ids if i == 1)
            words += len(text.split())
        print(f"{split}: {tokens} tokens, {tokens / words:.2f} per whitespace word, {unknown} [UNK]")
    print(f"wrote {args.out} in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
