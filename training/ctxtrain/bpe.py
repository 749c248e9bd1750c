"""Byte-level BPE encoder/decoder over the files the trainer writes (tokenizer.json).

It applies merges exactly as Hugging Face tokenizers and transformers.js do: within each
pre-token, repeatedly merge the adjacent pair with the lowest merge rank, leftmost first.
"""

import json
from pathlib import Path

from .bytelevel import pretokenize, to_text
from .special_tokens import SPECIAL_TOKENS


class BpeTokenizer:
    def __init__(self, vocab: list[str], merges: list[tuple[str, str]]):
        self.vocab = vocab
        self.token_id = {token: i for i, token in enumerate(vocab)}
        self.merge_rank = {
            (self.token_id[left], self.token_id[right]): (rank, self.token_id[left + right])
            for rank, (left, right) in enumerate(merges)
        }
        self._cache: dict[str, list[int]] = {}

    @classmethod
    def from_file(cls, tokenizer_json: Path) -> "BpeTokenizer":
        model = json.loads(Path(tokenizer_json).read_text())["model"]
        vocab = [""] * len(model["vocab"])
        for token, index in model["vocab"].items():
            vocab[index] = token
        merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model["merges"]]
        return cls(vocab, merges)

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def _encode_piece(self, piece: str) -> list[int]:
        cached = self._cache.get(piece)
        if cached is not None:
            return cached
        ids = [self.token_id[c] for c in piece]
        while len(ids) > 1:
            best = None
            for i, pair in enumerate(zip(ids, ids[1:])):
                found = self.merge_rank.get(pair)
                if found is not None and (best is None or found[0] < best[1]):
                    best = (i, found[0], found[1])
            if best is None:
                break
            i, _, merged = best
            ids[i : i + 2] = [merged]
        if len(self._cache) < 500_000:
            self._cache[piece] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        """Token ids of plain text, without special tokens (special-token strings are not parsed)."""
        out: list[int] = []
        for piece in pretokenize(text):
            out.extend(self._encode_piece(piece))
        return out

    def decode(self, ids: list[int]) -> str:
        # Bytes of consecutive ordinary tokens are decoded together: a character may span tokens.
        special = len(SPECIAL_TOKENS)
        parts: list[str] = []
        run: list[str] = []
        for i in ids:
            if i < special:
                parts.append(to_text("".join(run)))
                run = []
                parts.append(self.vocab[i])
            else:
                run.append(self.vocab[i])
        parts.append(to_text("".join(run)))
        return "".join(parts)
