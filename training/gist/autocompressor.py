"""An AutoCompressor (Chevalier et al., arXiv:2305.14788) over the project's Llama-style decoder.

A segment is read as `inputs_embeds = [softprompt (P vectors); segment tokens (T); κ summary
embeddings]` with plain causal attention; the final-norm hidden states at the κ summary positions
are the segment's summary vectors. With accumulation the softprompt of the next segment is
[old softprompt; new vectors], so after n segments it holds n·κ vectors. Positions restart at 0
for every segment: the softprompt takes 0..P-1, the tokens P..P+T-1, the summary slots follow.
The κ summary embeddings are a separate table, each row initialised from the <|endoftext|>
embedding, as in the reference.

Rows of a batch may hold segments of different lengths: tokens are right-padded, padding slots
are masked out, and each row's summary slots take the positions right after its own last token.
"""

import torch
from torch import Tensor, nn

from ctxtrain.model import LlamaLM
from ctxtrain.special_tokens import ENDOFTEXT_ID


class AutoCompressor(nn.Module):
    def __init__(self, lm: LlamaLM, summary_tokens: int):
        super().__init__()
        if summary_tokens < 1:
            raise ValueError("summary_tokens must be at least 1")
        self.lm = lm
        self.summary_tokens = summary_tokens
        eos = lm.model.embed_tokens.weight.detach()[ENDOFTEXT_ID]
        self.embed_summary = nn.Parameter(eos.unsqueeze(0).repeat(summary_tokens, 1).clone())

    @property
    def hidden_size(self) -> int:
        return self.lm.config.hidden_size

    def empty_softprompt(self, batch: int) -> Tensor:
        return torch.zeros(batch, 0, self.hidden_size)

    def read_segment(
        self, softprompt: Tensor, tokens: Tensor, lengths: Tensor, summarize: bool
    ) -> tuple[Tensor, Tensor | None]:
        """Reads one segment per row after its softprompt [batch, P, hidden].

        tokens [batch, T] (right-padded), lengths [batch] real tokens per row. Returns the final
        hidden states of the token slots [batch, T, hidden] and, when `summarize`, the new
        summary vectors [batch, κ, hidden].
        """
        batch, width = tokens.shape
        prompt = softprompt.shape[1]
        kappa = self.summary_tokens if summarize else 0
        parts = [softprompt, self.lm.model.embed_tokens(tokens)]
        if summarize:
            parts.append(self.embed_summary.unsqueeze(0).expand(batch, -1, -1))
        embeds = torch.cat(parts, dim=1)

        slots = torch.arange(width).unsqueeze(0)
        real = slots < lengths.unsqueeze(1)
        mask = torch.cat(
            [
                torch.ones(batch, prompt, dtype=torch.long),
                real.long(),
                torch.ones(batch, kappa, dtype=torch.long),
            ],
            dim=1,
        )
        positions = torch.cat(
            [
                torch.arange(prompt).unsqueeze(0).expand(batch, -1),
                torch.where(real, prompt + slots, torch.zeros_like(slots)),
                prompt + lengths.unsqueeze(1) + torch.arange(kappa).unsqueeze(0),
            ],
            dim=1,
        )
        hidden, _ = self.lm.hidden_states(embeds, mask, positions, self.lm.empty_cache(batch))
        token_hidden = hidden[:, prompt : prompt + width]
        return token_hidden, (hidden[:, prompt + width :] if summarize else None)
