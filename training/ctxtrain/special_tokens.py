"""Special tokens, reserved once so that the vocabulary never changes when features arrive.

ids 0..7, before the 256 byte tokens and the merges:
- <|endoftext|>: BOS, EOS and document separator (like GPT-2, one token for all three);
- <|pad|>: padding (left padding is masked out by attention_mask, its embedding never trained);
- <|landmark|>: landmark-attention block token;
- <|summary|>: AutoCompressor summary-token placeholder;
- <|gist|>: gisting token;
- three spares.
"""

SPECIAL_TOKENS = [
    "<|endoftext|>",
    "<|pad|>",
    "<|landmark|>",
    "<|summary|>",
    "<|gist|>",
    "<|reserved_5|>",
    "<|reserved_6|>",
    "<|reserved_7|>",
]
ENDOFTEXT_ID = 0
PAD_ID = 1
