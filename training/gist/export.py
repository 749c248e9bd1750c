"""Exports an AutoCompressor as a model folder: the reader's whole contract (ctxtrain's
export_model_folder: model.onnx, model_embeds.onnx, the int8 variant, export-check.json) plus

- onnx/summarize.onnx: inputs `input_ids` int64 [batch_size, segment_length] and `softprompt`
  float32 [batch_size, softprompt_length, hidden_size] (the summary vectors so far, possibly
  none); output `summary_vectors` float32 [batch_size, κ, hidden_size]. It reads
  [softprompt; segment; κ summary embeddings] at positions 0.. with all-ones masks (rows of one
  call have the same length) and returns the final-norm hidden states of the κ summary slots.
  Its weights live in the shared onnx/model.onnx_data (each distinct tensor stored once), so
  loaders fetch that file with model.onnx (transformers.js' `<file>.onnx_data` naming does not
  apply to this graph);
- config.json gains `autocompressor` {summary_tokens, segment_tokens, summarize_graph};
- gist-check.json: torch's summary vectors of two segments (the second read after the first's)
  and the log-probs of a question read after both, for checking any runtime.

Run from training/: /usr/bin/python3 -m gist.export configs/gist-5m.json [--run-dir D] [--out D]
"""

import argparse
import json
from pathlib import Path

import torch
from torch import Tensor, nn

from ctxtrain.bpe import BpeTokenizer
from ctxtrain.export import CHECK_TEXT, DATA_FILE, embedding_location, export_model_folder, write_json
from ctxtrain.external_data import share_external_data
from ctxtrain.onnx_graphs import OPSET
from ctxtrain.paths import MODELS_DIR, RUNS_DIR
from ctxtrain.special_tokens import ENDOFTEXT_ID

from .autocompressor import AutoCompressor
from .config import load_gist_config
from .train import build_model

SUMMARIZE_FILE = "summarize.onnx"
CHECK_QUESTION = "\n\nQuestion: What is the pass key?\nAnswer: The pass key is"
CHECK_TOLERANCE = 1e-3


class _SummarizeGraph(nn.Module):
    def __init__(self, model: AutoCompressor):
        super().__init__()
        self.model = model

    def forward(self, input_ids: Tensor, softprompt: Tensor) -> Tensor:
        lm = self.model.lm
        batch = input_ids.shape[0]
        summary = self.model.embed_summary.unsqueeze(0).expand(batch, -1, -1)
        embeds = torch.cat([softprompt, lm.model.embed_tokens(input_ids), summary], dim=1)
        total = embeds.shape[1]
        mask = torch.ones(batch, total, dtype=torch.long)
        positions = torch.arange(total).unsqueeze(0).expand(batch, -1)
        config = lm.config
        # Built from the traced batch size, so the graph keeps a dynamic batch axis.
        empty = [
            (
                torch.zeros(batch, config.num_key_value_heads, 0, config.head_dim),
                torch.zeros(batch, config.num_key_value_heads, 0, config.head_dim),
            )
            for _ in range(config.num_hidden_layers)
        ]
        hidden, _ = lm.hidden_states(embeds, mask, positions, empty)
        return hidden[:, -self.model.summary_tokens :]


def export_summarize_graph(model: AutoCompressor, path: Path) -> None:
    graph = _SummarizeGraph(model).eval()
    ids = torch.randint(0, model.lm.config.vocab_size, (2, 5))
    softprompt = torch.randn(2, 3, model.hidden_size)
    with torch.no_grad():
        torch.onnx.export(
            graph,
            (ids, softprompt),
            str(path),
            input_names=["input_ids", "softprompt"],
            output_names=["summary_vectors"],
            dynamic_axes={
                "input_ids": {0: "batch_size", 1: "segment_length"},
                "softprompt": {0: "batch_size", 1: "softprompt_length"},
                "summary_vectors": {0: "batch_size"},
            },
            opset_version=OPSET,
            do_constant_folding=True,
        )


@torch.no_grad()
def gist_check(model: AutoCompressor, tokenizer: BpeTokenizer) -> dict:
    """Golden values: two segments of the check text summarised in turn, then a question read
    after both segments' vectors."""
    ids = [ENDOFTEXT_ID, *tokenizer.encode(CHECK_TEXT)]
    half = len(ids) // 2
    segments = [ids[:half], ids[half:]]
    softprompt = model.empty_softprompt(1)
    vectors = []
    for segment in segments:
        tokens = torch.tensor([segment])
        _, new = model.read_segment(softprompt, tokens, torch.tensor([len(segment)]), summarize=True)
        vectors.append([round(float(v), 7) for v in new.flatten()])
        softprompt = torch.cat([softprompt, new], dim=1)
    question = tokenizer.encode(CHECK_QUESTION)
    hidden, _ = model.read_segment(softprompt, torch.tensor([question]), torch.tensor([len(question)]), summarize=False)
    logp = torch.log_softmax(model.lm.lm_head(hidden[0]).double(), dim=-1)
    return {
        "format": 1,
        "summary_tokens": model.summary_tokens,
        "hidden_size": model.hidden_size,
        "segments": segments,
        "summary_vectors": vectors,
        "question_ids": question,
        # Entry i: ln p(question_ids[i] | all vectors, question_ids[<i]); nothing predicts entry 0.
        "logprobs": [None] + [float(logp[i - 1, question[i]]) for i in range(1, len(question))],
        "tolerance": CHECK_TOLERANCE,
        "computed_by": f"torch {torch.__version__} float32 CPU (training/gist/export.py)",
    }


def export_gist_folder(model: AutoCompressor, out: Path, segment_tokens: int) -> dict:
    model = model.eval()
    export_model_folder(model.lm, out)
    onnx_dir = out / "onnx"
    export_summarize_graph(model, onnx_dir / SUMMARIZE_FILE)
    graphs = [onnx_dir / "model.onnx", onnx_dir / "model_embeds.onnx", onnx_dir / SUMMARIZE_FILE]
    offsets = share_external_data(graphs, DATA_FILE)
    config = model.lm.config
    write_json(out / "embed_tokens.json", embedding_location(graphs[0], offsets, [config.vocab_size, config.hidden_size]))

    hf_config = json.loads((out / "config.json").read_text())
    hf_config["autocompressor"] = {
        "summary_tokens": model.summary_tokens,
        "segment_tokens": segment_tokens,
        "summarize_graph": f"onnx/{SUMMARIZE_FILE}",
        "accumulate_summary": True,
    }
    write_json(out / "config.json", hf_config)
    check = gist_check(model, BpeTokenizer.from_file(out / "tokenizer.json"))
    write_json(out / "gist-check.json", check)
    return check


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config", type=Path)
    parser.add_argument("--run-dir", type=Path, default=None, help="default training/.runs/<name>")
    parser.add_argument("--out", type=Path, default=None, help="default models/<name>")
    args = parser.parse_args()
    config = load_gist_config(args.config)
    state = torch.load((args.run_dir or RUNS_DIR / config.name) / "checkpoint.pt")
    model = build_model(config, load_base=False)
    model.load_state_dict(state["model"])
    out = args.out or MODELS_DIR / config.name
    export_gist_folder(model, out, config.segment_tokens)
    print(f"exported step {state['step']} of {config.name} to {out}")


if __name__ == "__main__":
    main()
