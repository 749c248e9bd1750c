"""Byte-level pre-tokenisation shared by the BPE trainer and encoder.

The split pattern is GPT-2's with one change: digits are split one by one (`\\p{N}` instead of
`\\p{N}+`), so a number is copied digit by digit, which a tiny model learns far more easily than
copying arbitrary multi-digit chunks. The same pattern goes into tokenizer.json as a `Split`
pre-tokenizer (transformers.js compiles it with the `u` flag), followed by `ByteLevel` without
its own regex.
"""

import regex

SPLIT_PATTERN = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
_SPLIT = regex.compile(SPLIT_PATTERN)


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible map from bytes to printable characters (what ByteLevel uses)."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    chars = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            chars.append(256 + extra)
            extra += 1
    return {byte: chr(char) for byte, char in zip(printable, chars)}


BYTE_TO_CHAR = _bytes_to_unicode()
CHAR_TO_BYTE = {char: byte for byte, char in BYTE_TO_CHAR.items()}


def pretokenize(text: str) -> list[str]:
    """Pre-tokens of `text`, each already mapped to byte-level characters."""
    return ["".join(BYTE_TO_CHAR[b] for b in piece.encode("utf-8")) for piece in _SPLIT.findall(text)]


def to_text(byte_level: str) -> str:
    """Inverse of the byte-level map (invalid UTF-8 becomes U+FFFD, as transformers.js does)."""
    return bytes(CHAR_TO_BYTE[c] for c in byte_level).decode("utf-8", errors="replace")
