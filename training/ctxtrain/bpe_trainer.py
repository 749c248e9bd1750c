"""Byte-level BPE training with incremental pair counts.

Each merge only revisits the words that contain the merged pair (found through a pair -> words
index) and a max-heap with lazy invalidation yields the next most frequent pair, so training
costs about O(total merged occurrences) rather than O(vocab x corpus).
"""

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable

from .bytelevel import BYTE_TO_CHAR, pretokenize
from .special_tokens import SPECIAL_TOKENS


def count_pretokens(texts: Iterable[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(pretokenize(text))
    return counts


def _merge_word(word: list[int], left: int, right: int, merged: int) -> list[int]:
    out: list[int] = []
    i = 0
    while i < len(word):
        if i + 1 < len(word) and word[i] == left and word[i + 1] == right:
            out.append(merged)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return out


def train_bpe(
    pretoken_counts: Counter[str], vocab_size: int, min_frequency: int = 2
) -> tuple[list[str], list[tuple[str, str]]]:
    """Returns (vocab, merges): vocab[i] is the byte-level string of token i (special tokens first,
    then the 256 bytes in byte order, then one token per merge); merges in rank order. Ties between
    equally frequent pairs go to the pair with the smaller ids, so training is deterministic."""
    vocab = list(SPECIAL_TOKENS) + [BYTE_TO_CHAR[b] for b in range(256)]
    token_id = {token: i for i, token in enumerate(vocab)}
    # Sorted so that word indices, and therefore everything after, do not depend on dict order.
    items = sorted(pretoken_counts.items())
    words = [[token_id[c] for c in piece] for piece, _ in items]
    freqs = [count for _, count in items]

    pair_counts: defaultdict[tuple[int, int], int] = defaultdict(int)
    pair_words: defaultdict[tuple[int, int], set[int]] = defaultdict(set)
    for index, word in enumerate(words):
        for pair in zip(word, word[1:]):
            pair_counts[pair] += freqs[index]
            pair_words[pair].add(index)
    heap = [(-count, pair) for pair, count in pair_counts.items()]
    heapq.heapify(heap)

    merges: list[tuple[str, str]] = []
    while len(vocab) < vocab_size and heap:
        negative_count, pair = heapq.heappop(heap)
        count = pair_counts.get(pair, 0)
        if count != -negative_count:
            if count > 0:  # stale entry: counts only fall lazily, so re-queue the current count
                heapq.heappush(heap, (-count, pair))
            continue
        if count < min_frequency:
            break
        left, right = pair
        merged_token = vocab[left] + vocab[right]
        merged = token_id.get(merged_token)
        if merged is None:  # two merge paths can spell the same string: keep one id for it
            merged = len(vocab)
            vocab.append(merged_token)
            token_id[merged_token] = merged
        merges.append((vocab[left], vocab[right]))

        touched: set[tuple[int, int]] = set()
        for index in pair_words.pop(pair):
            word = words[index]
            if len(word) < 2:
                continue
            new_word = _merge_word(word, left, right, merged)
            if len(new_word) == len(word):
                continue  # stale index entry: an earlier merge already consumed this pair here
            freq = freqs[index]
            for old in zip(word, word[1:]):
                pair_counts[old] -= freq
            for new in zip(new_word, new_word[1:]):
                pair_counts[new] += freq
                pair_words[new].add(index)
                if merged in new:
                    touched.add(new)
            words[index] = new_word
        pair_counts.pop(pair, None)
        for new in sorted(touched):
            heapq.heappush(heap, (-pair_counts[new], new))
    return vocab, merges
