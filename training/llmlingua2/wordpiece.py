"""A cased, BERT-style WordPiece tokenizer: training, encoding with character offsets, and the
tokenizer.json / tokenizer_config.json that transformers.js' AutoTokenizer and
`@atjsh/llmlingua-2`'s `WithBERTMultilingual` load.

Normalisation and pre-tokenisation follow transformers.js' `BertNormalizer` (clean_text,
handle_chinese_chars, no lower-casing, no accent stripping) and `BertPreTokenizer` (whitespace
splits, every punctuation character is its own pre-token), so the ids computed here for the
training labels are the ids TypeScript computes at inference.

The vocabulary is learned the way Hugging Face's WordPiece trainer does it: BPE merges over
words spelled as a first character plus "##"-prefixed continuation characters, most frequent
pair first. Encoding is WordPiece's greedy longest match, which needs only the vocabulary.
"""

from __future__ import annotations

import heapq
import json
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

PREFIX = "##"
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PAD_ID, UNK_ID, CLS_ID, SEP_ID, MASK_ID = range(5)
MAX_CHARS_PER_WORD = 100
MODEL_MAX_LENGTH = 512


def _is_ascii_punctuation(code: int) -> bool:
    return 0x21 <= code <= 0x2F or 0x3A <= code <= 0x40 or 0x5B <= code <= 0x60 or 0x7B <= code <= 0x7E


def is_punctuation(char: str) -> bool:
    """transformers.js' PUNCTUATION_REGEX: Unicode P* plus the ASCII symbol ranges."""
    return _is_ascii_punctuation(ord(char)) or unicodedata.category(char).startswith("P")


def _is_control(char: str) -> bool:
    if char in "\t\n\r":
        return False
    return unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def pre_tokens(text: str) -> list[tuple[str, int, int]]:
    """(piece, start, end) in `text`'s code points: what BertNormalizer + BertPreTokenizer give."""
    pieces: list[tuple[str, int, int]] = []
    current: list[str] = []
    start = 0

    def flush(end: int) -> None:
        if current:
            pieces.append(("".join(current), start, end))
            current.clear()

    for i, char in enumerate(text):
        code = ord(char)
        if code == 0 or code == 0xFFFD or _is_control(char):
            continue  # removed by clean_text; the word goes on around it
        if char.isspace():
            flush(i)
        elif is_punctuation(char) or _is_cjk(code):
            flush(i)
            pieces.append((char, i, i + 1))
        else:
            if not current:
                start = i
            current.append(char)
    flush(len(text))
    return pieces


def _spellings(word: str) -> tuple[str, ...]:
    return (word[0], *(PREFIX + c for c in word[1:]))


def _join(left: str, right: str) -> str:
    return left + right[len(PREFIX) :]


def train_vocab(word_counts: Counter[str], vocab_size: int, min_frequency: int = 2) -> list[str]:
    """Special tokens, the alphabet (each character alone and with "##"), then merged pieces.

    Words are grouped by spelling; each merge rewrites only the words holding the pair (a
    pair -> words index), and a lazily invalidated max-heap picks the most frequent pair."""
    words = sorted(w for w in word_counts if len(w) <= MAX_CHARS_PER_WORD)
    symbols = [list(_spellings(w)) for w in words]
    counts = [word_counts[w] for w in words]
    alphabet = sorted({s for spelled in symbols for s in spelled})
    vocab = SPECIAL_TOKENS + alphabet
    known = set(vocab)

    pair_count: defaultdict[tuple[str, str], int] = defaultdict(int)
    holders: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
    for w, spelled in enumerate(symbols):
        for pair in zip(spelled, spelled[1:]):
            pair_count[pair] += counts[w]
            holders[pair].add(w)
    queue = [(-n, pair) for pair, n in pair_count.items()]
    heapq.heapify(queue)

    while len(vocab) < vocab_size and queue:
        negated, pair = heapq.heappop(queue)
        current = pair_count.get(pair, 0)
        if current != -negated:
            if current > 0:
                heapq.heappush(queue, (-current, pair))
            continue
        if current < min_frequency:
            break
        merged = _join(*pair)
        if merged not in known:
            known.add(merged)
            vocab.append(merged)
        changed: set[tuple[str, str]] = set()
        for w in holders.pop(pair, ()):
            old = symbols[w]
            new: list[str] = []
            i = 0
            while i < len(old):
                if i + 1 < len(old) and (old[i], old[i + 1]) == pair:
                    new.append(merged)
                    i += 2
                else:
                    new.append(old[i])
                    i += 1
            if len(new) == len(old):
                continue
            for p in zip(old, old[1:]):
                pair_count[p] -= counts[w]
            for p in zip(new, new[1:]):
                pair_count[p] += counts[w]
                holders[p].add(w)
                if merged in p:
                    changed.add(p)
            symbols[w] = new
        pair_count.pop(pair, None)
        for p in sorted(changed):
            heapq.heappush(queue, (-pair_count[p], p))
    return vocab


class WordPiece:
    """Greedy longest-match WordPiece over a vocabulary, with offsets into the original text."""

    def __init__(self, vocab: list[str]):
        self.vocab = vocab
        self.ids = {token: i for i, token in enumerate(vocab)}

    @classmethod
    def from_file(cls, path: Path) -> WordPiece:
        model = json.loads(Path(path).read_text())["model"]
        vocab = [""] * len(model["vocab"])
        for token, i in model["vocab"].items():
            vocab[i] = token
        return cls(vocab)

    def _word(self, piece: str, start: int) -> list[tuple[int, int, int]]:
        if len(piece) > MAX_CHARS_PER_WORD:
            return [(UNK_ID, start, start + len(piece))]
        out: list[tuple[int, int, int]] = []
        begin = 0
        while begin < len(piece):
            end = len(piece)
            found = None
            while begin < end:
                candidate = piece[begin:end] if begin == 0 else PREFIX + piece[begin:end]
                found = self.ids.get(candidate)
                if found is not None:
                    break
                end -= 1
            if found is None:
                return [(UNK_ID, start, start + len(piece))]
            out.append((found, start + begin, start + end))
            begin = end
        return out

    def encode(self, text: str) -> list[tuple[int, int, int]]:
        """(id, start, end) per token, without [CLS]/[SEP]; offsets in code points of `text`.
        (A piece spans its characters only; control characters dropped inside a word make the
        piece's offsets approximate, which only matters for labels.)"""
        out: list[tuple[int, int, int]] = []
        for piece, start, _ in pre_tokens(text):
            out.extend(self._word(piece, start))
        return out


def count_words(texts: Iterable[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(piece for piece, _, _ in pre_tokens(text))
    return counts


def tokenizer_json(vocab: list[str]) -> dict:
    special = [
        {
            "id": i,
            "content": token,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            "special": True,
        }
        for i, token in enumerate(SPECIAL_TOKENS)
    ]
    cls, sep = SPECIAL_TOKENS[CLS_ID], SPECIAL_TOKENS[SEP_ID]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": special,
        "normalizer": {
            "type": "BertNormalizer",
            "clean_text": True,
            "handle_chinese_chars": True,
            "strip_accents": False,
            "lowercase": False,
        },
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [
                {"SpecialToken": {"id": cls, "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": sep, "type_id": 0}},
            ],
            "pair": [
                {"SpecialToken": {"id": cls, "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": sep, "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 1}},
                {"SpecialToken": {"id": sep, "type_id": 1}},
            ],
            "special_tokens": {
                cls: {"id": cls, "ids": [CLS_ID], "tokens": [cls]},
                sep: {"id": sep, "ids": [SEP_ID], "tokens": [sep]},
            },
        },
        "decoder": {"type": "WordPiece", "prefix": PREFIX, "cleanup": True},
        "model": {
            "type": "WordPiece",
            "unk_token": SPECIAL_TOKENS[UNK_ID],
            "continuing_subword_prefix": PREFIX,
            "max_input_chars_per_word": MAX_CHARS_PER_WORD,
            "vocab": {token: i for i, token in enumerate(vocab)},
        },
    }


def write_tokenizer_files(folder: Path, vocab: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tokenizer.json").write_text(json.dumps(tokenizer_json(vocab), ensure_ascii=False, indent=1))
    names = dict(zip(("pad_token", "unk_token", "cls_token", "sep_token", "mask_token"), SPECIAL_TOKENS))
    config = {
        "tokenizer_class": "BertTokenizer",
        "do_lower_case": False,
        "tokenize_chinese_chars": True,
        "strip_accents": None,
        "model_max_length": MODEL_MAX_LENGTH,
        "clean_up_tokenization_spaces": True,
        **names,
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")
    (folder / "special_tokens_map.json").write_text(json.dumps(names, indent=2) + "\n")
